import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import type { CsrfTokens } from '../auth/csrf-token.ts';
import type { CookieTransport } from './transports/cookie.ts';

export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const isUnsafe = (req: FastifyRequest): boolean => !SAFE_METHODS.has(req.method);

/**
 * CSRF defence for requests whose credentials the browser attaches by itself (cookies), including the cookie login
 * (login CSRF). Two independent checks, both required:
 *  1. the request comes from a trusted origin: the Origin header (RFC 6454), or else Sec-Fetch-Site, must say so;
 *  2. the X-CSRF-Token header equals the CSRF cookie, and is a token this server signed (double submit) — for the
 *     request's session when it has one (`sessionId`), so a token taken before login or in another session fails.
 * SameSite=Lax alone is not enough: another port on the same host is the same "site".
 */
export class CsrfGuard {
  private readonly tokens: CsrfTokens;
  private readonly cookies: CookieTransport;
  private readonly trusted: Set<string>;

  constructor(tokens: CsrfTokens, cookies: CookieTransport, trustedOrigins: string[]) {
    this.tokens = tokens;
    this.cookies = cookies;
    this.trusted = new Set(trustedOrigins);
  }

  /** `sessionId`: the live session the request's cookie names, or null when it names none (login, expired cookie). */
  check(req: FastifyRequest, sessionId: string | null): void {
    const origin = req.headers.origin;
    const site = req.headers['sec-fetch-site'];
    if (origin !== undefined) {
      if (!this.trusted.has(origin)) throw new AppError('CSRF_FAILED', { reason: `origin ${origin} is not trusted` });
    } else if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      throw new AppError('CSRF_FAILED', { reason: `a ${site} request` });
    }
    const header = req.headers[CSRF_HEADER];
    if (!this.tokens.matches(req.cookies[this.cookies.csrf], typeof header === 'string' ? header : undefined, sessionId)) {
      throw new AppError('CSRF_FAILED', { reason: 'missing or wrong X-CSRF-Token header' });
    }
  }
}

import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.ts';
import { CEREMONY_TTL_SECONDS } from '../passkeys/challenges.ts';

const WELL_FORMED = /^[A-Za-z0-9_-]{43}$/;

/**
 * Binds a passwordless sign-in attempt to the browser that asked for its options: a random secret in an HttpOnly
 * cookie (Path=/auth, where both the options and the cookie sign-in live); the attempt keeps its SHA-256. The cookie
 * sign-in (POST /auth/cookie/passkey) accepts the attempt only with that cookie, so an attempt id that leaked, or was
 * planted in another browser, cannot open a session there.
 */
export class PasskeyBinding {
  readonly name: string;
  private readonly secure: boolean;
  private readonly sameSite: 'lax' | 'none';

  constructor(cookie: Config['cookie']) {
    this.name = cookie.secure ? '__Secure-gatehouse_passkey' : 'gatehouse_passkey';
    this.secure = cookie.secure;
    this.sameSite = cookie.sameSite === 'none' ? 'none' : 'lax';
  }

  read(req: FastifyRequest): string | undefined {
    const v = req.cookies[this.name];
    return v && WELL_FORMED.test(v) ? v : undefined;
  }

  /** The browser's secret, created if it has none (another tab's attempt stays valid); the cookie lives as long as an attempt. */
  ensure(req: FastifyRequest, reply: FastifyReply): string {
    const value = this.read(req) ?? randomBytes(32).toString('base64url');
    reply.setCookie(this.name, value, { httpOnly: true, secure: this.secure, sameSite: this.sameSite, path: '/auth', maxAge: CEREMONY_TTL_SECONDS });
    return value;
  }
}

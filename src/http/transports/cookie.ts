import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { Config } from '../../config/config.ts';
import type { TokenPair } from '../../manager/session-manager.ts';

/** Where the refresh cookie is sent: only to the cookie backend's own routes. */
export const COOKIE_ROUTES = '/auth/cookie';

/**
 * The cookie transport, for SPAs (fastapi-users' CookieTransport): the access token travels in an HttpOnly cookie
 * for every path, the refresh token in another scoped to /auth/cookie. With Secure cookies the names carry the
 * __Host- and __Secure- prefixes (RFC 6265bis §4.1.3), so no subdomain can plant or overwrite them.
 */
export class CookieTransport {
  readonly access: string;
  readonly refresh: string;
  readonly csrf: string;
  private readonly base: CookieSerializeOptions;

  constructor(cookie: Config['cookie']) {
    this.access = cookie.secure ? '__Host-gatehouse_access' : 'gatehouse_access';
    this.refresh = cookie.secure ? '__Secure-gatehouse_refresh' : 'gatehouse_refresh';
    this.csrf = cookie.secure ? '__Host-gatehouse_csrf' : 'gatehouse_csrf';
    this.base = { secure: cookie.secure, sameSite: cookie.sameSite, path: '/' };
  }

  read(req: FastifyRequest): string | undefined {
    return req.cookies[this.access] || undefined;
  }

  readRefresh(req: FastifyRequest): string | undefined {
    return req.cookies[this.refresh] || undefined;
  }

  /** Sets both cookies; the body stays empty (204), as in fastapi-users. (No-store: security-headers.ts, every answer.) */
  login(reply: FastifyReply, pair: TokenPair, sessionTtl: number): FastifyReply {
    return reply
      .setCookie(this.access, pair.accessToken, { ...this.base, httpOnly: true, maxAge: pair.expiresIn })
      .setCookie(this.refresh, pair.refreshToken, { ...this.base, httpOnly: true, path: COOKIE_ROUTES, maxAge: sessionTtl })
      .code(204);
  }

  /** A new access cookie for the same session (a re-authentication); the refresh cookie stays. */
  setAccess(reply: FastifyReply, accessToken: string, expiresIn: number): FastifyReply {
    return reply.setCookie(this.access, accessToken, { ...this.base, httpOnly: true, maxAge: expiresIn });
  }

  logout(reply: FastifyReply): FastifyReply {
    return reply
      .clearCookie(this.access, { ...this.base, httpOnly: true })
      .clearCookie(this.refresh, { ...this.base, httpOnly: true, path: COOKIE_ROUTES });
  }

  /** The CSRF cookie is readable by the page's script on purpose: it copies it into X-CSRF-Token. */
  setCsrf(reply: FastifyReply, token: string): FastifyReply {
    return reply.setCookie(this.csrf, token, { ...this.base, httpOnly: false });
  }
}

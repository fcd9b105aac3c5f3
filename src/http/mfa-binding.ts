import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.ts';

const WELL_FORMED = /^[A-Za-z0-9_-]{43}$/;
/** Sent only to the auth routes, where the second step is answered. */
const PATH = '/auth';

/**
 * Binds the second step of a cookie login (password or social server callback) to the browser that started it: a
 * random secret in an HttpOnly cookie, fresh for each login, whose SHA-256 the challenge row keeps. The mfa_token
 * alone (e.g. from the SPA's /mfa?token=… URL, in history or a Referer) is useless in another browser.
 * SameSite=Lax so that it survives the provider's redirect back (None when the session cookies are None).
 */
export class MfaBinding {
  readonly name: string;
  private readonly secure: boolean;
  private readonly sameSite: 'lax' | 'none';
  private readonly maxAge: number;

  constructor(cookie: Config['cookie'], challengeTtl: number) {
    // __Host- needs Path=/: the cookie is scoped to /auth instead, under __Secure- (RFC 6265bis §4.1.3.1).
    this.name = cookie.secure ? '__Secure-gatehouse_mfa' : 'gatehouse_mfa';
    this.secure = cookie.secure;
    this.sameSite = cookie.sameSite === 'none' ? 'none' : 'lax';
    this.maxAge = challengeTtl;
  }

  read(req: FastifyRequest): string | undefined {
    const v = req.cookies[this.name];
    return v && WELL_FORMED.test(v) ? v : undefined;
  }

  /** A fresh secret for one login; `set` puts it in the browser. */
  fresh(): string {
    return randomBytes(32).toString('base64url');
  }

  set(reply: FastifyReply, secret: string): FastifyReply {
    return reply.setCookie(this.name, secret, { httpOnly: true, secure: this.secure, sameSite: this.sameSite, path: PATH, maxAge: this.maxAge });
  }

  clear(reply: FastifyReply): FastifyReply {
    return reply.clearCookie(this.name, { httpOnly: true, secure: this.secure, sameSite: this.sameSite, path: PATH });
  }
}

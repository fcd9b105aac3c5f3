import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.ts';

const WELL_FORMED = /^[A-Za-z0-9_-]{43}$/;

export interface BindingOptions {
  /** The cookie's name without its prefix. */
  name: string;
  /** `/` (then `__Host-` on https) or `/auth`, the only routes that read it (then `__Secure-`: RFC 6265bis §4.1.3). */
  path: '/' | '/auth';
  /** Seconds: as long as what it binds lives. */
  maxAge: number;
}

/**
 * Binds a flow to the browser that started it: a random secret in an HttpOnly cookie, whose SHA-256 the flow's row
 * keeps, so the flow's public identifier alone (a URL parameter, an id in a body, leaked or planted) cannot finish
 * it in another browser. SameSite=Lax (not Strict), so that it comes along on a provider's cross-site redirect back;
 * None when the session cookies are None (an SPA on another site). One mechanism for the three flows that need it,
 * each made below.
 */
export class BrowserBinding {
  readonly name: string;
  private readonly path: BindingOptions['path'];
  private readonly secure: boolean;
  private readonly sameSite: 'lax' | 'none';
  private readonly maxAge: number;

  constructor(cookie: Config['cookie'], o: BindingOptions) {
    this.name = cookie.secure ? `${o.path === '/' ? '__Host-' : '__Secure-'}${o.name}` : o.name;
    this.path = o.path;
    this.secure = cookie.secure;
    this.sameSite = cookie.sameSite === 'none' ? 'none' : 'lax';
    this.maxAge = o.maxAge;
  }

  read(req: FastifyRequest): string | undefined {
    const v = req.cookies[this.name];
    return v && WELL_FORMED.test(v) ? v : undefined;
  }

  /** A fresh secret for one flow; `set` puts it in the browser. */
  fresh(): string {
    return randomBytes(32).toString('base64url');
  }

  set(reply: FastifyReply, secret: string): FastifyReply {
    return reply.setCookie(this.name, secret, { httpOnly: true, secure: this.secure, sameSite: this.sameSite, path: this.path, maxAge: this.maxAge });
  }

  /** The browser's secret, created if it has none (so another tab's flow stays valid), its cookie renewed. */
  ensure(req: FastifyRequest, reply: FastifyReply): string {
    const value = this.read(req) ?? this.fresh();
    this.set(reply, value);
    return value;
  }

  clear(reply: FastifyReply): FastifyReply {
    return reply.clearCookie(this.name, { httpOnly: true, secure: this.secure, sameSite: this.sameSite, path: this.path });
  }
}

/** Social login flows (RFC 9700 §4.7.1; the fix for fastapi-users' CVE-2025-68481): each state row keeps the hash. */
export const oauthBinding = (cookie: Config['cookie'], stateTtl: number) => new BrowserBinding(cookie, { name: 'gatehouse_oauth', path: '/', maxAge: stateTtl });

/**
 * The second step of a cookie login (password, or the social server callback): fresh for each login, so the
 * mfa_token alone (from the SPA's /mfa?token=… URL, in history or a Referer) is useless in another browser.
 */
export const mfaBinding = (cookie: Config['cookie'], challengeTtl: number) => new BrowserBinding(cookie, { name: 'gatehouse_mfa', path: '/auth', maxAge: challengeTtl });

/** A passwordless passkey sign-in's attempt: the cookie sign-in accepts it only from the browser that asked for its options. */
export const passkeyBinding = (cookie: Config['cookie'], attemptTtl: number) => new BrowserBinding(cookie, { name: 'gatehouse_passkey', path: '/auth', maxAge: attemptTtl });

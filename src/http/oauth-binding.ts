import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.ts';

const WELL_FORMED = /^[A-Za-z0-9_-]{43}$/;

/**
 * The browser binding of social login flows (RFC 9700 §4.7.1; the fix for fastapi-users' CVE-2025-68481): a random
 * secret in an HttpOnly cookie; each state row keeps its SHA-256. A flow can be finished only by the browser that
 * started it. SameSite=Lax (not Strict), so that it still comes along on the provider's cross-site redirect back;
 * None when the session cookies are None (an SPA on another site).
 */
export class OAuthBinding {
  readonly name: string;
  private readonly secure: boolean;
  private readonly sameSite: 'lax' | 'none';
  private readonly maxAge: number;

  constructor(cookie: Config['cookie'], stateTtl: number) {
    this.name = cookie.secure ? '__Host-gatehouse_oauth' : 'gatehouse_oauth';
    this.secure = cookie.secure;
    this.sameSite = cookie.sameSite === 'none' ? 'none' : 'lax';
    this.maxAge = stateTtl;
  }

  read(req: FastifyRequest): string | undefined {
    const v = req.cookies[this.name];
    return v && WELL_FORMED.test(v) ? v : undefined;
  }

  /** The browser's binding secret, created if it has none; the cookie lives as long as a state. */
  ensure(req: FastifyRequest, reply: FastifyReply): string {
    const value = this.read(req) ?? randomBytes(32).toString('base64url');
    reply.setCookie(this.name, value, { httpOnly: true, secure: this.secure, sameSite: this.sameSite, path: '/', maxAge: this.maxAge });
    return value;
  }
}

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.ts';
import { DEVICE_COOKIE_TTL_SECONDS } from '../manager/trusted-devices.ts';

/** A device cookie is 77 characters (manager/trusted-devices.ts); anything much longer is not one. */
const MAX_LENGTH = 100;

/**
 * The device cookie in the browser (what it proves: src/manager/trusted-devices.ts). HttpOnly; Path=/ so that every
 * login route, /token included, receives it (`__Host-` on https: RFC 6265bis §4.1.3.2). SameSite=Strict: a login
 * posted by another site's form or script does not bring it, so no page can spend a browser's own lockout; None
 * only when the session cookies are None (an SPA on another site, which could not send it otherwise).
 */
export class DeviceCookie {
  readonly name: string;
  private readonly secure: boolean;
  private readonly sameSite: 'strict' | 'none';

  constructor(cookie: Config['cookie']) {
    this.name = cookie.secure ? '__Host-gatehouse_device' : 'gatehouse_device';
    this.secure = cookie.secure;
    this.sameSite = cookie.sameSite === 'none' ? 'none' : 'strict';
  }

  read(req: FastifyRequest): string | undefined {
    const v = req.cookies[this.name];
    return v && v.length <= MAX_LENGTH ? v : undefined;
  }

  set(reply: FastifyReply, value: string): FastifyReply {
    return reply.setCookie(this.name, value, { httpOnly: true, secure: this.secure, sameSite: this.sameSite, path: '/', maxAge: DEVICE_COOKIE_TTL_SECONDS });
  }
}

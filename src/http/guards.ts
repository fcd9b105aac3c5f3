import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { AppError } from '../errors.ts';
import { atLeast, type Role } from '../model/roles.ts';
import type { User } from '../model/user.ts';
import { TokenRejected } from '../auth/access-token.ts';
import type { Authenticated, JwtStrategy } from '../auth/jwt-strategy.ts';
import { bearerTransport } from './transports/bearer.ts';
import type { CookieTransport } from './transports/cookie.ts';
import { isUnsafe, type CsrfGuard } from './csrf.ts';
import { isRecent, reauthenticationRequired } from '../auth/reauthentication.ts';
import type { MfaPolicy } from '../mfa/policy.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by a guard: the user and session behind the request's token. */
    auth: Authenticated | null;
  }
}

export interface GuardOptions {
  /** Refuse (403) users whose email is not verified. */
  verified?: boolean;
  /** Refuse (403) users below this role. */
  role?: Role;
  /** Refuse (403 REAUTHENTICATION_REQUIRED) unless the session was made with more than one factor (`amr` has `mfa`). */
  mfa?: boolean;
  /** Refuse (403 REAUTHENTICATION_REQUIRED) unless the user proved themselves at most this many seconds ago (`auth_time`). */
  maxAge?: number;
  /**
   * Open to a user who must enrol a second factor and has none yet (MFA_REQUIRED_ROLES): only the routes that let
   * them do so (and see themselves, re-authenticate, log out). Every other guarded route answers them
   * 403 MFA_ENROLLMENT_REQUIRED.
   */
  beforeEnrolment?: boolean;
}

export { reauthenticationRequired };

/** RFC 6750 §3: no error code when no credentials came; `invalid_token` with a description when they were bad. */
function unauthorized(kind: 'missing' | 'invalid' | 'expired'): AppError {
  const challenge = kind === 'missing' ? 'Bearer'
    : `Bearer error="invalid_token", error_description="${kind === 'expired' ? 'The access token expired' : 'The access token is invalid'}"`;
  return new AppError('Unauthorized', { headers: { 'www-authenticate': challenge } });
}

/**
 * Route guards, usable by any route of the app (see examples/). 401 = not authenticated (no, bad, expired token;
 * ended session; inactive or deleted user); 403 = authenticated but not allowed (seed 002).
 * They run as onRequest hooks, before the body is even read.
 */
export class Guards {
  private readonly strategy: JwtStrategy;
  private readonly cookies: CookieTransport;
  private readonly csrf: CsrfGuard;
  private readonly mfaPolicy: MfaPolicy | undefined;

  constructor(strategy: JwtStrategy, cookies: CookieTransport, csrf: CsrfGuard, mfaPolicy?: MfaPolicy) {
    this.strategy = strategy;
    this.cookies = cookies;
    this.csrf = csrf;
    this.mfaPolicy = mfaPolicy;
  }

  /**
   * The current active user, optionally verified and of at least some role. The token comes from the
   * Authorization header (bearer backend) or, failing that, the access cookie (cookie backend); a
   * cookie-authenticated request that changes state must also pass the CSRF guard.
   */
  user(opts: GuardOptions = {}): onRequestAsyncHookHandler {
    return async (req: FastifyRequest, _reply: FastifyReply) => {
      const bearer = bearerTransport.read(req) || undefined;
      const token = bearer ?? this.cookies.read(req);
      if (!token) throw unauthorized('missing');
      let auth: Authenticated;
      try {
        auth = await this.strategy.readToken(token);
      } catch (err) {
        if (err instanceof TokenRejected) {
          if (err.operatorHint) req.log.info({ reason: err.operatorHint }, `access token refused: ${err.operatorHint}`);
          throw unauthorized(err.expired ? 'expired' : 'invalid');
        }
        throw err;
      }
      // After reading the token: the CSRF token must be bound to this very session (a pre-login one is refused).
      if (!bearer && isUnsafe(req)) this.csrf.check(req, auth.sessionId);
      if (!auth.user.isActive) throw unauthorized('invalid');
      if (opts.verified && !auth.user.isVerified) throw new AppError('Forbidden');
      if (opts.role && !atLeast(auth.user.role, opts.role)) throw new AppError('Forbidden');
      if (!opts.beforeEnrolment && this.mfaPolicy?.mustEnrol(auth.user)) throw new AppError('MFA_ENROLLMENT_REQUIRED');
      if (opts.mfa && !auth.amr.includes('mfa')) throw reauthenticationRequired({ mfa: true, maxAge: opts.maxAge });
      if (opts.maxAge !== undefined && !isRecent(auth.authTime, opts.maxAge)) throw reauthenticationRequired({ maxAge: opts.maxAge });
      req.auth = auth;
    };
  }

  /**
   * The live session the request's access cookie names, or null (no cookie, or an expired or ended session): what
   * the cookie login and refresh bind their CSRF check to, as they run without a guard.
   */
  async cookieSession(req: FastifyRequest): Promise<string | null> {
    return (await this.cookieAuth(req))?.sessionId ?? null;
  }

  /** Who the access cookie speaks for: a live session of an active user, else null (never throws for a bad token). */
  async cookieAuth(req: FastifyRequest): Promise<Authenticated | null> {
    const token = this.cookies.read(req);
    if (!token) return null;
    try {
      const auth = await this.strategy.readToken(token);
      return auth.user.isActive ? auth : null;
    } catch (err) {
      if (err instanceof TokenRejected) return null;
      throw err;
    }
  }

  superuser(): onRequestAsyncHookHandler {
    return this.user({ role: 'super_admin' });
  }
}

/** The user a guard let through. Only call in a route that has a guard. */
export function currentUser(req: FastifyRequest): User {
  if (!req.auth) throw new Error('route has no guard');
  return req.auth.user;
}

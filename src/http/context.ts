import type { FastifyRequest } from 'fastify';
import type { Config } from '../config/config.ts';
import type { ClientInfo } from '../model/client-info.ts';
import type { JwtStrategy } from '../auth/jwt-strategy.ts';
import type { UserManager } from '../manager/user-manager.ts';
import type { SessionManager } from '../manager/session-manager.ts';
import type { AccountFlows } from '../manager/account-flows.ts';
import type { AuditLog } from '../manager/audit-log.ts';
import type { RateLimiter } from '../limits/rate-limiter.ts';
import type { Guards } from './guards.ts';
import type { CookieTransport } from './transports/cookie.ts';
import type { CsrfGuard } from './csrf.ts';
import type { CsrfTokens } from '../auth/csrf-token.ts';
import type { KeyRing } from '../auth/keys/key-ring.ts';
import type { OAuthManager } from '../oauth/oauth-manager.ts';
import type { BrowserBinding } from './browser-binding.ts';
import type { DeviceCookie } from './device-cookie.ts';
import type { PasskeyService } from '../passkeys/passkey-service.ts';
import type { Factors } from '../mfa/factors.ts';
import type { SecondStep } from '../mfa/second-step.ts';
import type { StepUp } from '../mfa/step-up.ts';
import type { MfaPolicy } from '../mfa/policy.ts';

/** What the routes are given: services, guards and settings; never the database. */
export interface RouteContext {
  config: Config;
  users: UserManager;
  sessions: SessionManager;
  flows: AccountFlows;
  audit: AuditLog;
  /** Undefined when RATE_LIMITS=false. */
  limits: RateLimiter | undefined;
  strategy: JwtStrategy;
  keys: KeyRing;
  guards: Guards;
  cookies: CookieTransport;
  csrf: CsrfGuard;
  csrfTokens: CsrfTokens;
  /** Social login (routes/oauth.ts, routes/oauth-associate.ts) and the cookie that binds its flows to a browser. */
  oauth: OAuthManager;
  oauthBinding: BrowserBinding;
  /** The second factor (src/mfa/): factors, the login's second step, step-up, the enrolment policy. */
  mfa: { factors: Factors; secondStep: SecondStep; stepUp: StepUp; policy: MfaPolicy };
  /** The device cookie of password logins (src/manager/trusted-devices.ts). */
  deviceCookie: DeviceCookie;
  /** The cookie that binds a cookie login's second step to its browser. */
  mfaBinding: BrowserBinding;
  /** Passkeys (routes/passkeys.ts, routes/passkey-login.ts); the second step and step-up read them, as a PasskeyVerifier, through `mfa.factors`. */
  passkeys?: PasskeyService;
  /** Readiness: resolves when the database answers and its schema is current. */
  ready(): Promise<void>;
}

export const clientInfo = (req: FastifyRequest): ClientInfo => ({
  ip: req.ip ?? null,
  userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : null,
});

/** Every authenticated route accepts the OAuth2 password flow (Swagger UI's Authorize), a bearer token or the cookie. */
export const SECURED: { [scheme: string]: string[] }[] = [{ OAuth2PasswordBearer: [] }, { BearerAuth: [] }, { CookieAuth: [] }];

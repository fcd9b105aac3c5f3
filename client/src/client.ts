import { Transport, type ClientOptions, type RequestSpec } from './transport.ts';
import { ROUTES, fillPath, type RouteName } from './routes.ts';
import { isApiError } from './errors.ts';
import { mfaChallengeOf } from './mfa.ts';
import type {
  AuditPage, AuditQuery, AuthenticationResponseJSON, AuthorizationUrl, BearerToken, CookieSession, Credentials, CsrfToken, Factors, HealthStatus, Jwks,
  LinkedAccount, LoginResult, OAuthCallback, Passkey, PasskeyLoginOptions, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON,
  Reauthenticated, Reauthentication, RecoveryCodes, RegistrationResponseJSON, Revoked, SecondFactor, ServerMetadata, Session, SocialLogin, TokenExchange,
  TotpConfirmed, TotpEnrolment, User, UserAdminUpdate, UserCreate, UserListQuery, UserPage, UserUpdate,
} from './types.ts';

type Extra = Omit<RequestSpec, 'method' | 'path'> & { params?: Record<string, string> };

/**
 * Gatehouse's API, one method per route. Cookie mode (the default, for browsers) keeps the session in HttpOnly
 * cookies and handles CSRF; bearer mode keeps the token pair in a TokenStore (memory by default). Either way a
 * 401 is answered by one transparent refresh and one retry. Failures throw ApiError (a typed union of codes).
 */
export class GatehouseClient {
  readonly transport: Transport;

  constructor(opts: ClientOptions = {}) {
    this.transport = new Transport(opts);
  }

  private call<T>(name: RouteName, extra: Extra = {}): Promise<T> {
    const [method, path] = ROUTES[name];
    const { params, ...rest } = extra;
    return this.transport.request<T>({ method, path: fillPath(path, params), ...rest });
  }

  // --- authentication -------------------------------------------------------------------------------------------

  /** GET /auth/csrf — cookie mode fetches it by itself before any state-changing request. */
  csrf(): Promise<CsrfToken> {
    return this.call('csrf', { refresh: false });
  }

  /** POST /auth/register */
  register(body: UserCreate): Promise<User> {
    return this.call('register', { json: body, refresh: false });
  }

  /**
   * Logs in with an email or username: POST /auth/cookie/login (cookie mode) or /auth/jwt/login (bearer mode). A user
   * with a second factor gets no session yet: the result is `mfa-required` with the challenge to pass (completeMfa).
   */
  async login(credentials: Credentials): Promise<LoginResult> {
    const form = { username: credentials.username, password: credentials.password };
    try {
      if (this.transport.mode === 'cookie') {
        await this.call('cookieLogin', { form, refresh: false });
      } else {
        // With cookies: the server's device cookie, which keeps this browser out of a lock an attacker holds on the
        // account (README, "Abuse protection"); the tokens themselves never travel in a cookie in bearer mode.
        this.transport.tokens.set(await this.call<BearerToken>('jwtLogin', { form, refresh: false, cookies: true }));
      }
      return { status: 'signed-in' };
    } catch (err) {
      const challenge = mfaChallengeOf(err);
      if (challenge) return { status: 'mfa-required', challenge };
      throw err;
    }
  }

  /**
   * The login's second step: POST /auth/cookie/mfa (cookie mode: the challenge is bound to this browser by a cookie)
   * or /auth/jwt/mfa (bearer mode), with the challenge's `mfa_token` and one factor. Opens the session.
   */
  async completeMfa(mfaToken: string, factor: SecondFactor): Promise<void> {
    const json = { mfa_token: mfaToken, ...factor };
    if (this.transport.mode === 'cookie') {
      await this.call('cookieMfa', { json, refresh: false, reauth: false });
    } else {
      this.transport.tokens.set(await this.call<BearerToken>('jwtMfa', { json, refresh: false, reauth: false }));
    }
  }

  /** POST /auth/mfa/passkey-options — WebAuthn request options for the second step, listing only this user's passkeys. */
  mfaPasskeyOptions(mfaToken: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
    return this.call('mfaPasskeyOptions', { json: { mfa_token: mfaToken }, refresh: false, reauth: false, cookies: true });
  }

  /** POST /auth/passkey/options — to sign in with a passkey alone (discoverable: no username). */
  passkeyLoginOptions(): Promise<PasskeyLoginOptions> {
    return this.call('passkeyLoginOptions', { refresh: false, cookies: true });
  }

  /** Signs in with a passkey's assertion: POST /auth/cookie/passkey (cookie mode) or /auth/jwt/passkey (bearer mode). */
  async passkeyLogin(attempt: string, response: AuthenticationResponseJSON): Promise<void> {
    const json = { attempt, response };
    if (this.transport.mode === 'cookie') {
      await this.call('cookiePasskeyLogin', { json, refresh: false });
    } else {
      this.transport.tokens.set(await this.call<BearerToken>('jwtPasskeyLogin', { json, refresh: false, cookies: true }));
    }
  }

  /**
   * Step-up: POST /auth/reauthenticate with one proof, which renews the session's auth_time (same session). Bearer
   * mode keeps the fresh access token (the refresh token stays); cookie mode gets a new access cookie.
   */
  async reauthenticate(proof: Reauthentication): Promise<void> {
    const answer = await this.call<Reauthenticated | undefined>('reauthenticate', { json: proof, reauth: false });
    this.keepAccessToken(answer);
  }

  /** POST /auth/reauthenticate/passkey-options — WebAuthn request options to step up with one of the user's passkeys. */
  reauthenticatePasskeyOptions(): Promise<PublicKeyCredentialRequestOptionsJSON> {
    return this.call('reauthenticatePasskeyOptions', { reauth: false });
  }

  /** Bearer mode: a new access token for the same session (its refresh token unchanged). */
  private keepAccessToken(answer: Partial<Reauthenticated> | undefined): void {
    const current = this.transport.tokens.get();
    if (this.transport.mode !== 'bearer' || !current || !answer?.access_token) return;
    this.transport.tokens.set({ ...current, access_token: answer.access_token, expires_in: answer.expires_in ?? current.expires_in });
  }

  /** POST /auth/cookie/refresh or /auth/jwt/refresh, shared with the automatic refresh. False: the session is gone. */
  refresh(): Promise<boolean> {
    return this.transport.refresh();
  }

  /** Ends this session: POST /auth/cookie/logout or /auth/jwt/logout. */
  async logout(): Promise<void> {
    try {
      await this.call(this.transport.mode === 'cookie' ? 'cookieLogout' : 'jwtLogout');
    } finally {
      if (this.transport.mode === 'bearer') this.transport.tokens.set(null);
    }
  }

  /** Ends every session of the user, this one included: DELETE /users/me/sessions, then logout. */
  async logoutEverywhere(): Promise<void> {
    await this.revokeMyOtherSessions();
    await this.logout();
  }

  // --- email verification and password reset -------------------------------------------------------------------

  /** POST /auth/request-verify-token — 202 whether or not the email exists. */
  requestVerifyToken(email: string): Promise<void> {
    return this.call('requestVerifyToken', { json: { email }, refresh: false });
  }

  /** POST /auth/verify — the token from the mail's link; answers the verified user. */
  verify(token: string): Promise<User> {
    return this.call('verify', { json: { token }, refresh: false });
  }

  /** POST /auth/forgot-password — 202 whether or not the email exists. */
  forgotPassword(email: string): Promise<void> {
    return this.call('forgotPassword', { json: { email }, refresh: false });
  }

  /** POST /auth/reset-password — ends every session of the user. */
  resetPassword(token: string, password: string): Promise<void> {
    return this.call('resetPassword', { json: { token, password }, refresh: false });
  }

  // --- social login ----------------------------------------------------------------------------------------------

  /**
   * GET /auth/{provider}/authorize — where to send the browser. With `redirectUri` (one of the server's
   * OAUTH_REDIRECT_URIS) the provider comes back to the app, which forwards code and state with oauthCallback (seed
   * 001); without it, to Gatehouse's own callback, which sets the session cookies and redirects to OAUTH_SPA_URL.
   */
  oauthAuthorize(provider: string, redirectUri?: string): Promise<AuthorizationUrl> {
    return this.call('oauthAuthorize', { params: { provider }, query: { redirect_uri: redirectUri }, refresh: false, cookies: true });
  }

  /** POST /auth/{provider}/authorize — forwards what the provider sent; answers Gatehouse's tokens (kept in bearer mode) and the user. */
  async oauthCallback(provider: string, body: OAuthCallback): Promise<SocialLogin> {
    const login = await this.call<SocialLogin>('oauthCallback', { params: { provider }, json: body, refresh: false, cookies: true });
    if (this.transport.mode === 'bearer') this.transport.tokens.set(login);
    return login;
  }

  /** POST /auth/{provider}/token — a provider access token or ID token → Gatehouse's tokens (kept in bearer mode). */
  async oauthTokenExchange(provider: string, body: TokenExchange): Promise<SocialLogin> {
    const login = await this.call<SocialLogin>('oauthTokenExchange', { params: { provider }, json: body, refresh: false });
    if (this.transport.mode === 'bearer') this.transport.tokens.set(login);
    return login;
  }

  /** GET /auth/associate/{provider}/authorize — start linking a provider to the signed-in user. */
  associateAuthorize(provider: string, redirectUri?: string): Promise<AuthorizationUrl> {
    return this.call('associateAuthorize', { params: { provider }, query: { redirect_uri: redirectUri }, cookies: true });
  }

  /** POST /auth/associate/{provider}/authorize — finish linking with what the provider sent; answers the linked account. */
  associateCallback(provider: string, body: OAuthCallback): Promise<LinkedAccount> {
    return this.call('associateCallback', { params: { provider }, json: body, cookies: true });
  }

  // --- the current user ------------------------------------------------------------------------------------------

  /** GET /users/me */
  me(): Promise<User> {
    return this.call('me');
  }

  /** GET /auth/cookie/session — who the session cookies speak for, 200 even when nobody (cookie mode). */
  cookieSession(): Promise<CookieSession> {
    return this.call('cookieSession', { refresh: false });
  }

  /**
   * Who is signed in, or null — for a page load. Cookie mode: GET /auth/cookie/session, so a signed-out visitor costs
   * one request and no 401; a refresh only when a refresh cookie is there to use. Bearer mode: GET /users/me if there
   * is a token at all.
   */
  async currentUser(): Promise<User | null> {
    try {
      if (this.transport.mode === 'bearer') return this.transport.tokens.get() ? await this.me() : null;
      const { user, refreshable } = await this.cookieSession();
      if (user || !refreshable) return user;
      return await this.transport.afterRefresh<User>({ method: 'GET', path: ROUTES.me[1] });
    } catch (err) {
      if (isApiError(err, 'Unauthorized')) return null;
      throw err;
    }
  }

  /** PATCH /users/me */
  updateMe(body: UserUpdate): Promise<User> {
    return this.call('updateMe', { json: body });
  }

  /** GET /users/me/sessions */
  mySessions(): Promise<Session[]> {
    return this.call('mySessions');
  }

  /** DELETE /users/me/sessions/{sid} */
  revokeMySession(sid: string): Promise<void> {
    return this.call('revokeMySession', { params: { sid } });
  }

  /** DELETE /users/me/sessions — every session but this one. */
  revokeMyOtherSessions(): Promise<Revoked> {
    return this.call('revokeMyOtherSessions');
  }

  /** GET /users/me/accounts */
  linkedAccounts(): Promise<LinkedAccount[]> {
    return this.call('linkedAccounts');
  }

  /** DELETE /users/me/accounts/{provider} — refused (OAUTH_LAST_LOGIN_METHOD) if it is the last way to sign in. */
  unlinkAccount(provider: string): Promise<void> {
    return this.call('unlinkAccount', { params: { provider } });
  }

  // --- the current user's factors: TOTP, recovery codes, passkeys ------------------------------------------------

  /** GET /users/me/factors — which second factors the user has, and whether their role needs one. */
  myFactors(): Promise<Factors> {
    return this.call('myFactors');
  }

  /** POST /users/me/totp — a new pending authenticator-app secret (replaces a pending one); active once confirmed. */
  startTotp(): Promise<TotpEnrolment> {
    return this.call('startTotp');
  }

  /**
   * POST /users/me/totp/confirm — the app's first code turns TOTP on; answers the recovery codes (shown once). The
   * server ends the user's other sessions; this one now counts as multi-factor (bearer mode keeps its new token).
   */
  async confirmTotp(code: string): Promise<RecoveryCodes> {
    const answer = await this.call<TotpConfirmed>('confirmTotp', { json: { code } });
    this.keepAccessToken(answer);
    return { recovery_codes: answer.recovery_codes };
  }

  /** DELETE /users/me/totp — needs a recent proof (step-up). */
  removeTotp(): Promise<void> {
    return this.call('removeTotp');
  }

  /** POST /users/me/recovery-codes — new recovery codes, shown once; the old ones stop working. Step-up. */
  regenerateRecoveryCodes(): Promise<RecoveryCodes> {
    return this.call('regenerateRecoveryCodes');
  }

  /** POST /users/me/passkeys/options — WebAuthn creation options for a new passkey (step-up). */
  passkeyRegistrationOptions(): Promise<PublicKeyCredentialCreationOptionsJSON> {
    return this.call('passkeyRegistrationOptions');
  }

  /** POST /users/me/passkeys — stores the new passkey the authenticator made for those options. */
  addPasskey(name: string, response: RegistrationResponseJSON): Promise<Passkey> {
    return this.call('addPasskey', { json: { name, response } });
  }

  /** GET /users/me/passkeys */
  myPasskeys(): Promise<Passkey[]> {
    return this.call('myPasskeys');
  }

  /** PATCH /users/me/passkeys/{id} */
  renamePasskey(id: string, name: string): Promise<Passkey> {
    return this.call('renamePasskey', { params: { id }, json: { name } });
  }

  /** DELETE /users/me/passkeys/{id} — step-up. */
  deletePasskey(id: string): Promise<void> {
    return this.call('deletePasskey', { params: { id } });
  }

  // --- user management (admins) ----------------------------------------------------------------------------------

  /** GET /users?q=&role=&limit=&offset= */
  listUsers(query: UserListQuery = {}): Promise<UserPage> {
    return this.call('listUsers', { query });
  }

  /** GET /users/{id} */
  getUser(id: string): Promise<User> {
    return this.call('getUser', { params: { id } });
  }

  /** PATCH /users/{id} */
  updateUser(id: string, body: UserAdminUpdate): Promise<User> {
    return this.call('updateUser', { params: { id }, json: body });
  }

  /** DELETE /users/{id} */
  deleteUser(id: string): Promise<void> {
    return this.call('deleteUser', { params: { id } });
  }

  /** GET /users/{id}/sessions */
  userSessions(id: string): Promise<Session[]> {
    return this.call('userSessions', { params: { id } });
  }

  /** DELETE /users/{id}/sessions/{sid} */
  revokeUserSession(id: string, sid: string): Promise<void> {
    return this.call('revokeUserSession', { params: { id, sid } });
  }

  /** DELETE /users/{id}/sessions */
  revokeUserSessions(id: string): Promise<Revoked> {
    return this.call('revokeUserSessions', { params: { id } });
  }

  /** GET /users/{id}/factors — a user's second factors, for an admin. */
  userFactors(id: string): Promise<Factors> {
    return this.call('userFactors', { params: { id } });
  }

  /** DELETE /users/{id}/factors — removes every second factor of a user who lost their device (audited, mailed; step-up). */
  removeUserFactors(id: string): Promise<void> {
    return this.call('removeUserFactors', { params: { id } });
  }

  /** GET /admin/audit — the audit log (admins), newest first. */
  auditLog(query: AuditQuery = {}): Promise<AuditPage> {
    return this.call('auditLog', { query: { ...query } });
  }

  // --- keys and health -------------------------------------------------------------------------------------------

  /** GET /.well-known/jwks.json */
  jwks(): Promise<Jwks> {
    return this.call('jwks', { refresh: false });
  }

  /** GET /.well-known/openid-configuration */
  serverMetadata(): Promise<ServerMetadata> {
    return this.call('serverMetadata', { refresh: false });
  }

  /** GET /healthz */
  health(): Promise<HealthStatus> {
    return this.call('health', { refresh: false });
  }

  /** GET /readyz */
  ready(): Promise<HealthStatus> {
    return this.call('ready', { refresh: false });
  }
}

export const createClient = (opts: ClientOptions = {}): GatehouseClient => new GatehouseClient(opts);

/**
 * The error registry: the only place where Gatehouse's error codes exist.
 *
 * Every error the API answers with is one of these entries. The HTTP body is fastapi-users' shape:
 *   {"detail": "<code>"}                         when there is no reason to give, or
 *   {"detail": {"code": "<code>", "reason": …}}  when there is (e.g. which password rule failed).
 * Validation errors (422) are the one other shape, FastAPI's list of issues (see http/validation.ts).
 *
 * docs/errors.md lists the same codes; test/errors-registry.test.ts keeps registry, docs and OpenAPI in sync.
 */
export const ERRORS = {
  // Generic HTTP answers, with fastapi-users' (Starlette's) exact `detail` strings.
  Unauthorized: { status: 401, message: 'Missing, invalid or expired credentials (see the WWW-Authenticate header).' },
  Forbidden: { status: 403, message: 'Authenticated, but not allowed to do this.' },
  'Not Found': { status: 404, message: 'No such resource (or route).' },
  // fastapi-users' codes.
  REGISTER_USER_ALREADY_EXISTS: { status: 400, message: 'A user with this email (or username) already exists.' },
  REGISTER_INVALID_PASSWORD: { status: 400, message: 'The password does not meet the password policy; `reason` says which rule.' },
  LOGIN_BAD_CREDENTIALS: { status: 400, message: 'Wrong username or password, or the account is inactive.' },
  LOGIN_USER_NOT_VERIFIED: { status: 400, message: 'The password is right but the email is not verified, and the server requires it.' },
  UPDATE_USER_EMAIL_ALREADY_EXISTS: { status: 400, message: 'Another user already has this email (or username).' },
  UPDATE_USER_INVALID_PASSWORD: { status: 400, message: 'The new password does not meet the password policy; `reason` says which rule.' },
  OAUTH_NOT_AVAILABLE_EMAIL: { status: 400, message: 'The provider gave no verified email address for the account (e.g. GitHub with only private, unverified addresses).' },
  OAUTH_USER_ALREADY_EXISTS: { status: 400, message: 'A user with this email exists and the emails are not both verified: log in and link the provider (associate) instead.' },
  VERIFY_USER_BAD_TOKEN: { status: 400, message: 'The verification token is unknown, used, expired, or for an email the user no longer has.' },
  VERIFY_USER_ALREADY_VERIFIED: { status: 400, message: 'This user\'s email is already verified.' },
  RESET_PASSWORD_BAD_TOKEN: { status: 400, message: 'The reset token is unknown, used, expired, or older than the last password change.' },
  RESET_PASSWORD_INVALID_PASSWORD: { status: 400, message: 'The new password does not meet the password policy; `reason` says which rule.' },
  // Gatehouse's own codes.
  LOGIN_LOCKED: { status: 429, message: 'Too many failed logins for this account: try again after the seconds in Retry-After.' },
  RATE_LIMITED: { status: 429, message: 'Too many requests: try again after the seconds in Retry-After.' },
  REFRESH_TOKEN_INVALID: { status: 401, message: 'The refresh token is unknown, used, expired, or its session ended: log in again.' },
  CSRF_FAILED: { status: 403, message: 'A cookie-authenticated request came from an untrusted origin or without a valid X-CSRF-Token header (GET /auth/csrf).' },
  ROLE_CHANGE_NOT_ALLOWED: { status: 403, message: 'The acting user may not grant this role, or may not change this user.' },
  UPDATE_USER_CURRENT_PASSWORD_INVALID: { status: 400, message: 'Changing the email or password needs the user\'s current password (`current_password`): it was wrong, or missing (then `reason` says so).' },
  UPDATE_USER_REAUTHENTICATION_REQUIRED: { status: 403, message: 'The user has no password and logged in too long ago (REAUTH_MAX_AGE) to change the email: log in again, then retry.' },
  REAUTHENTICATION_REQUIRED: { status: 403, message: 'The session is valid, but this needs a more recent (or a multi-factor) authentication: re-authenticate, then retry. The WWW-Authenticate header carries RFC 9470\'s insufficient_user_authentication challenge.' },
  LOGIN_MFA_REQUIRED: { status: 400, message: 'The first factor was right, but this account has a second one: no session yet. `mfa_token` (with `methods` and `expires_in`) goes to POST /auth/jwt/mfa (or /auth/cookie/mfa for a cookie login) with a TOTP code, a recovery code or a passkey.' },
  MFA_CHALLENGE_INVALID: { status: 400, message: 'The mfa_token is unknown, used, expired, was issued for the other transport (bearer or cookie), or (cookie flows) this browser did not start the login: sign in again.' },
  MFA_CODE_INVALID: { status: 400, message: 'The TOTP code, recovery code or passkey assertion is wrong, already used, or not one of this account\'s factors.' },
  MFA_LOCKED: { status: 429, message: 'Too many wrong second-factor attempts for this account: try again after the seconds in Retry-After.' },
  MFA_ENROLLMENT_REQUIRED: { status: 403, message: 'Accounts of this role must have a second factor (MFA_REQUIRED_ROLES): enrol one (GET /users/me/factors, POST /users/me/totp or a passkey), then retry.' },
  MFA_NOT_ENABLED: { status: 400, message: 'This account has no second factor, so it has no recovery codes to regenerate.' },
  TOTP_ALREADY_ENABLED: { status: 400, message: 'An authenticator app is already active for this account: remove it first (DELETE /users/me/totp).' },
  TOTP_NOT_PENDING: { status: 400, message: 'No authenticator app enrolment is waiting to be confirmed: start one with POST /users/me/totp.' },
  REAUTHENTICATION_FAILED: { status: 400, message: 'The re-authentication proof is wrong, or is not the one this account must use (its strongest factor: a passkey, else a TOTP code or a recovery code, else the password); `reason` says which is expected.' },
  LAST_SUPERUSER: { status: 400, message: 'This would leave no active super admin.' },
  INVALID_ROLE_UPDATE: { status: 400, message: '`role` and `is_superuser` disagree.' },
  OAUTH_INVALID_STATE: { status: 400, message: 'The social login state is unknown, used, expired, for another provider, or was not started in this browser: start again.' },
  OAUTH_INVALID_REDIRECT_URI: { status: 400, message: 'redirect_uri is not one of OAUTH_REDIRECT_URIS (exact match), or the flow it needs is not configured.' },
  OAUTH_INVALID_CALLBACK: { status: 400, message: 'The provider\'s redirect parameters are incomplete or name another issuer (mix-up, RFC 9207).' },
  OAUTH_PROVIDER_DENIED: { status: 400, message: 'The provider refused the authorization (e.g. the user pressed Cancel: access_denied); `reason` has its error code.' },
  OAUTH_INVALID_CODE: { status: 400, message: 'The provider refused the authorization code: expired, already used, for another client, or the PKCE verifier does not match.' },
  OAUTH_INVALID_TOKEN: { status: 400, message: 'Token exchange: the provider token is invalid, expired, or was not issued to this client.' },
  OAUTH_EMAIL_NOT_VERIFIED: { status: 400, message: 'The provider does not say the account\'s email is verified, so it cannot be linked.' },
  OAUTH_ACCOUNT_ALREADY_LINKED: { status: 400, message: 'This provider account belongs to another user, or this user already has an account of this provider.' },
  OAUTH_LAST_LOGIN_METHOD: { status: 400, message: 'Unlinking would leave the user no way to log in: set a password, add a passkey or link another provider first.' },
  OAUTH_PROVIDER_ERROR: { status: 502, message: 'The provider failed: unreachable, an error status, or an answer that does not match its documented shape.' },
  PASSKEY_INVALID: { status: 400, message: 'The passkey was refused: unknown credential, wrong origin, RP ID or challenge, user verification missing, a bad signature, or a signature counter that went back (a cloned authenticator). One answer for all: nothing says which.' },
  PASSKEY_LAST_LOGIN_METHOD: { status: 400, message: 'Deleting this passkey would leave the user no way to sign in: set a password, add another passkey or link a provider first.' },
  PASSKEY_CHALLENGE_INVALID: { status: 400, message: 'The passkey attempt is unknown, already used, expired, or was started in another browser: ask for new options and try again.' },
  // Answers any route may give (global: true): they are listed once, in the OpenAPI description.
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is larger than the server accepts (BODY_LIMIT).', global: true },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'The request body has a content type this route does not accept.', global: true },
  BAD_REQUEST: { status: 400, message: 'The request is malformed (for example a bad header or URL).', global: true },
  SERVICE_UNAVAILABLE: { status: 503, message: 'The server cannot answer now (the database is unreachable, or password hashing is too far behind); retry after the seconds in Retry-After.', global: true },
  'Internal Server Error': { status: 500, message: 'An unexpected error; it is logged with the request id (x-request-id).', global: true },
} as const satisfies Record<string, { status: number; message: string; global?: true }>;

export type ErrorCode = keyof typeof ERRORS;

/** A failure the API reports to its caller. Services throw it; only the HTTP layer turns it into a response. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly reason: string | undefined;
  readonly headers: Record<string, string>;
  /** More fields of the detail object (with a reason only), e.g. LOGIN_MFA_REQUIRED's mfa_token: one body shape. */
  readonly extra: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, opts: { reason?: string; headers?: Record<string, string>; extra?: Record<string, unknown> } = {}) {
    super(opts.reason ? `${code}: ${opts.reason}` : code);
    this.name = 'AppError';
    this.code = code;
    this.reason = opts.reason;
    this.headers = opts.headers ?? {};
    this.extra = opts.extra;
  }

  get status(): number {
    return ERRORS[this.code].status;
  }

  /** fastapi-users' body: a bare code, or {code, reason} (plus `extra`'s fields) when there is a reason. */
  body(): { detail: string | { code: string; reason: string } } {
    return { detail: this.reason === undefined ? this.code : { ...this.extra, code: this.code, reason: this.reason } };
  }
}

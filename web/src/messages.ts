import { ApiError, type ApiErrorCode, type ErrorCode, type ValidationIssue } from '../../client/src/index.ts';
import { passkeyProblem } from './mfa/webauthn.ts';

/**
 * What the user reads for each error code. Typed against the server's registry (src/errors.ts): a new code there
 * fails `npm run typecheck` here until it has a message.
 */
type Messages = { [K in ErrorCode]: string } & { [K in Exclude<ApiErrorCode, ErrorCode>]: string } & { [code: string]: string | undefined };

export const MESSAGES: Messages = {
  Unauthorized: 'You are not signed in, or your session has ended. Please sign in again.',
  Forbidden: 'You are not allowed to do this.',
  'Not Found': 'Not found: it may have been deleted.',
  'Method Not Allowed': 'This server does not offer that action: is it the Gatehouse version this app was built for?',
  REGISTER_USER_ALREADY_EXISTS: 'An account with this email or username already exists.',
  REGISTER_INVALID_PASSWORD: 'This password is not accepted.',
  LOGIN_BAD_CREDENTIALS: 'Wrong email, username or password (or the account is deactivated).',
  LOGIN_USER_NOT_VERIFIED: 'Your email address is not verified yet. Open the verification link mailed to you (or get one), then sign in.',
  UPDATE_USER_EMAIL_ALREADY_EXISTS: 'Another account already uses this email or username.',
  UPDATE_USER_INVALID_PASSWORD: 'This password is not accepted.',
  UPDATE_USER_CURRENT_PASSWORD_INVALID: 'Your current password is needed to change your email or password, and the one entered is not right.',
  UPDATE_USER_REAUTHENTICATION_REQUIRED: 'For your security, sign out and sign in again, then make this change within a few minutes.',
  REAUTHENTICATION_REQUIRED: 'For your security, confirm it is you, then try again.',
  VERIFY_USER_BAD_TOKEN: 'This verification link is invalid or has expired. Ask for a new one.',
  VERIFY_USER_ALREADY_VERIFIED: 'This email address is already verified.',
  RESET_PASSWORD_BAD_TOKEN: 'This reset link is invalid, expired or already used. Ask for a new one.',
  RESET_PASSWORD_INVALID_PASSWORD: 'This password is not accepted.',
  LOGIN_LOCKED: 'Too many failed sign-in attempts for this account. Wait a little and try again.',
  RATE_LIMITED: 'Too many requests. Wait a little and try again.',
  REFRESH_TOKEN_INVALID: 'Your session has ended. Please sign in again.',
  CSRF_FAILED: 'The request was refused for security reasons. Reload the page and try again.',
  ROLE_CHANGE_NOT_ALLOWED: 'Your role does not allow this change.',
  LAST_SUPERUSER: 'This would leave no active super admin.',
  INVALID_ROLE_UPDATE: 'The role and the super admin flag disagree.',
  // Second factors, passkeys and step-up (#15).
  LOGIN_MFA_REQUIRED: 'Your account has a second factor: confirm the sign-in with it.',
  MFA_CHALLENGE_INVALID: 'This sign-in expired, was already completed, or was started in another browser. Sign in again.',
  MFA_CODE_INVALID: 'That code or passkey was not accepted (a code works once). Check it and try again.',
  MFA_LOCKED: 'Too many wrong codes for this account. Wait a little and try again.',
  MFA_ENROLLMENT_REQUIRED: 'Your role requires a second factor. Add a passkey or an authenticator app on the Security page first.',
  PASSKEY_INVALID: 'This passkey was not accepted. Use another one, or sign in another way.',
  PASSKEY_CHALLENGE_INVALID: 'The passkey sign-in took too long, was already used, or was started in another browser. Try again.',
  PASSKEY_LAST_LOGIN_METHOD: 'This passkey is your only way to sign in. Set a password, add another passkey or link a provider first.',
  MFA_NOT_ENABLED: 'Your account has no second factor yet, so it has no recovery codes.',
  TOTP_ALREADY_ENABLED: 'An authenticator app is already set up: turn it off first to set up another.',
  TOTP_NOT_PENDING: 'The authenticator app setup was not started or has been replaced. Start it again.',
  REAUTHENTICATION_FAILED: 'That did not confirm it is you. Use your strongest sign-in method (a passkey or your authenticator app, if you have one) and try again.',
  // Social login.
  OAUTH_NOT_AVAILABLE_EMAIL: 'The provider did not share a verified email address with us.',
  OAUTH_USER_ALREADY_EXISTS: 'An account with this email already exists. Sign in with your password, then link the provider from your profile.',
  OAUTH_INVALID_STATE: 'The sign-in took too long or was started in another browser. Start again.',
  OAUTH_INVALID_REDIRECT_URI: 'This server is not set up to return to this page after a social sign-in.',
  OAUTH_INVALID_CALLBACK: 'The provider\'s answer was incomplete. Start again.',
  OAUTH_PROVIDER_DENIED: 'The provider did not allow the sign-in.',
  OAUTH_INVALID_CODE: 'The provider refused the sign-in (the link may have been used already). Start again.',
  OAUTH_INVALID_TOKEN: 'The provider\'s token is invalid or expired.',
  OAUTH_EMAIL_NOT_VERIFIED: 'The provider does not confirm that this account\'s email is verified, so it cannot be linked.',
  OAUTH_ACCOUNT_ALREADY_LINKED: 'This provider account is already linked to a user, or you already linked an account of this provider.',
  OAUTH_LAST_LOGIN_METHOD: 'This is your only way to sign in. Set a password or link another provider first.',
  OAUTH_PROVIDER_ERROR: 'The provider is not answering properly. Try again later.',
  // Any route.
  PAYLOAD_TOO_LARGE: 'What you sent is too large.',
  UNSUPPORTED_MEDIA_TYPE: 'The server did not understand the request.',
  BAD_REQUEST: 'The server did not understand the request.',
  SERVICE_UNAVAILABLE: 'The service is temporarily unavailable. Try again in a moment.',
  'Internal Server Error': 'Something went wrong on the server. Try again later.',
  // The client's own.
  VALIDATION_ERROR: 'Some fields are not valid.',
  NETWORK_ERROR: 'Cannot reach the server. Check your connection and try again.',
  UNKNOWN_ERROR: 'Something went wrong. Try again later.',
};

const FIELD_NAMES: Record<string, string> = { email: 'Email', username: 'Username', password: 'Password', full_name: 'Full name', token: 'Link', q: 'Search' };

/** One validation issue, readable: "Email: value is not a valid email address". */
export function issueText(issue: ValidationIssue): string {
  const field = issue.loc.length > 1 ? String(issue.loc[issue.loc.length - 1]) : undefined;
  return field ? `${FIELD_NAMES[field] ?? field}: ${issue.msg}` : issue.msg;
}

/** A user-readable sentence for any failure, the server's `reason` included when there is one; a passkey request's too. */
export function errorMessage(err: unknown): string {
  if (!(err instanceof ApiError)) return passkeyProblem(err) ?? MESSAGES.UNKNOWN_ERROR;
  if (err.code === 'VALIDATION_ERROR' && err.issues.length > 0) return err.issues.map(issueText).join(' ');
  const base = MESSAGES[err.code] ?? (err.status >= 500 ? MESSAGES['Internal Server Error'] : MESSAGES.UNKNOWN_ERROR);
  return err.reason ? `${base} ${sentence(err.reason)}` : base;
}

/** Field name → message, from a 422 (loc: ["body", "email"]), to mark the fields themselves. */
export function fieldErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(err instanceof ApiError)) return out;
  for (const issue of err.issues) {
    const field = issue.loc[0] === 'body' && issue.loc.length > 1 ? String(issue.loc[1]) : undefined;
    if (field && !out[field]) out[field] = issue.msg;
  }
  return out;
}

/** A feature whose route the server does not have (yet): 404 or 405 on the route itself. */
export const isUnavailable = (err: unknown): boolean => err instanceof ApiError && (err.code === 'Not Found' || err.status === 405);

const sentence = (s: string) => {
  const t = s.trim();
  const capital = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(t) ? capital : `${capital}.`;
};

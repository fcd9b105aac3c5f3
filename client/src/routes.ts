/**
 * Every API route the client calls, in OpenAPI's path syntax. test/client-routes.test.ts checks this table against
 * the server's /openapi.json, so a new route without a client function (or a renamed one) fails the suite.
 */
export const ROUTES = {
  csrf: ['GET', '/auth/csrf'],
  register: ['POST', '/auth/register'],
  cookieLogin: ['POST', '/auth/cookie/login'],
  cookieRefresh: ['POST', '/auth/cookie/refresh'],
  cookieLogout: ['POST', '/auth/cookie/logout'],
  cookieSession: ['GET', '/auth/cookie/session'],
  jwtLogin: ['POST', '/auth/jwt/login'],
  jwtRefresh: ['POST', '/auth/jwt/refresh'],
  jwtLogout: ['POST', '/auth/jwt/logout'],
  me: ['GET', '/users/me'],
  updateMe: ['PATCH', '/users/me'],
  listUsers: ['GET', '/users'],
  getUser: ['GET', '/users/{id}'],
  updateUser: ['PATCH', '/users/{id}'],
  deleteUser: ['DELETE', '/users/{id}'],
  mySessions: ['GET', '/users/me/sessions'],
  revokeMySession: ['DELETE', '/users/me/sessions/{sid}'],
  revokeMyOtherSessions: ['DELETE', '/users/me/sessions'],
  userSessions: ['GET', '/users/{id}/sessions'],
  revokeUserSession: ['DELETE', '/users/{id}/sessions/{sid}'],
  revokeUserSessions: ['DELETE', '/users/{id}/sessions'],
  jwks: ['GET', '/.well-known/jwks.json'],
  serverMetadata: ['GET', '/.well-known/openid-configuration'],
  health: ['GET', '/healthz'],
  ready: ['GET', '/readyz'],
  requestVerifyToken: ['POST', '/auth/request-verify-token'],
  verify: ['POST', '/auth/verify'],
  forgotPassword: ['POST', '/auth/forgot-password'],
  resetPassword: ['POST', '/auth/reset-password'],
  oauthAuthorize: ['GET', '/auth/{provider}/authorize'],
  oauthCallback: ['POST', '/auth/{provider}/authorize'],
  oauthTokenExchange: ['POST', '/auth/{provider}/token'],
  associateAuthorize: ['GET', '/auth/associate/{provider}/authorize'],
  associateCallback: ['POST', '/auth/associate/{provider}/authorize'],
  linkedAccounts: ['GET', '/users/me/accounts'],
  unlinkAccount: ['DELETE', '/users/me/accounts/{provider}'],
  auditLog: ['GET', '/admin/audit'],
  // The login's second step (#15).
  jwtMfa: ['POST', '/auth/jwt/mfa'],
  cookieMfa: ['POST', '/auth/cookie/mfa'],
  mfaPasskeyOptions: ['POST', '/auth/mfa/passkey-options'],
  // Step-up.
  reauthenticate: ['POST', '/auth/reauthenticate'],
  reauthenticatePasskeyOptions: ['POST', '/auth/reauthenticate/passkey-options'],
  // Factors: TOTP and recovery codes.
  myFactors: ['GET', '/users/me/factors'],
  startTotp: ['POST', '/users/me/totp'],
  confirmTotp: ['POST', '/users/me/totp/confirm'],
  removeTotp: ['DELETE', '/users/me/totp'],
  regenerateRecoveryCodes: ['POST', '/users/me/recovery-codes'],
  // Passkeys.
  passkeyRegistrationOptions: ['POST', '/users/me/passkeys/options'],
  addPasskey: ['POST', '/users/me/passkeys'],
  myPasskeys: ['GET', '/users/me/passkeys'],
  renamePasskey: ['PATCH', '/users/me/passkeys/{id}'],
  deletePasskey: ['DELETE', '/users/me/passkeys/{id}'],
  passkeyLoginOptions: ['POST', '/auth/passkey/options'],
  jwtPasskeyLogin: ['POST', '/auth/jwt/passkey'],
  cookiePasskeyLogin: ['POST', '/auth/cookie/passkey'],
  // An admin's view of a user's factors (lost-device recovery).
  userFactors: ['GET', '/users/{id}/factors'],
  removeUserFactors: ['DELETE', '/users/{id}/factors'],
} as const satisfies Record<string, readonly ['GET' | 'POST' | 'PATCH' | 'DELETE', string]>;

export type RouteName = keyof typeof ROUTES;

/** Routes of the server the client deliberately does not wrap. */
export const NOT_WRAPPED = [
  'POST /token', // alias of /auth/jwt/login
  'GET /auth/{provider}/callback', // the provider redirects the browser there (server-callback flow), no script calls it
  'GET /auth/associate/{provider}/callback', // same, for linking
] as const;

/** "/users/{id}" + {id: "a b"} → "/users/a%20b" */
export function fillPath(path: string, params: Record<string, string> = {}): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`missing path parameter ${name} for ${path}`);
    return encodeURIComponent(value);
  });
}

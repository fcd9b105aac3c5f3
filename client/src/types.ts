// Every type the client speaks, derived from the server's own TypeBox schemas and error registry: a change to a
// schema changes these types, and `npm run typecheck` shows every place in the client and the SPA it breaks.
// `import type` only: nothing of the server is bundled into the browser.
import type { Static } from 'typebox';
import type * as S from '../../src/http/schemas.ts';
import type { CookieSession as CookieSessionSchema, CsrfToken as CsrfTokenSchema } from '../../src/http/routes/cookie-auth.ts';
import type { Jwks as JwksSchema, Metadata as MetadataSchema } from '../../src/http/routes/well-known.ts';
import type { Status as StatusSchema } from '../../src/http/routes/health.ts';
import type * as O from '../../src/http/oauth-schemas.ts';
import type * as A from '../../src/http/routes/audit.ts';
import type * as P from '../../src/http/passkey-schemas.ts';
import type { AuditType } from '../../src/model/audit.ts';

export type { ErrorCode } from '../../src/errors.ts';
export type { ValidationIssue } from '../../src/http/validation.ts';
export type { AuditType };

/** A user as the API returns it (UserRead). */
export type User = Static<typeof S.UserRead>;
export type Role = Static<typeof S.Role>;
/** POST /auth/register */
export type UserCreate = Static<typeof S.UserCreate>;
/** PATCH /users/me */
export type UserUpdate = Static<typeof S.UserUpdate>;
/** PATCH /users/{id} */
export type UserAdminUpdate = Static<typeof S.UserAdminUpdate>;
/** GET /users: limit and offset have server-side defaults, so every field is optional here. */
export type UserListQuery = Partial<Static<typeof S.UserListQuery>>;
export type UserPage = Static<typeof S.UserPage>;
/** A login session (device). */
export type Session = Static<typeof S.SessionRead>;
export type Revoked = Static<typeof S.Revoked>;
/** The bearer backend's token pair. */
export type BearerToken = Static<typeof S.BearerToken>;
/** The fields of the OAuth2 password form the client sends. */
export type Credentials = Pick<Static<typeof S.LoginForm>, 'username' | 'password'>;
export type CsrfToken = Static<typeof CsrfTokenSchema>;
export type CookieSession = Static<typeof CookieSessionSchema>;
export type Jwks = Static<typeof JwksSchema>;
export type ServerMetadata = Static<typeof MetadataSchema>;
export type HealthStatus = Static<typeof StatusSchema>;

/** GET /auth/{provider}/authorize, GET /auth/associate/{provider}/authorize */
export type AuthorizationUrl = Static<typeof O.AuthorizationUrl>;
/** What the provider put in the SPA's redirect URI, forwarded (seed 001): code, state and, from OpenID providers, iss. */
export type OAuthCallback = Static<typeof O.CallbackBody>;
/** POST /auth/{provider}/authorize, POST /auth/{provider}/token: Gatehouse's tokens and the user. */
export type SocialLogin = Static<typeof O.SocialLogin>;
/** POST /auth/{provider}/token: a provider access token or ID token. */
export type TokenExchange = Static<typeof O.TokenExchangeBody>;
/** A provider account linked to the user (GET /users/me/accounts). */
export type LinkedAccount = Static<typeof O.OAuthAccountRead>;

/** One security event of the audit log (GET /admin/audit). */
export type AuditEvent = Static<typeof A.AuditEventRead>;
/**
 * GET /admin/audit: limit and offset have server-side defaults, so every field is optional here. `type` is narrowed to
 * the model's event names: the route's schema builds its union with a cast that widens it to any literal value.
 */
export type AuditQuery = Omit<Partial<Static<typeof A.AuditQuery>>, 'type'> & { type?: AuditType };
export interface AuditPage { items: AuditEvent[]; total: number; limit: number; offset: number }

/** A passkey as GET /users/me/passkeys lists it. */
export type Passkey = Static<typeof P.PasskeyRead>;
/** WebAuthn creation options: pass to @simplewebauthn/browser's startRegistration({ optionsJSON }). */
export type PasskeyCreationOptions = Static<typeof P.CreationOptions>;
/** WebAuthn request options: pass to startAuthentication({ optionsJSON }). */
export type PasskeyRequestOptions = Static<typeof P.RequestOptions>;
/** What startRegistration() answered (RegistrationResponseJSON). */
export type PasskeyRegistration = Static<typeof P.RegistrationResponse>;
/** What startAuthentication() answered (AuthenticationResponseJSON). */
export type PasskeyAssertion = Static<typeof P.AuthenticationResponse>;
/** POST /auth/passkey/options: the attempt to send back, and the options. */
export type PasskeyLoginOptions = Static<typeof P.PasskeyLoginOptions>;

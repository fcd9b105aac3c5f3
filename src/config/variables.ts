import { ROLES } from '../model/roles.ts';
import { bool, listOf, databaseUrl, duration, httpUrl, int, oneOf, origins, rate, redisUrl, smtpUrl, str, urlList, type Parser } from './parsers.ts';

interface Variable<T> {
  parse: Parser<T>;
  /** Raw default, parsed like a value from the environment; undefined = not set (see `doc`). */
  default: string | undefined;
  doc: string;
}
const v = <T>(parse: Parser<T>, def: string | undefined, doc: string): Variable<T> => ({ parse, default: def, doc });

/**
 * Every setting Gatehouse reads, in one table. README's "Configuration" section lists the same names
 * (test/config.test.ts checks it). Read once at start by loadConfig().
 */
export const VARIABLES = {
  NODE_ENV: v(oneOf(['development', 'production', 'test']), 'development',
    'production: no generated secret; refuses to start without a strong APP_SECRET.'),
  HOST: v(str, '127.0.0.1', 'Interface to listen on.'),
  PORT: v(int(0, 65535), '8000', 'TCP port to listen on.'),
  PUBLIC_URL: v(httpUrl, undefined, 'The URL users reach the API at; default http://HOST:PORT. Used as the token issuer.'),
  DATABASE_URL: v(databaseUrl, 'sqlite:///./gatehouse.db',
    'postgres://user:pass@host:5432/db, sqlite:///relative.db, sqlite:////absolute.db, or a file path ending in .db, .sqlite or .sqlite3; any other scheme is refused at start.'),
  DB_POOL_SIZE: v(int(1, 200), '10', 'PostgreSQL connections per process.'),
  APP_SECRET: v(str, undefined,
    'Signs tokens (HS*). At least 32 characters. Unset in development: generated once and kept in SECRET_FILE.'),
  SECRET_FILE: v(str, './.gatehouse-secret', 'Where the generated development secret is kept (mode 0600).'),
  JWT_ALGORITHM: v(oneOf(['HS256', 'HS384', 'HS512', 'EdDSA', 'ES256', 'RS256']), 'HS256',
    'HS* sign with APP_SECRET; EdDSA/ES256/RS256 with keys kept in the database (JWKS at /.well-known/jwks.json). Tokens with any other alg are refused.'),
  JWT_AUDIENCE: v(str, 'gatehouse:auth', 'aud of access tokens; fastapi-users:auth makes them readable by a fastapi-users service.'),
  JWT_ISSUER: v(str, undefined, 'iss of access tokens; default PUBLIC_URL.'),
  ACCESS_TOKEN_TTL: v(duration(30, 86400), '15m', 'Lifetime of an access token (900, 15m, 2h…).'),
  SESSION_TTL: v(duration(60, 400 * 86400), '30d', 'Absolute lifetime of a login session (its refresh tokens die with it).'),
  SESSION_IDLE_TTL: v(duration(60, 400 * 86400), '7d', 'A session whose refresh token is not used for this long ends.'),
  REFRESH_REUSE_GRACE: v(duration(0, 60), '10', 'Seconds during which the refresh token just replaced may be presented again and gets the same successor (tabs refreshing at once, a retry after a lost answer), as long as that successor is unused; later, or once the successor was used, it ends the session like any reuse. 0 = any reuse ends the session.'),
  SESSION_CACHE_MS: v(int(0, 60_000), '500', 'Milliseconds an instance may answer from its cache that a session is live. Logout, revocation and user changes clear it at once on the instance that made them, and on PostgreSQL on every instance (LISTEN/NOTIFY); this is the bound when such news cannot arrive (SQLite with several processes, a lost connection). 0 = read the database on every request.'),
  REQUIRE_VERIFIED_LOGIN: v(bool, 'false', 'Refuse login (LOGIN_USER_NOT_VERIFIED) until the email is verified.'),
  REQUIRE_CURRENT_PASSWORD: v(bool, 'true', 'PATCH /users/me changes the email or password only with the user\'s current_password (or, for a user without a password, within REAUTH_MAX_AGE of logging in). false = fastapi-users\' behaviour: the access token alone suffices.'),
  REAUTH_MAX_AGE: v(duration(30, 86400), '5m', 'Step-up: sensitive actions (changing the email or password of an account with a second factor, adding or removing a factor, regenerating recovery codes, every admin write) need a proof of the user at most this old (a login, or POST /auth/reauthenticate); else 403 REAUTHENTICATION_REQUIRED. A user without a password (social login only) may change the email within this long of proving themselves.'),
  MFA_CHALLENGE_TTL: v(duration(30, 1800), '5m', 'How long the second step of a login may take: the mfa_token of LOGIN_MFA_REQUIRED (single use) works this long.'),
  MFA_REQUIRED_ROLES: v(listOf(ROLES), 'admin,super_admin', 'Comma-separated roles that must have a second factor: such a user without one gets 403 MFA_ENROLLMENT_REQUIRED everywhere but GET /users/me, GET /users/me/factors, the enrolment routes, re-authentication and logout. Empty: nobody must.'),
  PASSWORD_MIN_LENGTH: v(int(1, 1024), '8', 'Shortest accepted password, in characters.'),
  PASSWORD_MAX_LENGTH: v(int(8, 4096), '1024', 'Longest accepted password, in characters.'),
  REDIS_URL: v(redisUrl, undefined, 'Share rate-limit counters between instances through Redis (redis://host:6379/0). Unset: counters are per process.'),
  REDIS_KEY_PREFIX: v(str, 'gatehouse:', 'Prefix of every Redis key Gatehouse writes.'),
  RATE_LIMITS: v(bool, 'true', 'Rate limits on the routes below (429 + Retry-After). Off only for benchmarks and tests.'),
  RATE_LIMIT_LOGIN_IP: v(rate, '30/1m', 'Logins (bearer, cookie, /token) per client IP.'),
  RATE_LIMIT_LOGIN_ACCOUNT: v(rate, '10/1m', 'Logins per typed email or username, whoever sends them.'),
  RATE_LIMIT_REGISTER_IP: v(rate, '20/1h', 'Registrations per client IP.'),
  RATE_LIMIT_MAIL_IP: v(rate, '10/1h', 'forgot-password and request-verify-token per client IP.'),
  RATE_LIMIT_MAIL_ACCOUNT: v(rate, '3/1h', 'forgot-password and request-verify-token per email address.'),
  RATE_LIMIT_REAUTH_ACCOUNT: v(rate, '5/15m', 'current_password checks (PATCH /users/me changing the email or password) per user.'),
  RATE_LIMIT_TOKEN_IP: v(rate, '20/1h', 'verify and reset-password attempts per client IP.'),
  RATE_LIMIT_OAUTH_IP: v(rate, '60/1m', 'Social-login routes per client IP.'),
  PASSWORD_REJECT_COMMON: v(bool, 'true', 'Refuse the ~49,000 most common breached passwords (offline list, NIST SP 800-63B).'),
  LOGIN_LOCK_AFTER: v(int(1, 100), '5', 'Consecutive failed logins for one account before it is locked for a while.'),
  LOGIN_LOCK_BASE: v(duration(1, 3600), '30s', 'The first lock; each further failure doubles it.'),
  LOGIN_LOCK_MAX: v(duration(1, 86400), '15m', 'The longest lock: an attacker can never lock the owner out for longer.'),
  ARGON2_MEMORY_KIB: v(int(64, 4 * 1024 * 1024), '19456', 'argon2id memory cost (OWASP: 19456 KiB).'),
  ARGON2_ITERATIONS: v(int(1, 100), '2', 'argon2id time cost (OWASP: 2).'),
  ARGON2_PARALLELISM: v(int(1, 16), '1', 'argon2id lanes (OWASP: 1).'),
  HASH_WORKERS: v(int(1, 64), undefined, 'Password-hashing threads; default the number of CPU cores.'),
  HASH_QUEUE_MAX: v(int(1, 1_000_000), undefined, 'Password-hashing jobs that may wait for a thread; default 64 per HASH_WORKERS thread. Beyond it a login, registration or password change answers 503 + Retry-After at once.'),
  HASH_QUEUE_TIMEOUT_MS: v(int(10, 60_000), '5000', 'Milliseconds a password-hashing job may wait for a thread before it is refused (503 + Retry-After) and its password dropped.'),
  COOKIE_SECURE: v(oneOf(['auto', 'true', 'false']), 'auto',
    'Secure cookies; auto = on unless PUBLIC_URL is plain http on localhost/127.0.0.1/[::1] (false is allowed only there).'),
  COOKIE_SAMESITE: v(oneOf(['lax', 'strict', 'none']), 'lax', 'SameSite of the session cookies (none requires Secure).'),
  APP_NAME: v(str, 'Gatehouse', 'The name mails and pages use.'),
  SMTP_URL: v(smtpUrl, undefined, 'smtp://user:pass@host:587 (STARTTLS when offered) or smtps://user:pass@host:465. Unset: mails go to MAIL_FOLDER.'),
  MAIL_FROM: v(str, undefined, 'From address of mails; default "APP_NAME <no-reply@PUBLIC_URL\'s host>".'),
  MAIL_FOLDER: v(str, './mail-outbox', 'Without SMTP_URL, each mail is written here as an .eml file (its link is in the file).'),
  MAIL_LOG_LINKS: v(bool, 'false', 'Log the link of every verification and reset mail (it is a credential: only for local development, never on a server with users).'),
  VERIFY_URL: v(httpUrl, undefined, 'The SPA page verification links open (?token=… is appended); default PUBLIC_URL/verify.'),
  RESET_PASSWORD_URL: v(httpUrl, undefined, 'The SPA page reset links open (?token=… is appended); default PUBLIC_URL/reset-password.'),
  VERIFY_TOKEN_TTL: v(duration(60, 30 * 86400), '24h', 'How long an email-verification link works.'),
  RESET_TOKEN_TTL: v(duration(60, 86400), '1h', 'How long a password-reset link works.'),
  SEND_VERIFY_ON_REGISTER: v(bool, 'false', 'Mail a verification link to every new user.'),
  CORS_ORIGINS: v(origins, '', 'Comma-separated origins allowed to call the API from a browser, with credentials; they are also trusted by the CSRF check.'),
  TRUST_PROXY: v(bool, 'false', 'Take the client IP from X-Forwarded-For (only behind a proxy you control).'),
  BODY_LIMIT: v(int(1024, 10 * 1024 * 1024), '65536', 'Largest request body in bytes.'),
  REQUEST_TIMEOUT: v(duration(1, 3600), '30s', 'A request (headers and body) must arrive within this time, else 408 and the connection is closed (slow clients, slow-loris).'),
  METRICS: v(bool, 'false', 'Serve Prometheus metrics at /metrics.'),
  METRICS_TOKEN: v(str, undefined, 'If set, /metrics requires "Authorization: Bearer <METRICS_TOKEN>" (at least 16 characters).'),
  LOG_LEVEL: v(oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), 'info', 'pino log level.'),
  WEBAUTHN_RP_ID: v(str, undefined, 'Passkeys: the WebAuthn relying party ID, a domain (example.com) that every page of WEBAUTHN_ORIGINS is on or under; default PUBLIC_URL\'s host. Passkeys are bound to it: changing it later makes every registered passkey unusable.'),
  WEBAUTHN_RP_NAME: v(str, 'Gatehouse', 'Passkeys: the name the browser and authenticator show for this service.'),
  WEBAUTHN_ORIGINS: v(origins, undefined, 'Passkeys: comma-separated origins whose pages may register and use passkeys (e.g. the SPA on another origin); default PUBLIC_URL\'s origin. https, except on localhost.'),
  OAUTH_REDIRECT_URIS: v(urlList, '', 'Comma-separated SPA URLs a social login may return to (redirect_uri of GET /auth/{provider}/authorize), compared exactly; no query or fragment.'),
  OAUTH_SPA_URL: v(httpUrl, undefined, 'Where GET /auth/{provider}/callback sends the browser after a social login (?error=CODE when it failed); unset = that server-callback flow is off.'),
  OAUTH_STATE_TTL: v(duration(60, 600), '10m', 'How long a social login may take from authorize to callback (state lifetime, at most 10 minutes).'),
  GITHUB_CLIENT_ID: v(str, undefined, 'Client ID of a GitHub OAuth app; with GITHUB_CLIENT_SECRET it turns on /auth/github/*.'),
  GITHUB_CLIENT_SECRET: v(str, undefined, 'Client secret of the GitHub OAuth app.'),
  GITHUB_OAUTH_URL: v(httpUrl, 'https://github.com', 'GitHub\'s OAuth server (/login/oauth/authorize, /login/oauth/access_token); http only on loopback (tests).'),
  GITHUB_API_URL: v(httpUrl, 'https://api.github.com', 'GitHub\'s REST API (/user, /user/emails); http only on loopback (tests).'),
  GITHUB_TOKEN_EXCHANGE: v(bool, 'false', 'Accept POST /auth/github/token with a GitHub access token issued to this app (off: see README, Social login).'),
  GOOGLE_CLIENT_ID: v(str, undefined, 'Client ID of a Google OAuth client; with GOOGLE_CLIENT_SECRET it turns on /auth/google/*.'),
  GOOGLE_CLIENT_SECRET: v(str, undefined, 'Client secret of the Google OAuth client.'),
  GOOGLE_ISSUER: v(httpUrl, 'https://accounts.google.com', 'Google\'s OpenID Connect issuer (discovery); http only on loopback (tests).'),
  GOOGLE_TOKEN_EXCHANGE: v(bool, 'false', 'Accept POST /auth/google/token with a Google ID token for this client (off: see README, Social login).'),
} satisfies Record<string, Variable<unknown>>;

export type VariableName = keyof typeof VARIABLES;
/** Each variable parsed; undefined only where the variable has no default and was not set. */
export type RawSettings = { [K in VariableName]: ReturnType<(typeof VARIABLES)[K]['parse']> | undefined };

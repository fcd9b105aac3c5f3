import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { VARIABLES, type RawSettings, type VariableName } from './variables.ts';
import type { Role } from '../model/roles.ts';
import type { JwtAlgorithm } from '../auth/keys/key-ring.ts';
import type { Rate, RuleName } from '../limits/rate-limiter.ts';
import { oauthSettings, type OAuthConfig } from './oauth-config.ts';
import { webauthnSettings, type WebAuthnConfig } from './webauthn-config.ts';

export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  publicUrl: string;
  databaseUrl: string;
  dbPoolSize: number;
  secret: string;
  jwt: { algorithm: JwtAlgorithm; audience: string; issuer: string; accessTtl: number };
  session: { ttl: number; idleTtl: number; reuseGrace: number; cacheMs: number };
  requireVerifiedLogin: boolean;
  /** PATCH /users/me: a recent proof of the user for email and password changes (REQUIRE_CURRENT_PASSWORD, REAUTH_MAX_AGE). */
  reauth: { required: boolean; maxAgeSeconds: number };
  /** The second factor: how long a login's second step may take, and which roles must have one. */
  mfa: { challengeTtl: number; requiredRoles: Role[]; issuer: string };
  password: { minLength: number; maxLength: number; rejectCommon: boolean };
  loginLock: { freeAttempts: number; baseLockSeconds: number; maxLockSeconds: number };
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
  hashWorkers: number;
  /** maxQueued undefined: HashPool's default, per thread. */
  hashQueue: { maxQueued: number | undefined; timeoutMs: number };
  corsOrigins: string[];
  /** Origins whose pages may make cookie-authenticated, state-changing requests: PUBLIC_URL's and CORS_ORIGINS. */
  trustedOrigins: string[];
  cookie: { secure: boolean; sameSite: 'lax' | 'strict' | 'none' };
  trustProxy: boolean;
  bodyLimit: number;
  /** Seconds a client has to send a whole request (REQUEST_TIMEOUT). */
  requestTimeout: number;
  logLevel: string;
  /** Social login: providers, redirect allow-list, SPA URL (see oauth-config.ts for OIDC_<NAME>_*). */
  oauth: OAuthConfig;
  /** Passkeys: RP ID, RP name, allowed origins (WEBAUTHN_*). */
  webauthn: WebAuthnConfig;
  metrics: { enabled: boolean; token: string | undefined };
  limits: { enabled: boolean; redisUrl: string | undefined; redisPrefix: string; rates: Record<RuleName, Rate> };
  mail: {
    appName: string;
    smtpUrl: string | undefined;
    from: string;
    folder: string;
    links: { verify: string; reset: string };
    ttl: { verify: number; reset: number };
    sendVerifyOnRegister: boolean;
    /** Log verify/reset links (MAIL_LOG_LINKS): they are credentials, so never by default. */
    logLinks: boolean;
  };
}

/** A setting that stops the server at boot; the message names the variable and says why. */
export class ConfigError extends Error {
  readonly variable: string;

  constructor(variable: string, why: string) {
    super(`${variable}: ${why}`);
    this.variable = variable;
    this.name = 'ConfigError';
  }
}

export interface LoadOptions {
  /** Folder of the .env file and of relative paths; default the current directory. */
  cwd?: string;
  /** Read `<cwd>/.env` (values already in the environment win). Default true. */
  dotenv?: boolean;
  warn?: (message: string) => void;
}

const MIN_SECRET_LENGTH = 32;
const WEAK_SECRETS = /^(secret|changeme|change-me|password|test|dev)/i;

/** Reads and validates every setting once. Throws ConfigError on the first bad value. */
export function loadConfig(environment: NodeJS.ProcessEnv = process.env, opts: LoadOptions = {}): Config {
  const cwd = opts.cwd ?? process.cwd();
  const warn = opts.warn ?? ((m: string) => process.stderr.write(`gatehouse: warning: ${m}\n`));
  const env = { ...readDotenv(cwd, opts.dotenv ?? true), ...environment };
  const s = parseAll(env);

  const host = s.HOST!;
  const port = s.PORT!;
  // Every instance must agree on the issuer of access tokens (JWT_ISSUER, default PUBLIC_URL); a default built from
  // each process's own HOST:PORT would make instances refuse each other's tokens, so production names it.
  if (s.NODE_ENV === 'production' && s.PUBLIC_URL === undefined) {
    throw new ConfigError('PUBLIC_URL', 'is required when NODE_ENV=production: it is the URL users reach Gatehouse at, the token issuer every instance must share, and the base of mailed links (e.g. https://auth.example.com)');
  }
  const publicUrl = s.PUBLIC_URL ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const password = { minLength: s.PASSWORD_MIN_LENGTH!, maxLength: s.PASSWORD_MAX_LENGTH!, rejectCommon: s.PASSWORD_REJECT_COMMON! };
  if (password.minLength > password.maxLength) {
    throw new ConfigError('PASSWORD_MIN_LENGTH', `must not exceed PASSWORD_MAX_LENGTH (${password.maxLength})`);
  }
  if (s.NODE_ENV === 'production' && s.CORS_ORIGINS!.some((o) => o.startsWith('http:') && !isLoopbackOrigin(o))) {
    warn('CORS_ORIGINS lists a plain-http origin in production');
  }
  return {
    env: s.NODE_ENV!,
    host,
    port,
    publicUrl,
    databaseUrl: s.DATABASE_URL!,
    dbPoolSize: s.DB_POOL_SIZE!,
    secret: resolveSecret(s, cwd, warn),
    jwt: { algorithm: s.JWT_ALGORITHM!, audience: s.JWT_AUDIENCE!, issuer: s.JWT_ISSUER ?? publicUrl, accessTtl: s.ACCESS_TOKEN_TTL! },
    session: { ttl: s.SESSION_TTL!, idleTtl: s.SESSION_IDLE_TTL!, reuseGrace: s.REFRESH_REUSE_GRACE!, cacheMs: s.SESSION_CACHE_MS! },
    requireVerifiedLogin: s.REQUIRE_VERIFIED_LOGIN!,
    reauth: { required: s.REQUIRE_CURRENT_PASSWORD!, maxAgeSeconds: s.REAUTH_MAX_AGE! },
    mfa: { challengeTtl: s.MFA_CHALLENGE_TTL!, requiredRoles: s.MFA_REQUIRED_ROLES!, issuer: s.APP_NAME! },
    password,
    loginLock: { freeAttempts: s.LOGIN_LOCK_AFTER!, baseLockSeconds: s.LOGIN_LOCK_BASE!, maxLockSeconds: s.LOGIN_LOCK_MAX! },
    argon2: { memoryCost: s.ARGON2_MEMORY_KIB!, timeCost: s.ARGON2_ITERATIONS!, parallelism: s.ARGON2_PARALLELISM! },
    hashWorkers: s.HASH_WORKERS ?? availableParallelism(),
    hashQueue: { maxQueued: s.HASH_QUEUE_MAX, timeoutMs: s.HASH_QUEUE_TIMEOUT_MS! },
    corsOrigins: s.CORS_ORIGINS!,
    trustedOrigins: [...new Set([new URL(publicUrl).origin, ...s.CORS_ORIGINS!])],
    cookie: cookieSettings(s, publicUrl),
    trustProxy: s.TRUST_PROXY!,
    bodyLimit: s.BODY_LIMIT!,
    requestTimeout: s.REQUEST_TIMEOUT!,
    logLevel: s.LOG_LEVEL!,
    oauth: oauthSettings(env, s, (variable, why) => new ConfigError(variable, why)),
    webauthn: webauthnSettings(s, publicUrl, (variable, why) => new ConfigError(variable, why)),
    metrics: { enabled: s.METRICS!, token: metricsToken(s.METRICS_TOKEN) },
    limits: {
      enabled: s.RATE_LIMITS!, redisUrl: s.REDIS_URL, redisPrefix: s.REDIS_KEY_PREFIX!,
      rates: {
        login_ip: s.RATE_LIMIT_LOGIN_IP!, login_account: s.RATE_LIMIT_LOGIN_ACCOUNT!, register_ip: s.RATE_LIMIT_REGISTER_IP!,
        mail_ip: s.RATE_LIMIT_MAIL_IP!, mail_account: s.RATE_LIMIT_MAIL_ACCOUNT!, reauth_account: s.RATE_LIMIT_REAUTH_ACCOUNT!, token_ip: s.RATE_LIMIT_TOKEN_IP!, oauth_ip: s.RATE_LIMIT_OAUTH_IP!,
      },
    },
    mail: {
      appName: s.APP_NAME!,
      smtpUrl: s.SMTP_URL,
      from: s.MAIL_FROM ?? `${s.APP_NAME} <no-reply@${new URL(publicUrl).hostname}>`,
      folder: resolve(cwd, s.MAIL_FOLDER!),
      links: { verify: s.VERIFY_URL ?? `${publicUrl}/verify`, reset: s.RESET_PASSWORD_URL ?? `${publicUrl}/reset-password` },
      ttl: { verify: s.VERIFY_TOKEN_TTL!, reset: s.RESET_TOKEN_TTL! },
      sendVerifyOnRegister: s.SEND_VERIFY_ON_REGISTER!,
      logLinks: s.MAIL_LOG_LINKS!,
    },
  };
}

function parseAll(env: NodeJS.ProcessEnv): RawSettings {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(VARIABLES) as [VariableName, (typeof VARIABLES)[VariableName]][]) {
    const raw = env[name] ?? spec.default;
    if (raw === undefined) continue;
    try {
      out[name] = spec.parse(raw);
    } catch (err) {
      throw new ConfigError(name, `${(err as Error).message} (got ${JSON.stringify(raw)})`);
    }
  }
  return out as RawSettings;
}

function readDotenv(cwd: string, enabled: boolean): Record<string, string> {
  const file = resolve(cwd, '.env');
  if (!enabled || !existsSync(file)) return {};
  return parseEnv(readFileSync(file, 'utf8')) as Record<string, string>;
}

function resolveSecret(s: RawSettings, cwd: string, warn: (m: string) => void): string {
  const given = s.APP_SECRET;
  if (given !== undefined) {
    if (given.length < MIN_SECRET_LENGTH) {
      throw new ConfigError('APP_SECRET', `must be at least ${MIN_SECRET_LENGTH} characters (try: openssl rand -hex 32)`);
    }
    if (s.NODE_ENV === 'production' && (WEAK_SECRETS.test(given) || new Set(given).size < 10)) {
      throw new ConfigError('APP_SECRET', 'is too guessable for production (try: openssl rand -hex 32)');
    }
    return given;
  }
  if (s.NODE_ENV === 'production') {
    throw new ConfigError('APP_SECRET', 'is required when NODE_ENV=production (try: openssl rand -hex 32)');
  }
  const file = resolve(cwd, s.SECRET_FILE!);
  if (!existsSync(file)) {
    // Written whole to a private temp file, then linked into place: of several processes starting at once,
    // one link wins and every process reads the same complete secret.
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(tmp, 0o600);
    try {
      linkSync(tmp, file);
      warn(`APP_SECRET is not set: generated one and kept it in ${file} (mode 0600). Set APP_SECRET in production.`);
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(tmp);
    }
  }
  const kept = readFileSync(file, 'utf8').trim();
  if (kept.length < MIN_SECRET_LENGTH) throw new ConfigError('SECRET_FILE', `${file} holds a secret shorter than ${MIN_SECRET_LENGTH} characters`);
  return kept;
}

function metricsToken(token: string | undefined): string | undefined {
  if (token !== undefined && token.length < 16) throw new ConfigError('METRICS_TOKEN', 'must be at least 16 characters');
  return token;
}

function cookieSettings(s: RawSettings, publicUrl: string): Config['cookie'] {
  const plainLocal = publicUrl.startsWith('http:') && isLoopbackOrigin(publicUrl);
  const secure = s.COOKIE_SECURE === 'auto' ? !plainLocal : s.COOKIE_SECURE === 'true';
  if (!secure && !plainLocal) {
    throw new ConfigError('COOKIE_SECURE', `may be false only when PUBLIC_URL is http on localhost, 127.0.0.1 or [::1] (PUBLIC_URL is ${publicUrl})`);
  }
  if (s.COOKIE_SAMESITE === 'none' && !secure) throw new ConfigError('COOKIE_SAMESITE', 'none requires Secure cookies (browsers drop them otherwise)');
  return { secure, sameSite: s.COOKIE_SAMESITE! };
}

function isLoopbackOrigin(origin: string): boolean {
  const host = new URL(origin).hostname;
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
}

import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import type { Config } from './config/config.ts';
import { openDatabase, ping, type Db } from './store/database.ts';
import { migrateToLatest, pendingMigrations } from './store/migrate.ts';
import { UserStore } from './store/user-store.ts';
import { SessionStore } from './store/session-store.ts';
import { RefreshTokenStore } from './store/refresh-token-store.ts';
import { HashPool } from './crypto/hash-pool.ts';
import { PasswordHasher } from './crypto/password-hasher.ts';
import { AccessTokens } from './auth/access-token.ts';
import { JwtStrategy } from './auth/jwt-strategy.ts';
import { SessionCache } from './auth/session-cache.ts';
import { FastapiUsersTokens } from './auth/fastapi-users-token.ts';
import { LocalChangeFeed, PgChangeFeed, type ChangeFeed } from './store/change-feed.ts';
import { UserManager } from './manager/user-manager.ts';
import { SessionManager } from './manager/session-manager.ts';
import { AuditLog } from './manager/audit-log.ts';
import { AccountFlows } from './manager/account-flows.ts';
import { AccountTokens } from './manager/account-tokens.ts';
import { MailQueue } from './manager/mail-queue.ts';
import { RateLimiter } from './limits/rate-limiter.ts';
import { MemoryCounters, type CounterStore } from './limits/stores.ts';
import { AccountTokenStore } from './store/account-token-store.ts';
import { MailOutboxStore } from './store/mail-outbox-store.ts';
import { FolderMailer, SmtpMailer } from './mail/mailer.ts';
import { defaultTemplates, type MailTemplates } from './mail/templates.ts';
import { LoginThrottle } from './manager/login-throttle.ts';
import { PasswordPolicy } from './manager/password-policy.ts';
import { RecentProof } from './manager/recent-proof.ts';
import { AuditStore } from './store/audit-store.ts';
import { LoginFailureStore } from './store/login-failure-store.ts';
import { KeyedDigest } from './crypto/keyed-digest.ts';
import { RefreshTokens } from './auth/refresh-token.ts';
import { SecretKeyRing, StoredKeyRing, isAsymmetric, type KeyRing } from './auth/keys/key-ring.ts';
import { KeyEncryption } from './auth/keys/key-encryption.ts';
import { SigningKeyStore } from './store/signing-key-store.ts';
import { Guards } from './http/guards.ts';
import { CookieTransport } from './http/transports/cookie.ts';
import { CsrfGuard } from './http/csrf.ts';
import { CsrfTokens } from './auth/csrf-token.ts';
import { buildApp, type AppOptions } from './http/app.ts';
import { AppError } from './errors.ts';
import type { RouteContext } from './http/context.ts';
import { createOAuthManager } from './oauth/create.ts';
import type { OAuthManager } from './oauth/oauth-manager.ts';
import type { HttpFetch } from './oauth/http-client.ts';
import { mfaBinding, oauthBinding } from './http/browser-binding.ts';
import { DeviceCookie } from './http/device-cookie.ts';
import { TrustedDevices } from './manager/trusted-devices.ts';
import { PasskeyService } from './passkeys/passkey-service.ts';
import type { FactorChange } from './model/factors.ts';
import { PasskeyChallenges } from './passkeys/challenges.ts';
import { PasskeyStore } from './store/passkey-store.ts';
import { PasskeyChallengeStore } from './store/passkey-challenge-store.ts';
import { Sealer } from './crypto/sealer.ts';
import { TotpStore } from './store/totp-store.ts';
import { RecoveryCodeStore } from './store/recovery-code-store.ts';
import { MfaChallengeStore } from './store/mfa-challenge-store.ts';
import { Totp } from './mfa/totp.ts';
import { RecoveryCodes } from './mfa/recovery-codes.ts';
import { SecondStepLockout } from './mfa/second-step-lockout.ts';
import { MfaPolicy } from './mfa/policy.ts';
import { Factors } from './mfa/factors.ts';
import { LoginChallenges } from './mfa/login-challenges.ts';
import { SecondStep } from './mfa/second-step.ts';
import { StepUp } from './mfa/step-up.ts';

export interface Gatehouse {
  app: FastifyInstance;
  db: Db;
  users: UserManager;
  sessions: SessionManager;
  mail: MailQueue;
  keys: KeyRing;
  /** Social login; `providerAccessToken(userId, provider)` calls a provider's API as the user. */
  oauth: OAuthManager;
  /** Passkeys: registration, passwordless sign-in, and the second-factor verifier. */
  passkeys: PasskeyService;
  /** The second factor: factors (TOTP, recovery codes, `usePasskeys`, `factorsChanged`), the login's second step, step-up. */
  mfa: RouteContext['mfa'];
  logger: Logger;
  close(): Promise<void>;
}

export interface GatehouseOptions {
  logger?: Logger;
  /** Apply migrations at start (default true; `gatehouse serve --no-migrate` turns it off). */
  migrate?: boolean;
  plugins?: AppOptions['plugins'];
  /** The built web app to serve at / (default web/dist; tests serve a build made with other VITE_ settings). */
  webRoot?: AppOptions['webRoot'];
  /** The HTTP client for OAuth providers (default: global fetch); tests put failures or recorders here. */
  oauthFetch?: HttpFetch;
  /** Your own wording for the verification and reset mails. */
  mailTemplates?: Partial<MailTemplates>;
  /** Run the mail worker in this process (default true). */
  mailWorker?: boolean;
  /** The clock the fastapi-users token window is judged by (default Date.now; tests move it past the deadline). */
  now?: () => number;
}

/** How often sessions that ended more than a day ago are deleted. */
const PURGE_EVERY_MS = 3_600_000;

/** Redacted everywhere: no password or token ever reaches a log line. */
const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'password', '*.password', 'access_token', '*.access_token', 'refresh_token', '*.refresh_token', 'token', '*.token'];

export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({ level: config.logLevel, redact: { paths: REDACT, censor: '[redacted]' } });
}

/** HMAC with APP_SECRET, or asymmetric keys kept (encrypted) in the database and shared by every instance. */
export function createKeyRing(config: Config, db: Db): KeyRing {
  const alg = config.jwt.algorithm;
  return isAsymmetric(alg)
    ? new StoredKeyRing(alg, new SigningKeyStore(db.kysely), new KeyEncryption(config.secret), config.jwt.accessTtl)
    : new SecretKeyRing(alg, config.secret);
}

/**
 * Where the stores announce ended sessions and changed users. On PostgreSQL with the session cache on, every
 * instance hears every other (LISTEN/NOTIFY); otherwise only this process.
 */
async function openChangeFeed(db: Db, config: Config, logger: Logger): Promise<ChangeFeed> {
  if (!db.pg || config.session.cacheMs === 0) return new LocalChangeFeed();
  const feed = new PgChangeFeed(db.pg.pool, db.pg.url);
  feed.onError = (err) => logger.warn({ err: { message: err.message } }, 'session change feed: connection problem (cached sessions dropped; retrying)');
  await feed.start();
  return feed;
}

/** Rate-limit counters: in this process, or in Redis when REDIS_URL is set (only then is the Redis client loaded). */
async function openCounters(config: Config): Promise<CounterStore> {
  if (!config.limits.redisUrl) return new MemoryCounters();
  const { RedisCounters } = await import('./limits/redis-counters.ts');
  return new RedisCounters(config.limits.redisUrl, config.limits.redisPrefix);
}

/** The composition root: wires config → store → services → HTTP. The one place that knows every part. */
export async function createGatehouse(config: Config, opts: GatehouseOptions = {}): Promise<Gatehouse> {
  const logger = opts.logger ?? createLogger(config);
  const db = openDatabase(config.databaseUrl, {
    poolSize: config.dbPoolSize,
    onPoolError: (err) => logger.warn({ err }, 'idle database connection lost'),
  });
  const pool = new HashPool(config.hashWorkers, config.hashQueue);
  let closeFeed = async () => {};
  try {
    if (opts.migrate ?? true) {
      const { applied } = await migrateToLatest(db);
      if (applied.length > 0) logger.info({ applied, database: db.describe }, 'migrations applied');
    }
    const changes = await openChangeFeed(db, config, logger);
    closeFeed = () => changes.close();
    const userStore = new UserStore(db.kysely, changes, db.dialect);
    const sessionStore = new SessionStore(db.kysely, db.dialect, changes);
    const sessionCache = new SessionCache(config.session.cacheMs);
    changes.subscribe((c) => sessionCache.apply(c));
    const hasher = new PasswordHasher(pool, config.argon2);
    const keys = createKeyRing(config, db);
    await keys.signing(); // asymmetric: loads the keys, creating the first one, before the JWKS is ever served
    const legacy = config.fastapiUsersTokens && { tokens: new FastapiUsersTokens(config.fastapiUsersTokens, opts.now), users: userStore };
    if (legacy) logger.warn({ until: new Date(legacy.tokens.until).toISOString() }, 'fastapi-users tokens are accepted until FASTAPI_USERS_TOKENS_UNTIL; they cannot be revoked before they expire');
    const strategy = new JwtStrategy(new AccessTokens({ keys, audience: config.jwt.audience, issuer: config.jwt.issuer, ttlSeconds: config.jwt.accessTtl }), sessionStore, sessionCache, legacy);
    const audit = new AuditLog(new AuditStore(db.kysely));
    audit.onError = (err, type) => logger.error({ err, type }, 'could not write an audit event');
    const throttle = new LoginThrottle(new LoginFailureStore(db.kysely, db.dialect), config.loginLock);
    const policy = new PasswordPolicy(config.password);
    const sessions = new SessionManager(sessionStore, new RefreshTokenStore(db.kysely), strategy, new RefreshTokens(config.secret), audit, config.session);
    const tokens = new AccountTokens(new AccountTokenStore(db.kysely), userStore, config.mail.ttl);
    const mailer = config.mail.smtpUrl ? new SmtpMailer(config.mail.smtpUrl, config.mail.from) : new FolderMailer(config.mail.folder, config.mail.from);
    const mail = new MailQueue(
      { store: new MailOutboxStore(db.kysely), users: userStore, tokens, mailer, templates: { ...defaultTemplates, ...opts.mailTemplates }, log: logger },
      { appName: config.mail.appName, links: config.mail.links, logLinks: config.mail.logLinks },
    );
    const flows = new AccountFlows({ users: userStore, sessions: sessionStore, tokens, mail, hasher, policy, audit });
    // Only a process that delivers mail has anything to say about how (a CLI command that sends none stays quiet).
    if (!config.mail.smtpUrl && (opts.mailWorker ?? true)) logger.warn({ folder: config.mail.folder }, 'SMTP_URL is not set: mails are written to a folder, not sent');
    const limits = config.limits.enabled ? new RateLimiter(await openCounters(config), config.limits.rates) : undefined;
    if (limits) limits.onStoreError = (err) => logger.error({ err }, 'rate-limit counters unreachable: request let through');
    const proof = new RecentProof({ hasher, sessions: sessionStore, limiter: limits, settings: config.reauth });
    const users = new UserManager({
      users: userStore, sessions: sessionStore, hasher, policy, audit, throttle, requireVerifiedLogin: config.requireVerifiedLogin, proof, notices: mail,
      loginDigest: new KeyedDigest(config.secret, 'audit-login-hmac'), devices: new TrustedDevices(config.secret),
    });
    const mfaPolicy = new MfaPolicy(config.mfa.requiredRoles);
    const lockout = new SecondStepLockout(new LoginThrottle(new LoginFailureStore(db.kysely, db.dialect), config.loginLock, 'MFA_LOCKED'));
    const factors = new Factors({
      users: userStore, sessions: sessionStore, policy: mfaPolicy, audit, notices: mail, lockout,
      totp: new Totp(new TotpStore(db.kysely), new Sealer(config.secret, 'mfa-totp-secret'), config.mfa.issuer),
      recovery: new RecoveryCodes(new RecoveryCodeStore(db.kysely), new KeyedDigest(config.secret, 'mfa-recovery-code')),
    });
    const challenges = new LoginChallenges(new MfaChallengeStore(db.kysely), config.mfa.challengeTtl);
    const mfa = {
      factors, policy: mfaPolicy,
      secondStep: new SecondStep({ challenges, factors, users: userStore, audit }),
      stepUp: new StepUp({ factors, sessions, hasher, limiter: limits, audit }),
    };
    const passkeys = new PasskeyService({
      passkeys: new PasskeyStore(db.kysely), challenges: new PasskeyChallenges(new PasskeyChallengeStore(db.kysely)), users: userStore, audit,
      notices: mail, rp: config.webauthn, requireVerifiedLogin: config.requireVerifiedLogin,
      onFactorsChanged: (userId: string, change: FactorChange) => factors.factorsChanged(userId, change),
      onRefused: (why, context) => logger.info({ ...context, why }, 'passkey assertion refused'),
    });
    factors.usePasskeys(passkeys);
    const purge = () => Promise.all([sessions.purge(), throttle.purge(), tokens.purge(), mail.purge(), challenges.purge(), passkeys.purge()]).then(
      ([n]) => { if (n > 0) logger.info({ purged: n }, 'expired sessions deleted'); },
      (err) => logger.warn({ err }, 'could not purge expired sessions'),
    );
    const purgeTimer = setInterval(purge, PURGE_EVERY_MS).unref();
    const cookies = new CookieTransport(config.cookie);
    const csrfTokens = new CsrfTokens(config.secret);
    const csrf = new CsrfGuard(csrfTokens, cookies, config.trustedOrigins);
    const oauth = createOAuthManager(config, db, { users: userStore, audit, fetch: opts.oauthFetch });
    const ctx: RouteContext = {
      config, users, sessions, flows, audit, limits, strategy, keys, guards: new Guards(strategy, cookies, csrf, mfaPolicy), cookies, csrf, csrfTokens,
      oauth, oauthBinding: oauthBinding(config.cookie, config.oauth.stateTtl),
      passkeys, mfa, mfaBinding: mfaBinding(config.cookie, config.mfa.challengeTtl), deviceCookie: new DeviceCookie(config.cookie),
      async ready() {
        await ping(db);
        const pending = await pendingMigrations(db);
        if (pending.length > 0) throw new AppError('SERVICE_UNAVAILABLE', { reason: `migrations pending: ${pending.join(', ')}` });
      },
    };
    // prom-client is loaded only when METRICS is on.
    const metrics = config.metrics.enabled
      ? new (await import('./observability/metrics.ts')).Metrics({ pool: db.poolState, hashQueue: () => pool.queued }) : undefined;
    if (metrics) {
      audit.onRecord = (type) => metrics.audited(type);
      if (limits) limits.onLimited = (rule) => metrics.rateLimited(rule);
    }
    const app = await buildApp(ctx, { logger, plugins: opts.plugins, metrics, webRoot: opts.webRoot });
    if (opts.mailWorker ?? true) mail.start();
    return {
      app, db, users, sessions, mail, keys, oauth, passkeys, mfa, logger,
      async close() {
        clearInterval(purgeTimer);
        await app.close();
        await mail.stop();
        await limits?.close();
        await pool.close();
        await closeFeed();
        await db.close();
      },
    };
  } catch (err) {
    await pool.close();
    await closeFeed();
    await db.close();
    throw err;
  }
}

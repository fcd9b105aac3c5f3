import { AppError } from '../errors.ts';
import { newId, parseUuid } from '../model/ids.ts';
import type { Session } from '../model/session.ts';
import type { User } from '../model/user.ts';
import type { ClientInfo } from '../model/client-info.ts';
import type { JwtStrategy } from '../auth/jwt-strategy.ts';
import { RefreshTokens } from '../auth/refresh-token.ts';
import type { SessionStore } from '../store/session-store.ts';
import type { RefreshTokenStore, TokenUsage } from '../store/refresh-token-store.ts';
import type { AuditLog } from './audit-log.ts';
import type { AuthMethod, Authentication } from '../model/authentication.ts';

/** A session's authentication as its access tokens state it (auth_time in whole seconds, as JWT claims are). */
const authenticationOf = (s: Pick<Session, 'amr' | 'authTime'>): Authentication => ({ amr: s.amr, authTime: Math.floor(Date.parse(s.authTime) / 1000) });

/** What a session records of the client, at login and on each use (the user agent bounded). */
const clientOf = (c: ClientInfo) => ({ ip: c.ip, userAgent: c.userAgent?.slice(0, 512) ?? null });

export interface TokenPair { accessToken: string; refreshToken: string; expiresIn: number; sessionId: string }

export interface SessionOptions {
  /** Absolute lifetime of a session, seconds. */
  ttl: number;
  /** A session not refreshed for this long ends, seconds. */
  idleTtl: number;
  /**
   * How long the immediate predecessor of the current refresh token may be presented again and get the same
   * successor, seconds (0 = never: any reuse ends the session).
   */
  reuseGrace: number;
}


/**
 * Login sessions: each login opens one, with an access token (JWT, short) and a refresh token (opaque, rotated).
 * A session is a refresh-token family: presenting an already-used refresh token ends the session, so both the
 * thief's and the victim's tokens die; except the token just replaced, within `reuseGrace` and while its successor
 * is unused, which gets that same successor (the losers of a race between tabs keep the session).
 */
export class SessionManager {
  private readonly sessions: SessionStore;
  private readonly refreshStore: RefreshTokenStore;
  private readonly strategy: JwtStrategy;
  private readonly refreshTokens: RefreshTokens;
  private readonly o: SessionOptions;
  private readonly audit: AuditLog;

  constructor(sessions: SessionStore, refreshStore: RefreshTokenStore, strategy: JwtStrategy, refresh: RefreshTokens, audit: AuditLog, o: SessionOptions) {
    this.audit = audit;
    this.sessions = sessions;
    this.refreshStore = refreshStore;
    this.strategy = strategy;
    this.refreshTokens = refresh;
    this.o = o;
  }

  /**
   * Opens a session for a user who just proved themselves with `amr` (RFC 8176 values, see model/authentication.ts);
   * every access token of the session carries them and `auth_time` = now. Every login path states its methods here.
   */
  async start(user: User, client: ClientInfo, amr: AuthMethod[], now = Date.now()): Promise<TokenPair> {
    const sessionId = newId();
    const at = new Date(now).toISOString();
    const refreshToken = this.refreshTokens.fresh();
    await this.refreshStore.open({
      id: sessionId, userId: user.id, createdAt: at, expiresAt: new Date(now + this.o.ttl * 1000).toISOString(), ...clientOf(client),
      amr, authTime: at,
    }, RefreshTokens.hash(refreshToken));
    return this.pair(user, sessionId, refreshToken, authenticationOf({ amr, authTime: at }));
  }

  /** Exchanges a refresh token for a new pair. Throws REFRESH_TOKEN_INVALID; the same answer whatever the reason. */
  async refresh(token: string, client: ClientInfo, now = Date.now()): Promise<TokenPair> {
    // Built only when needed: an error's stack trace is not free, and most refreshes succeed.
    const invalid = () => new AppError('REFRESH_TOKEN_INVALID');
    if (!RefreshTokens.wellFormed(token)) throw invalid();
    const hash = RefreshTokens.hash(token);
    const found = await this.refreshStore.context(hash);
    if (!found) throw invalid();
    const { session, user } = found;
    const at = new Date(now).toISOString();
    if (session.revokedAt !== null || session.expiresAt <= at || !user.isActive) throw invalid();
    const successor = this.refreshTokens.successorOf(token);

    if (Date.parse(session.lastUsedAt) + this.o.idleTtl * 1000 <= now) {
      await this.sessions.revoke(session.id, at); // idle too long
      throw invalid();
    }
    const successorHash = RefreshTokens.hash(successor);
    const usage = found.usedAt === null
      ? await this.refreshStore.rotate(hash, successorHash, session.id, at, clientOf(client))
      : await this.refreshStore.usage(hash, successorHash);
    // A refresh carries the session's authentication forward unchanged: it never upgrades (or renews) it.
    const auth = authenticationOf(session);
    if (usage === true) return this.pair(user, session.id, successor, auth);
    // Already used: by a concurrent refresh that won the claim (two tabs, a retry after a lost answer) or long ago.
    if (this.withinGrace(usage, now)) return this.pair(user, session.id, successor, auth);
    // Reuse of a used refresh token (RFC 9700 §4.14.2): the family is ended, thief's and victim's tokens alike.
    await this.sessions.revoke(session.id, at);
    await this.audit.record('refresh.reuse', { userId: session.userId, client, detail: { session_id: session.id } });
    throw invalid();
  }

  /**
   * The token was replaced at most `reuseGrace` seconds before `now` and its successor is still unused: the caller
   * lost a race with the refresh that replaced it, and gets the same successor (derived from the token, so the family
   * still has one live refresh token). Once the successor has been used, the predecessor is a replay like any other.
   */
  private withinGrace({ usedAt, successorUsedAt }: TokenUsage, now: number): boolean {
    return this.o.reuseGrace > 0 && typeof usedAt === 'string' && successorUsedAt === null
      && now - Date.parse(usedAt) <= this.o.reuseGrace * 1000;
  }

  /**
   * A re-authentication (step-up) in the session `sessionId`: the session now states `amr` and auth_time = now, and a
   * new access token says so. The session and its refresh token stay (a later refresh carries the new values).
   * Throws Unauthorized when the session ended meanwhile.
   */
  async reauthenticate(user: User, sessionId: string, amr: AuthMethod[], now = Date.now()): Promise<{ accessToken: string; expiresIn: number }> {
    const at = new Date(now).toISOString();
    if (!(await this.sessions.reauthenticate(sessionId, user.id, amr, at))) throw new AppError('Unauthorized');
    return { accessToken: await this.strategy.writeToken(user, sessionId, authenticationOf({ amr, authTime: at })), expiresIn: this.strategy.accessTtlSeconds };
  }

  /** Logout. */
  async end(userId: string, sessionId: string, client: ClientInfo): Promise<void> {
    await this.sessions.revoke(sessionId, new Date().toISOString());
    await this.audit.record('logout', { userId, client, detail: { session_id: sessionId } });
  }

  list(userId: string): Promise<Session[]> {
    return this.sessions.liveOf(userId, new Date().toISOString());
  }

  /** Ends one of the user's sessions; 404 when it is not theirs or not live. */
  async endOne(userId: string, typed: string, by: { actorId?: string; client: ClientInfo }): Promise<void> {
    // Read like a user id in a path (any case, dashes or not): the same answer on SQLite (text) and PostgreSQL (uuid).
    const sessionId = parseUuid(typed);
    if (sessionId === undefined || !(await this.sessions.revoke(sessionId, new Date().toISOString(), userId))) throw new AppError('Not Found');
    await this.audit.record('session.revoke', { userId, actorId: by.actorId, client: by.client, detail: { session_id: sessionId } });
  }

  /** Ends every session of the user but `keep`; returns how many ended. */
  async endAll(userId: string, by: { keep?: string; actorId?: string; client: ClientInfo }): Promise<number> {
    const n = await this.sessions.revokeAllOf(userId, new Date().toISOString(), by.keep);
    await this.audit.record('session.revoke', { userId, actorId: by.actorId, client: by.client, detail: { all: true, ...(by.keep ? { kept: by.keep } : {}), revoked: n } });
    return n;
  }

  /** Deletes sessions (with their refresh tokens) that expired or were revoked more than a day ago. */
  purge(now = Date.now()): Promise<number> {
    return this.sessions.purge(new Date(now - 86_400_000).toISOString());
  }

  private async pair(user: User, sessionId: string, refreshToken: string, auth: Authentication): Promise<TokenPair> {
    return { accessToken: await this.strategy.writeToken(user, sessionId, auth), refreshToken, expiresIn: this.strategy.accessTtlSeconds, sessionId };
  }
}

import type { User } from '../model/user.ts';
import type { Authentication } from '../model/authentication.ts';
import type { SessionStore } from '../store/session-store.ts';
import { AccessTokens, TokenRejected } from './access-token.ts';
import { SessionCache } from './session-cache.ts';

/** Who is on the other end of a login, as far as the HTTP layer can tell. */
export interface ClientInfo { ip: string | null; userAgent: string | null }

/** Who a request speaks for, and how that user proved themselves (from the access token: RFC 8176 amr, auth_time). */
export interface Authenticated extends Authentication { user: User; sessionId: string }

/**
 * The JWT strategy (fastapi-users' term): an access token names a session (`sid`). Reading a token checks the
 * signature and then that the session is live and the user exists — in the database, or in the session cache,
 * which every session end and user change clears at once on this instance and, through the store's change feed,
 * on the others (see SessionCache for the bound when a change cannot reach an instance).
 */
export class JwtStrategy {
  private readonly tokens: AccessTokens;
  private readonly sessions: SessionStore;
  private readonly cache: SessionCache;

  constructor(tokens: AccessTokens, sessions: SessionStore, cache = new SessionCache(0)) {
    this.tokens = tokens;
    this.sessions = sessions;
    this.cache = cache;
  }

  get accessTtlSeconds(): number {
    return this.tokens.ttlSeconds;
  }

  writeToken(user: User, sessionId: string, auth: Authentication): Promise<string> {
    return this.tokens.issue(user.id, sessionId, auth);
  }

  /** The user a token speaks for. Throws TokenRejected when the token or its session is not (or no longer) valid. */
  async readToken(token: string): Promise<Authenticated> {
    const claims = await this.tokens.verify(token);
    const now = Date.now();
    const cached = this.cache.get(claims.sid, claims.sub, now);
    const auth = { amr: claims.amr, authTime: claims.auth_time };
    if (cached) return { user: cached, sessionId: claims.sid, ...auth };
    const ticket = this.cache.begin();
    const live = await this.sessions.liveUser(claims.sid, claims.sub, new Date(now).toISOString());
    if (!live) throw new TokenRejected(false, 'session ended or user gone');
    this.cache.put(ticket, claims.sid, live.user, Date.parse(live.expiresAt), now);
    return { user: live.user, sessionId: claims.sid, ...auth };
  }
}

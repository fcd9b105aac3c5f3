import type { User } from '../model/user.ts';
import type { Authentication } from '../model/authentication.ts';
import type { SessionStore } from '../store/session-store.ts';
import { AccessTokens, TokenRejected } from './access-token.ts';
import { SessionCache } from './session-cache.ts';
import { NotFastapiUsersToken, type FastapiUsersTokens } from './fastapi-users-token.ts';

/**
 * Who a request speaks for, and how that user proved themselves (from the access token: RFC 8176 amr, auth_time).
 * `sessionId` is null for a token of the fastapi-users window: it names no session, so logout cannot end it and it
 * works until it expires (or the window closes). Such a token says nothing of how the user authenticated: amr is
 * empty and auth_time 0, so it never passes a step-up or multi-factor check.
 */
export interface Authenticated extends Authentication { user: User; sessionId: string | null }

/** Reads users for the fastapi-users window (UserStore). */
export interface UserLookup { byId(id: string): Promise<User | undefined> }

export interface ReadOptions {
  /** Also take a token of the fastapi-users window (FastapiUsersTokens), if one is configured: bearer tokens only. */
  fastapiUsers?: boolean;
}

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

  private readonly legacy: { tokens: FastapiUsersTokens; users: UserLookup } | undefined;

  constructor(tokens: AccessTokens, sessions: SessionStore, cache = new SessionCache(0), legacy?: { tokens: FastapiUsersTokens; users: UserLookup }) {
    this.tokens = tokens;
    this.sessions = sessions;
    this.cache = cache;
    this.legacy = legacy;
  }

  get accessTtlSeconds(): number {
    return this.tokens.ttlSeconds;
  }

  writeToken(user: User, sessionId: string, auth: Authentication): Promise<string> {
    return this.tokens.issue(user.id, sessionId, auth);
  }

  /** The user a token speaks for. Throws TokenRejected when the token or its session is not (or no longer) valid. */
  async readToken(token: string, opts: ReadOptions = {}): Promise<Authenticated> {
    let claims;
    try {
      claims = await this.tokens.verify(token);
    } catch (err) {
      // Gatehouse's own tokens first (the hot path is unchanged); only a token they refuse may be a fastapi-users one.
      if (!(err instanceof TokenRejected) || !opts.fastapiUsers || !this.legacy?.tokens.open()) throw err;
      return this.readFastapiUsersToken(token, err);
    }
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

  /**
   * A token of the fastapi-users window speaks for its user while that user exists and is active, read from the
   * database on every request (as fastapi-users did). When it is not one at all, the refusal is Gatehouse's own.
   */
  private async readFastapiUsersToken(token: string, refusal: TokenRejected): Promise<Authenticated> {
    const { tokens, users } = this.legacy!;
    let sub: string;
    try {
      ({ sub } = await tokens.verify(token));
    } catch (err) {
      throw err instanceof NotFastapiUsersToken ? refusal : err;
    }
    const user = await users.byId(sub);
    if (!user?.isActive) throw new TokenRejected(false, 'fastapi-users token of an unknown or inactive user');
    return { user, sessionId: null, amr: [], authTime: 0 };
  }
}

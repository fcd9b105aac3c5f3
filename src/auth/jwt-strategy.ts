import type { User } from '../model/user.ts';
import type { SessionStore } from '../store/session-store.ts';
import { AccessTokens, TokenRejected } from './access-token.ts';

/** Who is on the other end of a login, as far as the HTTP layer can tell. */
export interface ClientInfo { ip: string | null; userAgent: string | null }

export interface Authenticated { user: User; sessionId: string }

/**
 * The JWT strategy (fastapi-users' term): an access token names a session (`sid`). Reading a token checks the
 * signature and then, in one query, that the session is live and the user exists, so logout, deactivation and
 * deletion take effect at once on every instance sharing the database (there is no per-process cache to expire).
 */
export class JwtStrategy {
  private readonly tokens: AccessTokens;
  private readonly sessions: SessionStore;

  constructor(tokens: AccessTokens, sessions: SessionStore) {
    this.tokens = tokens;
    this.sessions = sessions;
  }

  get accessTtlSeconds(): number {
    return this.tokens.ttlSeconds;
  }

  writeToken(user: User, sessionId: string): Promise<string> {
    return this.tokens.issue(user.id, sessionId);
  }

  /** The user a token speaks for. Throws TokenRejected when the token or its session is not (or no longer) valid. */
  async readToken(token: string): Promise<Authenticated> {
    const claims = await this.tokens.verify(token);
    const user = await this.sessions.liveUser(claims.sid, claims.sub, new Date().toISOString());
    if (!user) throw new TokenRejected(false, 'session ended or user gone');
    return { user, sessionId: claims.sid };
  }
}

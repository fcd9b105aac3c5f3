import { newId } from '../model/ids.ts';
import type { User } from '../model/user.ts';
import type { SessionStore } from '../store/session-store.ts';
import { AccessTokens, TokenRejected } from './access-token.ts';

/** Who is on the other end of a login, as far as the HTTP layer can tell. */
export interface ClientInfo { ip: string | null; userAgent: string | null }

export interface Authenticated { user: User; sessionId: string }

/**
 * The JWT strategy (fastapi-users' term): a login opens a session row, and the access token names it (`sid`).
 * Reading a token checks the signature and then, in one query, that the session is live and the user exists,
 * so logout, deactivation and deletion take effect at once, unlike fastapi-users' stateless JWT.
 */
export class JwtStrategy {
  private readonly tokens: AccessTokens;
  private readonly sessions: SessionStore;
  private readonly sessionTtlSeconds: number;

  constructor(tokens: AccessTokens, sessions: SessionStore, sessionTtlSeconds: number) {
    this.tokens = tokens;
    this.sessions = sessions;
    this.sessionTtlSeconds = sessionTtlSeconds;
  }

  get accessTtlSeconds(): number {
    return this.tokens.ttlSeconds;
  }

  async writeToken(user: User, client: ClientInfo, now = Date.now()): Promise<{ accessToken: string; sessionId: string }> {
    const sessionId = newId();
    await this.sessions.insert({
      id: sessionId,
      userId: user.id,
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + this.sessionTtlSeconds * 1000).toISOString(),
      userAgent: client.userAgent?.slice(0, 512) ?? null,
      ip: client.ip,
    });
    return { accessToken: await this.tokens.issue(user.id, sessionId, now), sessionId };
  }

  /** The user a token speaks for. Throws TokenRejected when the token or its session is not (or no longer) valid. */
  async readToken(token: string): Promise<Authenticated> {
    const claims = await this.tokens.verify(token);
    const user = await this.sessions.liveUser(claims.sid, claims.sub, new Date().toISOString());
    if (!user) throw new TokenRejected(false, 'session ended or user gone');
    return { user, sessionId: claims.sid };
  }

  /** Logout: ends the session, and with it every access token issued for it. */
  async destroyToken(sessionId: string): Promise<void> {
    await this.sessions.revoke(sessionId, new Date().toISOString());
  }
}

import type { Kysely, Selectable } from 'kysely';
import type { User } from '../model/user.ts';
import type { Session } from '../model/session.ts';
import { toIso, type Database, type SessionsTable } from './schema.ts';
import type { DialectName } from './database.ts';
import { rowToUser } from './user-store.ts';
import { LocalChangeFeed, type ChangeFeed } from './change-feed.ts';
import { compileOnce, firstRow } from './compiled-sql.ts';
import { parseAmr } from '../model/authentication.ts';

/** A live session's user, and when the session ends at the latest. */
export interface LiveSession { user: User; expiresAt: string }

/** The hot path's SQL, compiled once (compiled-sql.ts). */
const compiled = (db: Kysely<Database>) => ({
  liveJoin: compileOnce(db.selectFrom('sessions').innerJoin('users', 'users.id', 'sessions.user_id').selectAll('users')
    .select('sessions.expires_at as session_expires_at')
    .where('sessions.id', '=', '?').where('sessions.user_id', '=', '?').where('sessions.revoked_at', 'is', null).where('sessions.expires_at', '>', '?'), 3),
  liveSession: compileOnce(db.selectFrom('sessions').select('sessions.expires_at')
    .where('sessions.id', '=', '?').where('sessions.user_id', '=', '?').where('sessions.revoked_at', 'is', null).where('sessions.expires_at', '>', '?'), 3),
  userById: compileOnce(db.selectFrom('users').selectAll().where('id', '=', '?'), 1),
});

/** SQL for login sessions. */
export class SessionStore {
  private readonly db: Kysely<Database>;
  private readonly dialect: DialectName;
  /** SQL compiled once; the placeholders take (session id, user id, now) and (user id). */
  private readonly sql: ReturnType<typeof compiled>;
  private readonly changes: ChangeFeed;

  /** `changes` hears of every session that ends (caches of live sessions listen to it). */
  constructor(db: Kysely<Database>, dialect: DialectName, changes: ChangeFeed = new LocalChangeFeed()) {
    this.db = db;
    this.dialect = dialect;
    this.changes = changes;
    this.sql = compiled(db);
  }

  /**
   * The user behind a live (not revoked, not expired) session: the hot path of every authenticated request.
   * The SQL is built once and reused with new parameters (compileOnce). PostgreSQL answers
   * it as one join (one round trip); SQLite, in process, answers two primary-key lookups faster than this join, which
   * it would prepare again on every run (bare parameters in a join: refresh-token-store.ts says why).
   */
  async liveUser(sessionId: string, userId: string, now: string): Promise<LiveSession | undefined> {
    if (this.dialect === 'postgres') {
      const row = await firstRow(this.db, this.sql.liveJoin, [sessionId, userId, now]);
      return row && { user: rowToUser(row), expiresAt: toIso(row.session_expires_at) };
    }
    const live = await firstRow(this.db, this.sql.liveSession, [sessionId, userId, now]);
    if (!live) return undefined;
    const row = await firstRow(this.db, this.sql.userById, [userId]);
    return row && { user: rowToUser(row), expiresAt: toIso(live.expires_at) };
  }


  async byId(id: string): Promise<Session | undefined> {
    const r = await this.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    return r && rowToSession(r);
  }

  /** A user's live sessions, most recently used first. */
  async liveOf(userId: string, now: string): Promise<Session[]> {
    const rows = await this.db.selectFrom('sessions').selectAll()
      .where('user_id', '=', userId).where('revoked_at', 'is', null).where('expires_at', '>', now)
      .orderBy('last_used_at', 'desc').execute();
    return rows.map(rowToSession);
  }

  /**
   * A re-authentication within a live session (step-up): its methods become `amr` and `auth_time` moves to `authTime`;
   * the session and its refresh tokens stay. False when the session is not this user's live one.
   */
  async reauthenticate(id: string, userId: string, amr: string[], authTime: string): Promise<boolean> {
    const r = await this.db.updateTable('sessions').set({ amr: JSON.stringify(amr), auth_time: authTime })
      .where('id', '=', id).where('user_id', '=', userId).where('revoked_at', 'is', null).where('expires_at', '>', authTime).executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  /** Ends one live session; with `userId`, only if it is that user's. True when it was live. */
  async revoke(id: string, now: string, userId?: string): Promise<boolean> {
    let q = this.db.updateTable('sessions').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null);
    if (userId) q = q.where('user_id', '=', userId);
    const r = await q.executeTakeFirst();
    if (r.numUpdatedRows > 0n) this.changes.publish({ kind: 'session', id });
    return r.numUpdatedRows > 0n;
  }

  /** Ends every live session of a user, except `keep` if given. Returns how many ended. */
  async revokeAllOf(userId: string, now: string, keep?: string): Promise<number> {
    let q = this.db.updateTable('sessions').set({ revoked_at: now })
      .where('user_id', '=', userId).where('revoked_at', 'is', null);
    if (keep) q = q.where('id', '!=', keep);
    const r = await q.executeTakeFirst();
    // Every cached session of the user is dropped (the kept one is simply read again).
    if (r.numUpdatedRows > 0n) this.changes.publish({ kind: 'user', id: userId });
    return Number(r.numUpdatedRows);
  }

  /** Deletes sessions that expired or were revoked before `before`. */
  async purge(before: string): Promise<number> {
    const r = await this.db.deleteFrom('sessions')
      .where((eb) => eb.or([eb('expires_at', '<', before), eb('revoked_at', '<', before)])).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

export function rowToSession(r: Selectable<SessionsTable>): Session {
  return {
    id: r.id, userId: r.user_id, createdAt: toIso(r.created_at), lastUsedAt: toIso(r.last_used_at),
    expiresAt: toIso(r.expires_at), revokedAt: r.revoked_at === null ? null : toIso(r.revoked_at),
    userAgent: r.user_agent, ip: r.ip,
    amr: r.amr === null ? [] : parseAmr(JSON.parse(r.amr)), authTime: toIso(r.auth_time ?? r.created_at),
  };
}

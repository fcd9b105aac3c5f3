import type { Kysely } from 'kysely';
import type { Session } from '../model/session.ts';
import type { User } from '../model/user.ts';
import { toIso, type Database } from './schema.ts';
import { rowToSession } from './session-store.ts';
import { rowToUser } from './user-store.ts';
import { compileOnce, execute, firstRow } from './compiled-sql.ts';

/**
 * When a token and its successor were used: null = not yet, undefined = no such row (the successor of a token that
 * was never used does not exist).
 */
export interface TokenUsage { usedAt: string | null | undefined; successorUsedAt: string | null | undefined }

/** A refresh token with the session (family) it belongs to and the session's user, read in one query. */
export interface RefreshContext { usedAt: string | null; session: Session; user: User }

/** The refresh path's SQL, compiled once (compiled-sql.ts). */
const compiled = (db: Kysely<Database>) => ({
  // The token's hash is compared with `cast(? as text)`, not a bare `?`, for SQLite: when its planner weighs a join it
  // marks a bare parameter as one whose value might change the plan, and better-sqlite3 clears the bindings after every
  // run (sqlite3_clear_bindings), which expires a statement so marked: SQLite parsed and planned this join again on
  // every refresh (999 re-prepares in 1,000 runs, counted with a perf probe on sqlite3Reprepare; 0 with the cast).
  // The plan is the same (the primary-key index); the cost is not: `node bench/micro/sql.ts`. On PostgreSQL the cast
  // of a text parameter to text changes nothing.
  context: compileOnce(db.selectFrom('refresh_tokens')
    .innerJoin('sessions', 'sessions.id', 'refresh_tokens.session_id')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select(['refresh_tokens.used_at as rt_used_at', 'sessions.id as s_id', 'sessions.user_id as s_user_id',
      'sessions.created_at as s_created_at', 'sessions.last_used_at as s_last_used_at', 'sessions.expires_at as s_expires_at',
      'sessions.revoked_at as s_revoked_at', 'sessions.user_agent as s_user_agent', 'sessions.ip as s_ip',
      'sessions.amr as s_amr', 'sessions.auth_time as s_auth_time'])
    .where((eb) => eb('refresh_tokens.token_hash', '=', eb.cast<string>(eb.val('?'), 'text'))), 1),
  usage: compileOnce(db.selectFrom('refresh_tokens').select(['token_hash', 'used_at']).where('token_hash', 'in', ['?', '?']), 2),
  claim: compileOnce(db.updateTable('refresh_tokens').set({ used_at: '?' }).where('token_hash', '=', '?').where('used_at', 'is', null), 2),
  insert: compileOnce(db.insertInto('refresh_tokens').values({ token_hash: '?', session_id: '?', created_at: '?', used_at: '?' }), 4),
  touch: compileOnce(db.updateTable('sessions').set({ last_used_at: '?', ip: '?', user_agent: '?' }).where('id', '=', '?'), 4),
  session: compileOnce(db.insertInto('sessions').values({
    id: '?', user_id: '?', created_at: '?', last_used_at: '?', expires_at: '?', revoked_at: '?', user_agent: '?', ip: '?', amr: '?', auth_time: '?',
  }), 10),
});

/**
 * SQL for refresh tokens, addressed by the SHA-256 of the token (the token itself is never stored).
 * The refresh path's statements are compiled once (Kysely would rebuild each on every call): a refresh is one
 * read and one transaction.
 */
export class RefreshTokenStore {
  private readonly db: Kysely<Database>;
  private readonly sql: ReturnType<typeof compiled>;

  constructor(db: Kysely<Database>) {
    this.db = db;
    this.sql = compiled(db);
  }

  /**
   * Opens a session (a refresh-token family) with its first refresh token, in one transaction: a failed insert or a
   * crash in between leaves neither.
   */
  async open(s: Omit<Session, 'revokedAt' | 'lastUsedAt'>, tokenHash: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await execute(trx, this.sql.session, [s.id, s.userId, s.createdAt, s.createdAt, s.expiresAt, null, s.userAgent, s.ip, JSON.stringify(s.amr), s.authTime]);
      await execute(trx, this.sql.insert, [tokenHash, s.id, s.createdAt, null]);
    });
  }

  /** The token, its session and the session's user; undefined when the token is unknown. */
  async context(tokenHash: string): Promise<RefreshContext | undefined> {
    const r = await firstRow(this.db, this.sql.context, [tokenHash]);
    if (!r) return undefined;
    return {
      usedAt: r.rt_used_at === null ? null : toIso(r.rt_used_at),
      session: rowToSession({
        id: r.s_id, user_id: r.s_user_id, created_at: r.s_created_at, last_used_at: r.s_last_used_at, expires_at: r.s_expires_at,
        revoked_at: r.s_revoked_at, user_agent: r.s_user_agent, ip: r.s_ip, amr: r.s_amr, auth_time: r.s_auth_time,
      }),
      user: rowToUser(r),
    };
  }

  /** When the token and its successor were used, read in one query. */
  usage(tokenHash: string, successorHash: string): Promise<TokenUsage> {
    return this.usageIn(this.db, tokenHash, successorHash);
  }

  /**
   * Marks the token used, stores its successor and records the session's use, in one transaction, if nobody has
   * used the token yet: of any number of concurrent callers exactly one gets true (SQLite's write lock or
   * PostgreSQL's row lock decides). The others get the token's and the successor's usage, read in the same
   * transaction after their claim matched no row: on PostgreSQL the claim waited for the winner's row lock, so the
   * winner had committed, and the read (a new statement, a new snapshot under READ COMMITTED) sees its successor;
   * on SQLite the transactions ran one after the other.
   */
  async rotate(tokenHash: string, successorHash: string, sessionId: string, now: string, client: { ip: string | null; userAgent: string | null }): Promise<true | TokenUsage> {
    return this.db.transaction().execute(async (trx) => {
      const r = await execute(trx, this.sql.claim, [now, tokenHash]);
      if (r.numAffectedRows !== 1n) return this.usageIn(trx, tokenHash, successorHash);
      await execute(trx, this.sql.insert, [successorHash, sessionId, now, null]);
      await execute(trx, this.sql.touch, [now, client.ip, client.userAgent, sessionId]);
      return true as const;
    });
  }

  private async usageIn(db: Pick<Kysely<Database>, 'executeQuery'>, tokenHash: string, successorHash: string): Promise<TokenUsage> {
    const { rows } = await execute(db, this.sql.usage, [tokenHash, successorHash]);
    const usedAt = (hash: string) => {
      const row = rows.find((x) => x.token_hash === hash);
      return row && (row.used_at === null ? null : toIso(row.used_at));
    };
    return { usedAt: usedAt(tokenHash), successorUsedAt: usedAt(successorHash) };
  }
}

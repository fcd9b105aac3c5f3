import { sql, type CompiledQuery, type Expression, type Kysely } from 'kysely';
import { toIso, type Database } from './schema.ts';
import { compileOnce, firstRow } from './compiled-sql.ts';
import type { DialectName } from './database.ts';

/** Marks a named parameter in SQL compiled once (never a real value: it starts with a control character). */
const MARK = '\u0001';

/** The moments a reservation is judged against (ISO strings). */
export interface ReserveAt {
  now: string;
  /** A streak whose last attempt is older than this is forgotten. */
  quietSince: string;
  /** Attempts in flight whose row saw nothing newer than this died with their process: they no longer count. */
  staleSince: string;
}

/** The locks failure counts bring: none below `freeAttempts`, then `ends[n − freeAttempts]` (ISO), the last one beyond. */
export interface LockTable {
  freeAttempts: number;
  /** The lock ends for counts freeAttempts, freeAttempts + 1, …; the last entry holds for every count beyond. */
  ends: string[];
}

/** The reservation's SQL for one threshold, and the names of its parameters in order. */
interface Reservation { free: number; query: CompiledQuery<{ pending: number }>; order: string[] }

const compiledGet = (db: Kysely<Database>) => compileOnce(db.selectFrom('login_failures').selectAll().where('account_key', '=', '?'), 1);

/**
 * SQL for login attempts per account key (shared by every instance, survives restarts): `failures` consecutive
 * failures, `pending` attempts counted but not yet settled, `locked_until`, and `last_failure_at` (the last attempt
 * counted). Every decision is one statement, so it is atomic on SQLite (one writer) and PostgreSQL (the row lock of
 * INSERT … ON CONFLICT DO UPDATE): no attempt is ever judged on a count another one is about to change.
 */
export class LoginFailureStore {
  private readonly db: Kysely<Database>;
  private readonly pg: boolean;
  /** Every password login reads or reserves its key's streak: compiled once (compileOnce). */
  private readonly getSql: ReturnType<typeof compiledGet>;
  private reserveSql: Reservation | undefined;

  constructor(db: Kysely<Database>, dialect: DialectName) {
    this.db = db;
    this.pg = dialect === 'postgres';
    this.getSql = compiledGet(db);
  }

  async get(key: string): Promise<{ failures: number; pending: number; lockedUntil: string | null; lastFailureAt: string } | undefined> {
    const r = await firstRow(this.db, this.getSql, [key]);
    return r && { failures: r.failures, pending: Number(r.pending), lockedUntil: r.locked_until === null ? null : toIso(r.locked_until), lastFailureAt: toIso(r.last_failure_at) };
  }

  /**
   * Counts one attempt in flight, if the key may try now: no lock in force, and either fewer than `freeAttempts`
   * failures and attempts in flight together, or (past the threshold, after a lock ended) exactly one attempt and
   * none in flight. Returns false, changing nothing, when it may not.
   */
  async reserve(key: string, freeAttempts: number, at: ReserveAt): Promise<boolean> {
    const q = this.reserveQuery(freeAttempts);
    const values: Record<string, string> = { key, ...at };
    return (await firstRow(this.db, q.query, q.order.map((name) => values[name]))) !== undefined;
  }

  /** The reservation's SQL for one threshold, compiled once; its parameters are named by marker values. */
  private reserveQuery(free: number): Reservation {
    if (this.reserveSql?.free === free) return this.reserveSql;
    const v = (name: 'key' | keyof ReserveAt) => sql<string>`${MARK + name}`;
    const last = sql.ref('login_failures.last_failure_at');
    // What the row's counts mean now: a streak quiet for a day is forgotten, attempts in flight on a row that saw
    // nothing for a minute died with their process.
    const failures = sql<number>`(case when ${last} < ${v('quietSince')} then 0 else login_failures.failures end)`;
    const pending = sql<number>`(case when ${last} < ${v('staleSince')} then 0 else login_failures.pending end)`;
    const q = this.db.insertInto('login_failures')
      .values({ account_key: v('key'), failures: sql.lit(0), pending: sql.lit(1), locked_until: sql.lit(null), last_failure_at: v('now') })
      .onConflict((oc) => oc.column('account_key').doUpdateSet({
        failures,
        pending: sql<number>`${pending} + 1`,
        locked_until: sql`case when ${last} < ${v('quietSince')} then null else login_failures.locked_until end`,
        last_failure_at: v('now'),
      }).where(() => sql<boolean>`(login_failures.locked_until is null or login_failures.locked_until <= ${v('now')})
        and (${failures} + ${pending} < ${sql.lit(free)} or (${failures} >= ${sql.lit(free)} and ${pending} = 0))`))
      .returning('pending');
    const query = q.compile();
    const order = query.parameters.map((p) => {
      if (typeof p !== 'string' || !p.startsWith(MARK)) throw new Error(`unexpected parameter ${String(p)} in ${query.sql}`);
      return p.slice(MARK.length);
    });
    return (this.reserveSql = { free, query, order });
  }

  /**
   * Settles an attempt in flight as a failure (or counts one, if a success cleared the streak meanwhile) and sets
   * the lock its count brings; returns the new count.
   */
  async fail(key: string, now: string, locks: LockTable): Promise<{ failures: number; lockedUntil: string | null }> {
    const lockFor = (n: Expression<number>) => {
      const ts = (v: string) => (this.pg ? sql`cast(${v} as timestamptz)` : sql`${v}`);
      const steps = locks.ends.slice(0, -1).map((end, i) => sql`when ${n} = ${sql.lit(locks.freeAttempts + i)} then ${ts(end)}`);
      return sql<string | null>`case when ${n} < ${sql.lit(locks.freeAttempts)} then null ${sql.join(steps, sql` `)} else ${ts(locks.ends.at(-1)!)} end`;
    };
    const next = sql<number>`login_failures.failures + 1`;
    const first = locks.freeAttempts <= 1 ? locks.ends[0]! : null;
    const r = await this.db.insertInto('login_failures')
      .values({ account_key: key, failures: 1, pending: 0, locked_until: first, last_failure_at: now })
      .onConflict((oc) => oc.column('account_key').doUpdateSet({
        failures: next,
        pending: sql<number>`case when login_failures.pending > 0 then login_failures.pending - 1 else 0 end`,
        locked_until: lockFor(next),
        last_failure_at: now,
      }))
      .returning(['failures', 'locked_until']).executeTakeFirstOrThrow();
    return { failures: Number(r.failures), lockedUntil: r.locked_until === null ? null : toIso(r.locked_until) };
  }

  /** Gives back an attempt in flight that was never judged (the verification itself failed). */
  async release(key: string): Promise<void> {
    await this.db.updateTable('login_failures')
      .set({ pending: sql<number>`case when pending > 0 then pending - 1 else 0 end` })
      .where('account_key', '=', key).execute();
  }

  async clear(key: string): Promise<void> {
    await this.db.deleteFrom('login_failures').where('account_key', '=', key).execute();
  }

  async purge(quietSince: string): Promise<number> {
    const r = await this.db.deleteFrom('login_failures').where('last_failure_at', '<', quietSince).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

import type { Kysely, Selectable } from 'kysely';
import { toIso, type Database, type LoginFailuresTable } from './schema.ts';
import { firstRow, sqlOf } from './compiled-sql.ts';

/** SQL for consecutive login failures per account key (shared by every instance, survives restarts). */
export class LoginFailureStore {
  private readonly db: Kysely<Database>;
  /** Every password login reads its key's streak: compiled once (sqlOf). */
  private readonly getSql: string;

  constructor(db: Kysely<Database>) {
    this.db = db;
    this.getSql = sqlOf(db.selectFrom('login_failures').selectAll().where('account_key', '=', '?'), 1);
  }

  async get(key: string): Promise<{ failures: number; lockedUntil: string | null; lastFailureAt: string } | undefined> {
    const r = await firstRow<Selectable<LoginFailuresTable>>(this.db, this.getSql, [key]);
    return r && { failures: r.failures, lockedUntil: r.locked_until === null ? null : toIso(r.locked_until), lastFailureAt: toIso(r.last_failure_at) };
  }

  /** Counts one more failure atomically (concurrent failures all count); returns the new count. */
  async increment(key: string, now: string): Promise<number> {
    const r = await this.db.insertInto('login_failures')
      .values({ account_key: key, failures: 1, locked_until: null, last_failure_at: now })
      .onConflict((oc) => oc.column('account_key').doUpdateSet((eb) => ({ failures: eb('login_failures.failures', '+', 1), last_failure_at: now })))
      .returning('failures').executeTakeFirstOrThrow();
    return Number(r.failures);
  }

  async lock(key: string, until: string): Promise<void> {
    await this.db.updateTable('login_failures').set({ locked_until: until }).where('account_key', '=', key).execute();
  }

  async clear(key: string): Promise<void> {
    await this.db.deleteFrom('login_failures').where('account_key', '=', key).execute();
  }

  async purge(quietSince: string): Promise<number> {
    const r = await this.db.deleteFrom('login_failures').where('last_failure_at', '<', quietSince).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

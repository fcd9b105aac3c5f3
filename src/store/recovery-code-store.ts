import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** SQL for recovery codes, kept as keyed digests (src/mfa/recovery-codes.ts). */
export class RecoveryCodeStore {
  private readonly db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.db = db;
  }

  /** Replaces every code of the user (used or not) with these, in one transaction: the old ones die with it. */
  async replace(userId: string, hashes: string[], now: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
      if (hashes.length > 0) {
        await trx.insertInto('mfa_recovery_codes').values(hashes.map((h) => ({ user_id: userId, code_hash: h, created_at: now, used_at: null }))).execute();
      }
    });
  }

  /**
   * Uses the code, if it is the user's and unused (and, with `createdBefore`, existed by then): one statement, so of
   * parallel uses exactly one gets true.
   */
  async use(userId: string, hash: string, now: string, createdBefore?: string): Promise<boolean> {
    let q = this.db.updateTable('mfa_recovery_codes').set({ used_at: now })
      .where('user_id', '=', userId).where('code_hash', '=', hash).where('used_at', 'is', null);
    if (createdBefore !== undefined) q = q.where('created_at', '<=', createdBefore);
    const r = await q.executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  async remaining(userId: string): Promise<number> {
    const r = await this.db.selectFrom('mfa_recovery_codes').select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('user_id', '=', userId).where('used_at', 'is', null).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async removeAll(userId: string): Promise<number> {
    const r = await this.db.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

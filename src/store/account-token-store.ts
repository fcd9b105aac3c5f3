import type { Kysely } from 'kysely';
import { toIso, type Database } from './schema.ts';

export type TokenPurpose = 'verify' | 'reset';
export interface AccountTokenRow { purpose: TokenPurpose; userId: string; emailKey: string; passwordFingerprint: string; expiresAt: string; usedAt: string | null }

/** SQL for single-use account tokens, addressed by the SHA-256 of the token. */
export class AccountTokenStore {
  private readonly db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.db = db;
  }

  async insert(hash: string, t: Omit<AccountTokenRow, 'usedAt'>, now: string): Promise<void> {
    await this.db.insertInto('account_tokens').values({
      token_hash: hash, purpose: t.purpose, user_id: t.userId, email_key: t.emailKey, password_fingerprint: t.passwordFingerprint,
      created_at: now, expires_at: t.expiresAt, used_at: null,
    }).execute();
  }

  async byHash(hash: string): Promise<AccountTokenRow | undefined> {
    const r = await this.db.selectFrom('account_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
    return r && {
      purpose: r.purpose as TokenPurpose, userId: r.user_id, emailKey: r.email_key, passwordFingerprint: r.password_fingerprint,
      expiresAt: toIso(r.expires_at), usedAt: r.used_at === null ? null : toIso(r.used_at),
    };
  }

  /** Marks the token used, if nobody has yet; of concurrent callers exactly one gets true. */
  async consume(hash: string, now: string): Promise<boolean> {
    const r = await this.db.updateTable('account_tokens').set({ used_at: now }).where('token_hash', '=', hash).where('used_at', 'is', null).executeTakeFirst();
    return r.numUpdatedRows === 1n;
  }

  async delete(hash: string): Promise<void> {
    await this.db.deleteFrom('account_tokens').where('token_hash', '=', hash).execute();
  }

  async purge(before: string): Promise<number> {
    const r = await this.db.deleteFrom('account_tokens').where('expires_at', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

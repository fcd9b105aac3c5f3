import type { Kysely } from 'kysely';
import { toIso, type Database } from './schema.ts';

export interface StoredKey { kid: string; alg: string; publicJwk: string; privateJwkEncrypted: string; createdAt: string; retiredAt: string | null }

/** SQL for JWT signing keys. Several instances read the same rows, so they agree on the keys. */
export class SigningKeyStore {
  private readonly db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.db = db;
  }

  async all(): Promise<StoredKey[]> {
    const rows = await this.db.selectFrom('signing_keys').selectAll().orderBy('created_at', 'desc').orderBy('kid', 'desc').execute();
    return rows.map((r) => ({
      kid: r.kid, alg: r.alg, publicJwk: r.public_jwk, privateJwkEncrypted: r.private_jwk_encrypted,
      createdAt: toIso(r.created_at), retiredAt: r.retired_at === null ? null : toIso(r.retired_at),
    }));
  }

  /** Adds a key and, in the same transaction, retires every other key still signing. */
  async addActive(k: Omit<StoredKey, 'retiredAt'>): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('signing_keys').set({ retired_at: k.createdAt }).where('retired_at', 'is', null).execute();
      await trx.insertInto('signing_keys').values({
        kid: k.kid, alg: k.alg, public_jwk: k.publicJwk, private_jwk_encrypted: k.privateJwkEncrypted, created_at: k.createdAt, retired_at: null,
      }).execute();
    });
  }

  /** Deletes keys retired before `before` (no token they signed can still be valid). */
  async deleteRetiredBefore(before: string): Promise<number> {
    const r = await this.db.deleteFrom('signing_keys').where('retired_at', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

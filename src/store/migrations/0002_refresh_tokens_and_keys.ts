import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { DialectName } from '../database.ts';

/**
 * Refresh tokens (stored only as SHA-256 hashes; a used one is kept, marked, so that its reuse is detected) and
 * signing keys for asymmetric JWTs (private keys encrypted with a key derived from APP_SECRET).
 */
export function refreshTokensAndKeys(dialect: DialectName): Migration {
  const pg = dialect === 'postgres';
  const id = pg ? 'uuid' : 'text';
  const ts = pg ? 'timestamptz' : 'text';
  return {
    async up(db: Kysely<any>) {
      await db.schema.createTable('refresh_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('session_id', id, (c) => c.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('used_at', ts)
        .execute();
      await db.schema.createIndex('refresh_tokens_session_id_idx').on('refresh_tokens').column('session_id').execute();

      await db.schema.createTable('signing_keys')
        .addColumn('kid', 'text', (c) => c.primaryKey())
        .addColumn('alg', 'text', (c) => c.notNull())
        .addColumn('public_jwk', 'text', (c) => c.notNull())
        .addColumn('private_jwk_encrypted', 'text', (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        // Set when a newer key took over signing; the key still verifies until retired_at + the access-token lifetime.
        .addColumn('retired_at', ts)
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('signing_keys').execute();
      await db.schema.dropTable('refresh_tokens').execute();
    },
  };
}

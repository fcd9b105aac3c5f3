import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { DialectName } from '../database.ts';

/**
 * The second factor (src/mfa/):
 * - `users.mfa_enabled`: the user has a confirmed TOTP or a passkey, read with the user row (no extra query per login);
 * - `mfa_totp`: one authenticator app per user, its secret sealed (AES-GCM, bound to the user id), pending until
 *   confirmed, and the last time step accepted (RFC 6238 §5.2: a code is accepted once);
 * - `mfa_recovery_codes`: keyed digests of single-use recovery codes;
 * - `mfa_challenges`: the second step of a login: a digest of the mfa_token, the user, the first factor's amr, the
 *   transport and (cookie flows) a digest of the browser's binding cookie; single use, short-lived.
 * Additive: existing users start without a factor.
 */
export function mfa(dialect: DialectName): Migration {
  const pg = dialect === 'postgres';
  const id = pg ? 'uuid' : 'text';
  const ts = pg ? 'timestamptz' : 'text';
  const bool = pg ? 'boolean' : 'integer';
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('users').addColumn('mfa_enabled', bool, (c) => c.notNull().defaultTo(pg ? sql`false` : sql`0`)).execute();
      await db.schema.createTable('mfa_totp')
        .addColumn('user_id', id, (c) => c.primaryKey().references('users.id').onDelete('cascade'))
        .addColumn('secret_sealed', 'text', (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('confirmed_at', ts)
        .addColumn('last_step', 'bigint')
        .execute();
      await db.schema.createTable('mfa_recovery_codes')
        .addColumn('user_id', id, (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('used_at', ts)
        .addPrimaryKeyConstraint('mfa_recovery_codes_pk', ['user_id', 'code_hash'])
        .execute();
      await db.schema.createTable('mfa_challenges')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', id, (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('amr', 'text', (c) => c.notNull())
        .addColumn('transport', 'text', (c) => c.notNull().check(sql`transport in ('bearer', 'cookie')`))
        .addColumn('browser_hash', 'text')
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('expires_at', ts, (c) => c.notNull())
        .addColumn('used_at', ts)
        .execute();
      await db.schema.createIndex('mfa_challenges_expires_at_idx').on('mfa_challenges').column('expires_at').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('mfa_challenges').execute();
      await db.schema.dropTable('mfa_recovery_codes').execute();
      await db.schema.dropTable('mfa_totp').execute();
      await db.schema.alterTable('users').dropColumn('mfa_enabled').execute();
    },
  };
}

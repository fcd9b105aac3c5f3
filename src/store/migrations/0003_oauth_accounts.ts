import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { DialectName } from '../database.ts';

/**
 * Social login: provider accounts linked to users (the key is the provider's subject, never the email; the
 * provider's tokens are sealed), and pending authorization requests (single-use states with their PKCE verifier).
 */
export function oauthAccounts(dialect: DialectName): Migration {
  const pg = dialect === 'postgres';
  const id = pg ? 'uuid' : 'text';
  const ts = pg ? 'timestamptz' : 'text';
  return {
    async up(db: Kysely<any>) {
      await db.schema.createTable('oauth_accounts')
        .addColumn('id', id, (c) => c.primaryKey())
        .addColumn('user_id', id, (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('account_email', 'text')
        .addColumn('access_token', 'text')
        .addColumn('refresh_token', 'text')
        .addColumn('expires_at', ts)
        .addColumn('scope', 'text')
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        // One user per provider account, and one account per provider per user.
        .addUniqueConstraint('oauth_accounts_provider_account_key', ['provider', 'account_id'])
        .addUniqueConstraint('oauth_accounts_user_provider_key', ['user_id', 'provider'])
        .execute();

      await db.schema.createTable('oauth_states')
        .addColumn('state_hash', 'text', (c) => c.primaryKey())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose in ('login', 'associate')`))
        .addColumn('user_id', id, (c) => c.references('users.id').onDelete('cascade'))
        .addColumn('redirect_uri', 'text', (c) => c.notNull())
        .addColumn('code_verifier', 'text', (c) => c.notNull())
        .addColumn('nonce', 'text')
        .addColumn('binding_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('expires_at', ts, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('oauth_states_expires_at_idx').on('oauth_states').column('expires_at').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('oauth_states').execute();
      await db.schema.dropTable('oauth_accounts').execute();
    },
  };
}

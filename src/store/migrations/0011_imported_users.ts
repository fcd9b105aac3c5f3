import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { DialectName } from '../database.ts';

/**
 * Which Gatehouse user came from which user of which imported system (`gatehouse import`): a re-run finds the user it
 * wrote before and updates it instead of adding another, and an id or address that a Gatehouse user holds without
 * having come from that source is a conflict. `hash_digest` is the SHA-256 of the password hash last imported: while
 * the user's stored hash still has that digest it is the imported one (replaced on a re-run); once a login has
 * upgraded it, or the user changed the password here, it is Gatehouse's and a re-run leaves it alone. (A digest, not a
 * copy: the legacy hash must not outlive its upgrade.)
 */
export function importedUsers(dialect: DialectName): Migration {
  const pg = dialect === 'postgres';
  return {
    async up(db: Kysely<any>) {
      await db.schema.createTable('imported_users')
        .addColumn('user_id', pg ? 'uuid' : 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('source_id', 'text', (c) => c.notNull())
        .addColumn('hash_digest', 'text')
        .addColumn('imported_at', pg ? 'timestamptz' : 'text', (c) => c.notNull())
        .addUniqueConstraint('imported_users_source_key', ['source', 'source_id'])
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('imported_users').execute();
    },
  };
}

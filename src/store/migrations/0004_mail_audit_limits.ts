import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { DialectName } from '../database.ts';

/**
 * Single-use account tokens (email verification, password reset; stored as SHA-256 hashes), the durable mail
 * queue, the audit log, and per-account login failure counters (shared by every instance).
 */
export function mailAuditLimits(dialect: DialectName): Migration {
  const pg = dialect === 'postgres';
  const id = pg ? 'uuid' : 'text';
  const ts = pg ? 'timestamptz' : 'text';
  const serial = pg ? 'bigserial' : 'integer';
  return {
    async up(db: Kysely<any>) {
      await db.schema.createTable('account_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose in ('verify', 'reset')`))
        .addColumn('user_id', id, (c) => c.notNull().references('users.id').onDelete('cascade'))
        // The email the token was sent to, and a fingerprint of the password hash at that moment: a token
        // for an email the user no longer has, or issued before a password change, no longer works.
        .addColumn('email_key', 'text', (c) => c.notNull())
        .addColumn('password_fingerprint', 'text', (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('expires_at', ts, (c) => c.notNull())
        .addColumn('used_at', ts)
        .execute();
      await db.schema.createIndex('account_tokens_user_idx').on('account_tokens').columns(['user_id', 'purpose']).execute();
      await db.schema.createIndex('account_tokens_expires_idx').on('account_tokens').column('expires_at').execute();

      await db.schema.createTable('mail_outbox')
        .addColumn('id', serial, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'sent', 'dropped', 'failed')`))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', ts, (c) => c.notNull())
        .addColumn('locked_until', ts)
        .addColumn('last_error', 'text')
        .addColumn('token_hash', 'text')
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('finished_at', ts)
        .execute();
      await db.schema.createIndex('mail_outbox_due_idx').on('mail_outbox').columns(['status', 'next_attempt_at']).execute();

      await db.schema.createTable('audit_events')
        .addColumn('id', serial, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('user_id', id) // no foreign key: the trail outlives a deleted user
        .addColumn('actor_id', id)
        .addColumn('ip', 'text')
        .addColumn('user_agent', 'text')
        .addColumn('detail', 'text')
        .addColumn('created_at', ts, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_events_user_idx').on('audit_events').columns(['user_id', 'created_at']).execute();
      await db.schema.createIndex('audit_events_type_idx').on('audit_events').columns(['type', 'created_at']).execute();
      await db.schema.createIndex('audit_events_created_idx').on('audit_events').column('created_at').execute();

      await db.schema.createTable('login_failures')
        .addColumn('account_key', 'text', (c) => c.primaryKey())
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('locked_until', ts)
        .addColumn('last_failure_at', ts, (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ['login_failures', 'audit_events', 'mail_outbox', 'account_tokens']) await db.schema.dropTable(t).execute();
    },
  };
}

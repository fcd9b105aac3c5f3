import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * What a notice needs besides its address: the email-changed mail to the old address carries the new address
 * (masked) in `detail`. Verify and reset mails leave it null.
 */
export function mailOutboxDetail(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('mail_outbox').addColumn('detail', 'text').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('mail_outbox').dropColumn('detail').execute();
    },
  };
}

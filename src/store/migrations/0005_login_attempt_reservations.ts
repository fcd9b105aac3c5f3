import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Login attempts in flight per account key: an attempt is counted (reserved) before its password is verified, so
 * that parallel guesses cannot all pass the lock check before any failure is recorded (LoginThrottle.reserve).
 * Additive: existing rows start with none in flight.
 */
export function loginAttemptReservations(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('login_failures').addColumn('pending', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('login_failures').dropColumn('pending').execute();
    },
  };
}

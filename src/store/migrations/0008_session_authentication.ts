import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { DialectName } from '../database.ts';

/**
 * How each session was authenticated (src/model/authentication.ts): `amr`, a JSON array of RFC 8176 values, and
 * `auth_time`, when the user last proved themselves (a re-authentication moves it, the session stays).
 * Sessions opened before this migration keep NULLs: their method is unknown and their auth_time is their created_at,
 * so they never pass a check that asks for a factor (step-up, `mfa`).
 */
export function sessionAuthentication(dialect: DialectName): Migration {
  const ts = dialect === 'postgres' ? 'timestamptz' : 'text';
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('sessions').addColumn('amr', 'text').execute();
      await db.schema.alterTable('sessions').addColumn('auth_time', ts).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('sessions').dropColumn('auth_time').execute();
      await db.schema.alterTable('sessions').dropColumn('amr').execute();
    },
  };
}

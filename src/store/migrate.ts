import { sql, type Kysely } from 'kysely';
import { DEFAULT_MIGRATION_TABLE, Migrator, type Migration, type MigrationResult } from 'kysely/migration';
import type { Db, DialectName } from './database.ts';
import { usersAndSessions } from './migrations/0001_users_and_sessions.ts';
import { refreshTokensAndKeys } from './migrations/0002_refresh_tokens_and_keys.ts';
import { oauthAccounts } from './migrations/0003_oauth_accounts.ts';
import { mailAuditLimits } from './migrations/0004_mail_audit_limits.ts';
import { loginAttemptReservations } from './migrations/0005_login_attempt_reservations.ts';
import { mailOutboxDetail } from './migrations/0006_mail_outbox_detail.ts';
import { normalizeEmails } from './migrations/0007_normalize_emails.ts';
import { sessionAuthentication } from './migrations/0008_session_authentication.ts';
import { mfa } from './migrations/0009_mfa.ts';
import { passkeys } from './migrations/0010_passkeys.ts';
import { importedUsers } from './migrations/0011_imported_users.ts';

/** Every migration, in order. Names sort in the order they run; never rename or edit one that has shipped. */
export const migrations = (dialect: DialectName): Record<string, Migration> => ({
  '0001_users_and_sessions': usersAndSessions(dialect),
  '0002_refresh_tokens_and_keys': refreshTokensAndKeys(dialect),
  '0003_oauth_accounts': oauthAccounts(dialect),
  '0004_mail_audit_limits': mailAuditLimits(dialect),
  '0005_login_attempt_reservations': loginAttemptReservations(),
  '0006_mail_outbox_detail': mailOutboxDetail(),
  '0007_normalize_emails': normalizeEmails(),
  '0008_session_authentication': sessionAuthentication(dialect),
  '0009_mfa': mfa(dialect),
  '0010_passkeys': passkeys(dialect),
  '0011_imported_users': importedUsers(dialect),
});

/** The names of every migration, in the order they run. */
export const migrationNames = (dialect: DialectName): string[] => Object.keys(migrations(dialect));

/** An arbitrary constant: the PostgreSQL advisory lock that lets exactly one instance migrate at a time. */
export const MIGRATION_LOCK = 0x6761_7465; // "gate"

export interface MigrationReport { applied: string[] }

/**
 * Brings the schema to the latest version. Idempotent. Several processes may call it at once:
 * on PostgreSQL they queue on an advisory lock (Kysely's own lock table is created racily), and
 * on SQLite the write lock serialises them. Each migration runs in its own transaction.
 */
export async function migrateToLatest(db: Db): Promise<MigrationReport> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrateOnce(db);
    } catch (err) {
      // Kysely's migrator lists the tables of every schema in the database; a schema that someone else drops during
      // that scan makes PostgreSQL raise 3F000 (invalid_schema_name) about *their* schema. Nothing was applied: retry.
      if (attempt >= 3 || (err as { cause?: { code?: string } }).cause?.code !== '3F000') throw err;
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }
}

async function migrateOnce(db: Db): Promise<MigrationReport> {
  // The common case, a restart with nothing to apply, is answered by one read of Kysely's table: no lock, and not the
  // migrator's scan of every table (on local PostgreSQL, 2026-12-07: 14.2 ms → 0.8 ms once warm; 45–57 ms of a
  // restart's start before). Anything else goes to the migrator, which applies what is pending, or refuses a database
  // that ran a migration this version does not know, as before.
  if (sameNames(await executedMigrations(db), migrationNames(db.dialect))) return { applied: [] };
  const run = async (k: Kysely<any>) => {
    const migrator = await migratorFor(db, k);
    const { error, results = [] } = await migrator.migrateToLatest();
    if (error) throw new MigrationError(results, error);
    return { applied: results.filter((r) => r.status === 'Success').map((r) => r.migrationName) };
  };
  if (db.dialect !== 'postgres') return run(db.kysely);
  return db.kysely.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`.execute(conn);
    try {
      return await run(conn);
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`.execute(conn);
    }
  });
}

/**
 * Which migrations have not run yet (for readiness and `gatehouse migrate --check`): one read of Kysely's table,
 * which readiness probes make every few seconds (the migrator would scan every table of the database each time).
 */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const executed = new Set(await executedMigrations(db));
  return migrationNames(db.dialect).filter((name) => !executed.has(name));
}

/**
 * The names Kysely's table records as run, in the schema the migrator uses (on PostgreSQL current_schema(): see
 * migratorFor); none when the table does not exist yet (a new database), or when the search_path names no schema that
 * exists (the migrator then fails with PostgreSQL's own "no schema has been selected to create in"). Reads only.
 */
async function executedMigrations(db: Db): Promise<string[]> {
  if (db.dialect === 'postgres') {
    const { rows: [where] } = await sql<{ schema: string | null; present: boolean }>`select current_schema() as schema,
      case when current_schema() is null then false
        else to_regclass(format('%I.%I', current_schema(), ${DEFAULT_MIGRATION_TABLE}::text)) is not null end as present`.execute(db.kysely);
    if (!where?.present || where.schema === null) return [];
    const { rows } = await sql<{ name: string }>`select name from ${sql.id(where.schema, DEFAULT_MIGRATION_TABLE)}`.execute(db.kysely);
    return rows.map((r) => r.name);
  }
  const { rows: present } = await sql`select 1 from sqlite_master where type = 'table' and name = ${DEFAULT_MIGRATION_TABLE}`.execute(db.kysely);
  if (present.length === 0) return [];
  const { rows } = await sql<{ name: string }>`select name from ${sql.table(DEFAULT_MIGRATION_TABLE)}`.execute(db.kysely);
  return rows.map((r) => r.name);
}

/** The same names, each once, in any order. */
const sameNames = (a: string[], b: string[]): boolean => a.length === b.length && new Set(a).size === a.length && b.every((n) => a.includes(n));

/**
 * Kysely's migrator looks for its own tables in every schema; on PostgreSQL, pin it to the schema the connection
 * writes to (current_schema(), from search_path), so that two Gatehouse databases in one PostgreSQL database
 * (a schema each) never see each other's migration state.
 */
async function migratorFor(db: Db, k: Kysely<any>): Promise<Migrator> {
  const provider = { getMigrations: async () => migrations(db.dialect) };
  if (db.dialect !== 'postgres') return new Migrator({ db: k, provider });
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(k);
  return new Migrator({ db: k, provider, migrationTableSchema: rows[0]!.schema });
}

export class MigrationError extends Error {
  readonly results: MigrationResult[];

  constructor(results: MigrationResult[], cause: unknown) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    super(`migration ${failed} failed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.results = results;
    this.name = 'MigrationError';
  }
}

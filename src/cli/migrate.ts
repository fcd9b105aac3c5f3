import type { Config } from '../config/config.ts';
import { NoSuchDatabaseError, openDatabase } from '../store/database.ts';
import { migrateToLatest, migrationNames, pendingMigrations } from '../store/migrate.ts';

/** `gatehouse migrate [--check]`. */
export async function migrate(config: Config, check: boolean): Promise<number> {
  if (check) return migrateCheck(config);
  const db = openDatabase(config.databaseUrl);
  try {
    const { applied } = await migrateToLatest(db);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : `${db.describe}: up to date`);
    return 0;
  } finally {
    await db.close();
  }
}

/** `migrate --check`: reads, never writes; a SQLite file that does not exist yet has every migration pending. */
async function migrateCheck(config: Config): Promise<number> {
  let db;
  try {
    db = openDatabase(config.databaseUrl, { readOnly: true });
  } catch (err) {
    if (!(err instanceof NoSuchDatabaseError)) throw err;
    console.log(`pending: ${migrationNames('sqlite').join(', ')} (${err.message})`);
    return 1;
  }
  try {
    const pending = await pendingMigrations(db);
    console.log(pending.length ? `pending: ${pending.join(', ')}` : 'up to date');
    return pending.length ? 1 : 0;
  } finally {
    await db.close();
  }
}

import type { Config } from '../config/config.ts';
import { NoSuchDatabaseError, openDatabase } from '../store/database.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { runImport } from '../import/run.ts';
import { SOURCES, type SourceName } from '../import/source-names.ts';
import { IMPORT_HELP } from './help.ts';
import { SourceError } from '../import/source-db.ts';

export interface ImportArgs {
  from?: string; 'dry-run'?: boolean; 'skip-conflicts'?: boolean; 'batch-size'?: string;
  'users-table'?: string; 'accounts-table'?: string; 'username-column'?: string; 'full-name-column'?: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;

/** `gatehouse import`: checks the arguments (exit 2 with the reason), then runs the import. */
export async function importCommand(config: Config, sourceName: string | undefined, a: ImportArgs): Promise<number> {
  const usage = (why: string) => { console.error(`gatehouse import: ${why}\n\n${IMPORT_HELP}`); return 2; };
  if (!sourceName || !(SOURCES as readonly string[]).includes(sourceName)) return usage(`the source must be one of ${SOURCES.join(', ')}`);
  if (!a.from) return usage('--from is required');
  const batchSize = a['batch-size'] === undefined ? 1000 : Number(a['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) return usage('--batch-size must be a whole number from 1 to 10000');
  for (const opt of ['users-table', 'accounts-table', 'username-column', 'full-name-column'] as const) {
    const v = a[opt];
    if (v !== undefined && (!IDENTIFIER.test(v) || (opt.endsWith('column') && v.includes('.')))) return usage(`--${opt} ${JSON.stringify(v)} is not a plain SQL name`);
  }
  const db = openDatabase(config.databaseUrl);
  try {
    await migrateToLatest(db);
    return await runImport({
      source: sourceName as SourceName, from: a.from, dryRun: a['dry-run'] ?? false, skipConflicts: a['skip-conflicts'] ?? false, batchSize,
      usersTable: a['users-table'], accountsTable: a['accounts-table'], usernameColumn: a['username-column'], fullNameColumn: a['full-name-column'],
    }, { db, secret: config.secret }, { say: (line) => console.log(line), progress: process.stderr });
  } catch (err) {
    if (err instanceof SourceError) { console.error(`gatehouse import: ${err.message}`); return 2; }
    if (err instanceof NoSuchDatabaseError) { console.error(`gatehouse import: --from: ${err.message}`); return 2; }
    throw err;
  } finally {
    await db.close();
  }
}

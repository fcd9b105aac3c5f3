import { loadSqlite } from '../store/drivers.ts';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../config/config.ts';
import { isPostgresUrl, sqlitePath } from '../store/database.ts';

/**
 * `gatehouse backup --to FILE`: a consistent copy of the SQLite database while the server keeps serving, through
 * SQLite's online backup API (it copies pages and restarts if a writer changes them, so the copy is one moment of
 * the database, WAL included). Written to FILE.partial and renamed: a copy that did not finish never looks like one.
 * PostgreSQL has pg_dump for that.
 */
export async function backup(config: Config, to: string | undefined): Promise<number> {
  if (!to) {
    console.error('gatehouse backup: --to FILE is required');
    return 2;
  }
  if (isPostgresUrl(config.databaseUrl)) {
    console.error('gatehouse backup: DATABASE_URL is PostgreSQL: use pg_dump (see README, "Backup and restore")');
    return 2;
  }
  const from = sqlitePath(config.databaseUrl);
  const target = resolve(to);
  if (from === ':memory:' || !existsSync(from)) {
    console.error(`gatehouse backup: there is no SQLite database at ${from}`);
    return 2;
  }
  if (existsSync(target)) {
    console.error(`gatehouse backup: ${target} exists; give a new file (a backup never overwrites)`);
    return 2;
  }
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  const BetterSqlite3 = loadSqlite();
  const db = new BetterSqlite3(from, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const { totalPages } = await db.backup(partial);
    const copy = new BetterSqlite3(partial, { fileMustExist: true });
    try {
      const check = copy.pragma('integrity_check', { simple: true });
      if (check !== 'ok') throw new Error(`the copy failed its integrity check: ${String(check)}`);
      copy.pragma('journal_mode = DELETE'); // one self-contained file, no -wal beside it
    } finally {
      copy.close();
    }
    renameSync(partial, target);
    console.log(`backed up ${from} to ${target} (${totalPages} pages, integrity ok)`);
    return 0;
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  } finally {
    db.close();
  }
}

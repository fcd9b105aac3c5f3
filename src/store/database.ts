import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import { loadPg, loadSqlite } from './drivers.ts';
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { LRUCache } from 'lru-cache';
import type { Database } from './schema.ts';

export type DialectName = 'sqlite' | 'postgres';

export interface Db {
  kysely: Kysely<Database>;
  dialect: DialectName;
  /** Where the data lives, without credentials: for logs. */
  describe: string;
  /** PostgreSQL pool state, for metrics; undefined on SQLite. */
  poolState?: () => { total: number; idle: number; waiting: number };
  /** The PostgreSQL pool and URL (LISTEN/NOTIFY needs them); undefined on SQLite. */
  pg?: { pool: pg.Pool; url: string };
  close(): Promise<void>;
}

/** The SQLite file a DATABASE_URL names: sqlite:///rel.db, sqlite:////abs.db, sqlite://:memory:, or a bare path. */
export function sqlitePath(url: string, cwd = process.cwd()): string {
  let path = url;
  if (url.startsWith('sqlite://')) path = url.slice('sqlite://'.length).replace(/^\//, '');
  else if (url.startsWith('sqlite:')) path = url.slice('sqlite:'.length);
  if (path === '') throw new Error('DATABASE_URL names no SQLite file');
  return path === ':memory:' ? path : resolve(cwd, path);
}

export const isPostgresUrl = (url: string): boolean => /^postgres(ql)?:\/\//i.test(url);

export interface OpenOptions {
  poolSize?: number;
  onPoolError?: (err: Error) => void;
  /**
   * SQLite only: open an existing file read-only and never create one (`gatehouse migrate --check`). A missing file
   * throws NoSuchDatabaseError.
   */
  readOnly?: boolean;
}

/** A read-only open found no SQLite file where DATABASE_URL points. */
export class NoSuchDatabaseError extends Error {
  readonly file: string;

  constructor(file: string) {
    super(`no SQLite database at ${file}`);
    this.file = file;
    this.name = 'NoSuchDatabaseError';
  }
}

export function openDatabase(url: string, opts: OpenOptions = {}): Db {
  if (isPostgresUrl(url)) {
    const pool = new (loadPg().Pool)({ connectionString: url, max: opts.poolSize ?? 10, connectionTimeoutMillis: 5000 });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    pool.on('error', (err) => opts.onPoolError?.(err));
    const u = new URL(url);
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return {
      kysely, dialect: 'postgres', describe: `postgres://${u.host}${u.pathname}`, close: () => kysely.destroy(), pg: { pool, url },
      poolState: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    };
  }
  const file = sqlitePath(url);
  const readOnly = opts.readOnly ?? false;
  if (readOnly && file !== ':memory:' && !existsSync(file)) throw new NoSuchDatabaseError(file);
  const kysely = new Kysely<Database>({
    dialect: new SqliteDialect({
      database: async () => {
        const Sqlite = loadSqlite();
        const db = withStatementCache(new Sqlite(file, { readonly: readOnly, fileMustExist: readOnly }));
        db.pragma('busy_timeout = 5000');
        if (readOnly) return db;
        db.pragma('journal_mode = WAL');
        // WAL + NORMAL: a commit survives a crash of the process (kill -9); only an OS crash can lose the last ones.
        db.pragma('synchronous = NORMAL');
        db.pragma('foreign_keys = ON');
        // SQLite's own page cache size (~2 MB), not better-sqlite3's build default (-16000, ~16 MB per connection): the
        // cache fills with the database up to its cap and stays, and the soak's memory climb was mostly this filling.
        // `node bench/micro/page-cache.ts` (2026-12-07), the lookup behind each request, a random session of N: 20,000
        // users (a 14 MiB file, fits in 16 MB, not in 2) 25.5 µs against 20.0 µs; 200,000 (fits in neither) 31.4 µs
        // against 31.6 µs. ≤ 5 µs on a session-cache miss of a mid-sized database, for up to 14 MiB less per process.
        db.pragma('cache_size = -2000');
        return db;
      },
    }),
  });
  return { kysely, dialect: 'sqlite', describe: `sqlite:${file}`, close: () => kysely.destroy() };
}

/**
 * Kysely prepares every query anew; better-sqlite3 statements can be reused, so keep the most recent ones
 * (Kysely runs one query at a time on this connection, so a statement is never in use twice). An lru-cache: every
 * query looks its SQL up here, and a hit cost 0.047 µs of CPU against 0.076 µs with the hand-written Map it replaced
 * (delete and set again to move a hit last; `node bench/micro/caches.ts`).
 */
function withStatementCache(db: BetterSqlite3.Database, max = 256): BetterSqlite3.Database {
  const cache = new LRUCache<string, BetterSqlite3.Statement>({ max });
  const prepare = db.prepare.bind(db);
  db.prepare = ((source: string) => {
    let stmt = cache.get(source);
    if (!stmt) cache.set(source, stmt = prepare(source));
    return stmt;
  }) as typeof db.prepare;
  return db;
}

export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db.kysely);
}

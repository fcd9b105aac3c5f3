// The database drivers, each loaded when a database of its kind is first opened: a server on SQLite never loads the
// PostgreSQL client (pg and its parsers, ~30 modules), one on PostgreSQL never loads SQLite's native module. Both
// are CommonJS, so they load synchronously and openDatabase() stays synchronous for its callers; Node caches them
// after the first call. Measured with bench/footprint (`npm run bench:footprint`).
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';

const require = createRequire(import.meta.url);

export const loadPg = (): typeof pg => require('pg') as typeof pg;
export const loadSqlite = (): typeof BetterSqlite3 => require('better-sqlite3') as typeof BetterSqlite3;

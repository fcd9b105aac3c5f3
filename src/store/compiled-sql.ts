// Queries on the hot paths (the live-session lookup, login, registration, refresh) compiled once at start.
//
// Kept, measured: `node bench/micro/sql.ts` (2-core development machine, 2026-12-06, SQLite in memory, two runs):
// the live-session lookup (session by id, then its user: what an authenticated request reads when the session cache
// does not answer, and every request with SESSION_CACHE_MS=0) costs 8.9–14.3 µs of CPU compiled once against
// 26.8–44.0 µs when Kysely builds and compiles both queries on every call (×3.0–3.1); a refresh's transaction
// (claim, insert, touch) 29 µs against 75 µs (×2.5), on a refresh that costs ~330 µs of server CPU in all. Every
// other query is a plain Kysely call.
//
// The types stay Kysely's own: compileOnce keeps the row type Kysely inferred for the query it was given, and
// firstRow and execute give rows of that type, exactly as Kysely's executeTakeFirst would (neither checks the driver's
// rows at run time; both trust the query builder's inference). No caller names a row type of its own.
import type { CompiledQuery, Compilable, Kysely, QueryResult } from 'kysely';
import type { Database } from './schema.ts';

type Executor = Pick<Kysely<Database>, 'executeQuery'>;

/**
 * Builds `q` once, to be run many times with new parameters (Kysely would rebuild it on every call), with its `count`
 * placeholders checked at start: a value Kysely inlines or adds as a parameter (a null, say) would shift the
 * parameters given later. The result is Kysely's own compiled query, with the row type Kysely inferred for `q`.
 */
export function compileOnce<Row>(q: Compilable<Row>, count: number): CompiledQuery<Row> {
  const compiled = q.compile();
  if (compiled.parameters.length !== count) throw new Error(`expected ${count} parameters, the query has ${compiled.parameters.length}: ${compiled.sql}`);
  return compiled;
}

/** Runs `q` with `parameters` in place of the ones it was compiled with (on the database or in a transaction). */
export function execute<Row>(db: Executor, q: CompiledQuery<Row>, parameters: readonly unknown[]): Promise<QueryResult<Row>> {
  if (parameters.length !== q.parameters.length) throw new Error(`expected ${q.parameters.length} parameters, given ${parameters.length}: ${q.sql}`);
  return db.executeQuery({ ...q, parameters });
}

/** The first row `q` returns, if any. */
export async function firstRow<Row>(db: Executor, q: CompiledQuery<Row>, parameters: readonly unknown[]): Promise<Row | undefined> {
  return (await execute(db, q, parameters)).rows[0];
}

import { CompiledQuery, type Compilable, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

/**
 * The SQL of a query built once and run many times with CompiledQuery.raw (Kysely would rebuild it on every call),
 * with its `count` placeholders checked at start: a value Kysely inlines or adds as a parameter (a null, say) would
 * shift the parameters given later.
 */
export function sqlOf(q: Compilable, count: number): string {
  const { sql, parameters } = q.compile();
  if (parameters.length !== count) throw new Error(`expected ${count} parameters, the query has ${parameters.length}: ${sql}`);
  return sql;
}

/** Runs SQL from sqlOf with its parameters (on the database or in a transaction); the first row, if any. */
export async function firstRow<R>(db: Pick<Kysely<Database>, 'executeQuery'>, sql: string, parameters: unknown[]): Promise<R | undefined> {
  const { rows } = await db.executeQuery<R>(CompiledQuery.raw(sql, parameters));
  return rows[0];
}

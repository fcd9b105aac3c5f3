import type { Compilable } from 'kysely';

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

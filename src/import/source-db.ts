import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { openDatabase, type DialectName } from '../store/database.ts';

/**
 * A source system's database, opened for reading: a SQLite file (read-only, never created) or PostgreSQL. Its tables
 * are the other system's, so queries name them as text (Kysely<any>); values come back as each driver gives them.
 */
export interface SourceDb {
  db: Kysely<any>;
  dialect: DialectName;
  close(): Promise<void>;
}

export function openSource(url: string): SourceDb {
  const opened = openDatabase(url, { readOnly: true, poolSize: 2 });
  return { db: opened.kysely as unknown as Kysely<any>, dialect: opened.dialect, close: () => opened.close() };
}

/** `schema.table` or `table`, split (a schema only on PostgreSQL). */
export interface TableName { schema: string | undefined; table: string }
export function tableName(name: string): TableName {
  const dot = name.indexOf('.');
  return dot < 0 ? { schema: undefined, table: name } : { schema: name.slice(0, dot), table: name.slice(dot + 1) };
}
export const showTable = (t: TableName): string => (t.schema ? `${t.schema}.${t.table}` : t.table);

/** selectFrom() on the table, in its schema when it has one. */
export function from(src: SourceDb, t: TableName) {
  return (t.schema ? src.db.withSchema(t.schema) : src.db).selectFrom(t.table);
}

/** The table's column names, or undefined when there is no such table. */
export async function columnsOf(src: SourceDb, t: TableName): Promise<Set<string> | undefined> {
  if (src.dialect === 'sqlite') {
    const { rows } = await sql<{ name: string }>`select name from pragma_table_info(${t.table})`.execute(src.db);
    return rows.length ? new Set(rows.map((r) => r.name)) : undefined;
  }
  const { rows } = await sql<{ column_name: string }>`select column_name from information_schema.columns
    where table_name = ${t.table} and table_schema = coalesce(${t.schema ?? null}::text, current_schema())`.execute(src.db);
  return rows.length ? new Set(rows.map((r) => r.column_name)) : undefined;
}

/** The columns, or an error that names the table and the option that changes it. */
export async function requireTable(src: SourceDb, t: TableName, option: string): Promise<Set<string>> {
  const cols = await columnsOf(src, t);
  if (!cols) throw new SourceError(`no table "${showTable(t)}" in the source database (${option} names another)`);
  return cols;
}

export function requireColumns(cols: Set<string>, t: TableName, wanted: string[]): void {
  const missing = wanted.filter((c) => !cols.has(c));
  if (missing.length) throw new SourceError(`table "${showTable(t)}" has no column ${missing.map((c) => `"${c}"`).join(', ')}: is it the right table?`);
}

/** The source's database or shape is not what the source type expects. */
export class SourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceError';
  }
}

/** A driver's boolean: PostgreSQL's true/false, SQLite's 0/1 (or text from an odd dump). */
export const asBool = (v: unknown): boolean => v === true || v === 1 || v === 1n || v === '1' || v === 't' || v === 'true';

/** A driver's timestamp as ISO-8601: a Date, ISO or SQL text, or a number of seconds or milliseconds since 1970. */
export function asIso(v: unknown): string | null {
  if (v === null || v === undefined || v === '') return null;
  let d: Date;
  if (v instanceof Date) d = v;
  else if (typeof v === 'number' || typeof v === 'bigint') d = new Date(Number(v) > 1e11 ? Number(v) : Number(v) * 1000);
  else d = new Date(/^\d{4}-\d\d-\d\d \d/.test(String(v)) && !/[zZ]|[+-]\d\d(:?\d\d)?$/.test(String(v)) ? `${String(v).replace(' ', 'T')}Z` : String(v));
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export const asText = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** Reads rows of a table in pages ordered by `key` (keyset pagination: no OFFSET, so page n costs what page 1 does). */
export async function* pages<R extends Record<string, unknown>>(
  query: (after: string | undefined) => { execute(): Promise<R[]> }, key: keyof R,
): AsyncGenerator<R[]> {
  for (let after: string | undefined; ;) {
    const rows = await query(after).execute();
    if (rows.length === 0) return;
    yield rows;
    after = String(rows.at(-1)![key]);
  }
}

/** A query on one table; a filter narrows it (the same filter for the count and the pages). */
type TableQuery = ReturnType<typeof from>;

/**
 * A source's user table: how many rows, and the rows in pages of `size` ordered by `id` (keyset, `pages()`), both
 * through `filter` (Supabase leaves out deleted and anonymous users).
 */
export function userTable(src: SourceDb, t: TableName, filter: (q: TableQuery) => TableQuery = (q) => q) {
  return {
    async count(): Promise<number> {
      const r = await filter(from(src, t)).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      return Number(r.n);
    },
    pages(columns: string[], size: number): AsyncGenerator<Record<string, unknown>[]> {
      return pages((after) => {
        let q = filter(from(src, t)).select(columns).orderBy('id').limit(size);
        if (after !== undefined) q = q.where('id', '>', after);
        return q;
      }, 'id');
    },
  };
}

/** Whether an index of the table starts with `column`, so that `column in (…)` is answered without reading the table. */
export async function isIndexed(src: SourceDb, t: TableName, column: string): Promise<boolean> {
  if (src.dialect === 'sqlite') {
    const { rows } = await sql`select 1 from pragma_index_list(${t.table}) il join pragma_index_info(il.name) ii
      where ii.seqno = 0 and ii.name = ${column}`.execute(src.db);
    return rows.length > 0;
  }
  const { rows } = await sql`select 1 from pg_index i join pg_class c on c.oid = i.indrelid
    join pg_namespace n on n.oid = c.relnamespace join pg_attribute a on a.attrelid = c.oid and a.attnum = i.indkey[0]
    where c.relname = ${t.table} and n.nspname = coalesce(${t.schema ?? null}::text, current_schema()) and a.attname = ${column}`.execute(src.db);
  return rows.length > 0;
}

/**
 * The rows of a child table (OAuth accounts) for one batch of users at a time. With an index on the user column each
 * batch asks for its own; without one (fastapi-users' oauth_account has none) every such query would read the whole
 * table, a million times over for a million users, so the table is read once per pass instead and handed out by user.
 */
export function childRows<R>(indexed: boolean, some: (userIds: string[]) => Promise<R[]>, all: () => Promise<R[]>, userOf: (r: R) => string) {
  let everything: Map<string, R[]> | undefined;
  const group = (rows: R[]) => {
    const m = new Map<string, R[]>();
    for (const r of rows) {
      const list = m.get(userOf(r));
      if (list) list.push(r); else m.set(userOf(r), [r]);
    }
    return m;
  };
  return async (userIds: string[]): Promise<Map<string, R[]>> => {
    if (userIds.length === 0) return new Map();
    if (indexed) return group(await some(userIds));
    everything ??= group(await all());
    const out = new Map<string, R[]>();
    for (const id of userIds) {
      const rows = everything.get(id);
      if (rows) { out.set(id, rows); everything.delete(id); }
    }
    return out;
  };
}

// A PostgreSQL database of the benchmark's own, dropped and created again at each start.
//
// Only names starting with "gatehouse_bench_" are accepted: the tests' gatehouse_test and a developer's gatehouse
// database are never touched. The database belongs to the role gatehouse (password gatehouse), as in .ci/run. If
// that role may create databases, it does so itself; otherwise (or if the role does not exist yet) the superuser
// postgres does, over 127.0.0.1 (trust or a password in BENCH_PG_ADMIN_URL), creating the role first when missing.
import pg from 'pg';

const HOST = process.env.BENCH_PG_HOST ?? '127.0.0.1';
const PORT = process.env.BENCH_PG_PORT ?? '5432';
const OWNER = 'gatehouse';
const ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? `postgres://postgres@${HOST}:${PORT}/postgres`;

export interface BenchDatabase {
  /** postgres://gatehouse:gatehouse@…/<name> */
  url: string;
  name: string;
  drop(): Promise<void>;
}

const urlOf = (name: string) => `postgres://${OWNER}:${OWNER}@${HOST}:${PORT}/${name}`;

async function withClient<T>(url: string, f: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    return await f(c);
  } finally {
    await c.end().catch(() => {});
  }
}

/** A client allowed to create databases owned by gatehouse: gatehouse itself if it has CREATEDB, else the superuser. */
async function withCreator<T>(f: (c: pg.Client) => Promise<T>): Promise<T> {
  const selfCreate = await withClient(urlOf('postgres'), async (c) => {
    const r = await c.query<{ rolcreatedb: boolean }>('select rolcreatedb from pg_roles where rolname = current_user');
    return r.rows[0]?.rolcreatedb === true;
  }).catch(() => false); // no such role, wrong password, no access to "postgres": ask the superuser
  if (selfCreate) return withClient(urlOf('postgres'), f);
  return withClient(ADMIN_URL, async (c) => {
    const role = await c.query('select 1 from pg_roles where rolname = $1', [OWNER]);
    if (role.rowCount === 0) await c.query(`create role ${OWNER} login password '${OWNER}'`);
    return f(c);
  });
}

function checkName(name: string): void {
  if (!/^gatehouse_bench_[a-z0-9_]+$/.test(name)) throw new Error(`refusing to manage database "${name}": not gatehouse_bench_*`);
}

async function dropDatabase(c: pg.Client, name: string): Promise<void> {
  await c.query(`drop database if exists ${name} with (force)`); // force: a killed run may have left connections
}

/** Drops `name` if it exists, creates it empty (owner gatehouse), and returns its URL. */
export async function recreateDatabase(name: string): Promise<BenchDatabase> {
  checkName(name);
  await withCreator(async (c) => {
    await dropDatabase(c, name);
    await c.query(`create database ${name} owner ${OWNER}`);
  });
  return { url: urlOf(name), name, drop: () => withCreator((c) => dropDatabase(c, name)) };
}

/** "PostgreSQL 15.20", for the report. */
export function serverVersion(url: string): Promise<string> {
  return withClient(url, async (c) => `PostgreSQL ${(await c.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]!.v.split(' ')[0]}`);
}

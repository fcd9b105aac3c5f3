// The databases every HTTP test runs on: SQLite always, PostgreSQL when reachable (in CI it must be).
import pg from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  /** A fresh, empty database for one suite: a temp SQLite file, or a private PostgreSQL schema. */
  create(): Promise<{ url: string; drop(): Promise<void> }>;
}

/** .ci/run creates this role and database; override with TEST_DATABASE_URL_PG. */
export const PG_URL = process.env.TEST_DATABASE_URL_PG ?? 'postgres://gatehouse:gatehouse@127.0.0.1:5432/gatehouse_test';

const sqlite: TestDatabase = {
  name: 'sqlite',
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
    return { url: `sqlite:///${join(dir, 'test.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  },
};

const postgres: TestDatabase = {
  name: 'postgres',
  async create() {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    const url = new URL(PG_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    return {
      url: url.href,
      async drop() {
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        await c.query(`drop schema if exists ${schema} cascade`);
        await c.end();
      },
    };
  },
};

let pgReachable: Promise<string | undefined> | undefined;
/** Undefined when PostgreSQL answers, else why not. */
function probePostgres(): Promise<string | undefined> {
  pgReachable ??= (async () => {
    const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
    try {
      await c.connect();
      await c.query('select 1');
      return undefined;
    } catch (err) {
      return (err as Error).message;
    } finally {
      await c.end().catch(() => {});
    }
  })();
  return pgReachable;
}

/**
 * SQLite, plus PostgreSQL when it answers. When it does not: in CI (CI=true) that is a failure;
 * elsewhere a loud warning and the PostgreSQL half is skipped.
 */
export async function testDatabases(): Promise<TestDatabase[]> {
  const why = await probePostgres();
  if (why === undefined) return [sqlite, postgres];
  const msg = `PostgreSQL at ${PG_URL.replace(/:[^:@/]*@/, ':***@')} is unreachable (${why})`;
  if (process.env.CI) throw new Error(`${msg}: CI requires it (.ci/run starts it)`);
  process.stderr.write(`\n!!! ${msg}: PostgreSQL tests are SKIPPED. Run .ci/run or start PostgreSQL.\n\n`);
  return [sqlite];
}

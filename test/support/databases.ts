// The databases every HTTP test runs on: SQLite always, PostgreSQL when reachable (in CI it must be).
import pg from 'pg';
import { describe, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  /** Why this database's suites are skipped (PostgreSQL unreachable outside CI); undefined when they run. */
  skip?: string;
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
/**
 * Undefined when PostgreSQL answers, else why not. A loaded machine can be slow to accept a connection: each try
 * may take 10 s, and a refusal is retried twice, so a busy server is not mistaken for a missing one.
 */
function probePostgres(): Promise<string | undefined> {
  pgReachable ??= (async () => {
    let why = '';
    for (let attempt = 1; attempt <= 3; attempt++) {
      const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 10_000 });
      try {
        await c.connect();
        await c.query('select 1');
        return undefined;
      } catch (err) {
        why = (err as Error).message;
      } finally {
        await c.end().catch(() => {});
      }
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
    return why;
  })();
  return pgReachable;
}

/**
 * SQLite and PostgreSQL. When PostgreSQL cannot be reached: in CI (CI=true) that is a failure, with the reason;
 * elsewhere a loud warning, and PostgreSQL's suites are marked skipped with the reason (`skip`), so the runner's
 * summary counts them.
 */
export async function testDatabases(): Promise<TestDatabase[]> {
  const why = await probePostgres();
  if (why === undefined) return [sqlite, postgres];
  const msg = `PostgreSQL at ${PG_URL.replace(/:[^:@/]*@/, ':***@')} is unreachable (${why})`;
  if (process.env.CI) throw new Error(`${msg}: CI requires it (.ci/run starts it; see README, "Tests")`);
  process.stderr.write(`\n!!! ${msg}: PostgreSQL tests are SKIPPED. Run .ci/run or start PostgreSQL (README, "Tests").\n\n`);
  return [sqlite, { ...postgres, skip: `${msg} (README, "Tests")` }];
}

/**
 * describe() on one database; when that database is skipped, a suite with one skipped test that says why, so the
 * runner's summary counts it (a skipped describe() alone is not counted).
 */
export function describeOn(database: TestDatabase, title: string, options: { timeout?: number }, fn: () => void): void {
  if (database.skip) describe(title, () => { test(`not run on ${database.name}`, { skip: database.skip }, () => {}); });
  else describe(title, options, fn);
}

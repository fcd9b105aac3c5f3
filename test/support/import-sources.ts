// Source databases for the import tests: a fresh SQLite file or PostgreSQL schema, filled with SQL of the exact shape
// the other system creates, and password hashes made by other libraries (test/support/foreign-hashes.py).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import type { TestDatabase } from './databases.ts';

const HASHER = fileURLToPath(new URL('./foreign-hashes.py', import.meta.url));

export type Scheme = 'bcrypt-2b' | 'bcrypt-2a' | 'bcrypt-2y' | 'argon2id' | 'argon2i' | 'scrypt' | 'pbkdf2-sha256' | 'pbkdf2-sha512-passlib' | 'pbkdf2-django';

/** Hashes made by Debian's python3-bcrypt / python3-argon2 and Python's hashlib (`.ci/run` installs them). */
export function foreignHashes(jobs: { scheme: Scheme; password: string }[]): string[] {
  const r = spawnSync('/usr/bin/python3', [HASHER], { input: JSON.stringify(jobs), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`foreign-hashes.py failed (apt-get install python3-bcrypt python3-argon2): ${r.stderr || r.error?.message}`);
  return JSON.parse(r.stdout) as string[];
}

/** A source database: run SQL with `?` / `$n` parameters as each driver wants them. */
export interface SourceDatabase {
  url: string;
  kind: 'sqlite' | 'postgres';
  /** Runs statements (no parameters), e.g. a schema. */
  script(sql: string): Promise<void>;
  /** Inserts rows into a table (names quoted). */
  insert(table: string, rows: Record<string, unknown>[]): Promise<void>;
  query<R = Record<string, unknown>>(sql: string): Promise<R[]>;
  close(): Promise<void>;
}

const quote = (name: string) => name.split('.').map((p) => `"${p}"`).join('.');

/** A fresh source database of the same kind as `database` (its own SQLite file / PostgreSQL schema). */
export async function sourceDatabase(database: TestDatabase): Promise<SourceDatabase & { drop(): Promise<void> }> {
  const created = await database.create();
  if (database.name === 'sqlite') {
    const file = created.url.slice('sqlite:///'.length);
    const db = new BetterSqlite3(file);
    return {
      url: created.url, kind: 'sqlite',
      async script(sql) { db.exec(sql); },
      async insert(table, rows) {
        if (rows.length === 0) return;
        const cols = Object.keys(rows[0]!);
        const stmt = db.prepare(`insert into ${quote(table)} (${cols.map(quote).join(', ')}) values (${cols.map(() => '?').join(', ')})`);
        db.transaction(() => { for (const r of rows) stmt.run(...cols.map((c) => sqliteValue(r[c]))); })();
      },
      async query(sql) { return db.prepare(sql).all() as never; },
      async close() { db.close(); },
      async drop() { if (db.open) db.close(); await created.drop(); },
    };
  }
  const client = new pg.Client({ connectionString: created.url });
  await client.connect();
  let open = true;
  return {
    url: created.url, kind: 'postgres',
    async script(sql) { await client.query(sql); },
    async insert(table, rows) {
      if (rows.length === 0) return;
      const cols = Object.keys(rows[0]!);
      for (let i = 0; i < rows.length; i += 1000) {
        const part = rows.slice(i, i + 1000);
        const values: unknown[] = [];
        const tuples = part.map((r) => `(${cols.map((c) => { values.push(r[c]); return `$${values.length}`; }).join(', ')})`);
        await client.query(`insert into ${quote(table)} (${cols.map(quote).join(', ')}) values ${tuples.join(', ')}`, values);
      }
    },
    async query(sql) { return (await client.query(sql)).rows; },
    async close() { if (open) { open = false; await client.end(); } },
    async drop() { if (open) { open = false; await client.end(); } await created.drop(); },
  };
}

const sqliteValue = (v: unknown): unknown => (typeof v === 'boolean' ? (v ? 1 : 0) : v instanceof Date ? v.toISOString() : v !== null && typeof v === 'object' ? JSON.stringify(v) : v);

/**
 * fastapi-users' tables as SQLAlchemy creates them from fastapi-users-db-sqlalchemy's models (SQLAlchemyBaseUserTableUUID,
 * SQLAlchemyBaseOAuthAccountTableUUID): GUID is uuid on PostgreSQL and CHAR(36) elsewhere; `user` is quoted on PostgreSQL
 * (a reserved word). `oauthTable` is `oauth_account` (SQLAlchemy adapter) or `oauthaccount` (SQLModel's class name).
 */
export function fastapiUsersDdl(kind: 'sqlite' | 'postgres', oauthTable = 'oauth_account'): string {
  const guid = kind === 'postgres' ? 'UUID' : 'CHAR(36)';
  return `
CREATE TABLE "user" (
  id ${guid} NOT NULL,
  email VARCHAR(320) NOT NULL,
  hashed_password VARCHAR(1024) NOT NULL,
  is_active BOOLEAN NOT NULL,
  is_superuser BOOLEAN NOT NULL,
  is_verified BOOLEAN NOT NULL,
  PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_user_email ON "user" (email);
CREATE TABLE ${oauthTable} (
  id ${guid} NOT NULL,
  oauth_name VARCHAR(100) NOT NULL,
  access_token VARCHAR(1024) NOT NULL,
  expires_at INTEGER,
  refresh_token VARCHAR(1024),
  account_id VARCHAR(320) NOT NULL,
  account_email VARCHAR(320) NOT NULL,
  user_id ${guid} NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY(user_id) REFERENCES "user" (id) ON DELETE cascade
);
CREATE INDEX ix_${oauthTable}_oauth_name ON ${oauthTable} (oauth_name);
CREATE INDEX ix_${oauthTable}_account_id ON ${oauthTable} (account_id);`;
}

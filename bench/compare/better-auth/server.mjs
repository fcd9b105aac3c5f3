// Better Auth with email + password, the peer that `npm run bench:compare` (bench/compare/run.ts) measures Gatehouse
// against. Plain JavaScript so that `npm run typecheck` needs nothing from this folder's node_modules, which only
// the compare script installs (CI never does).
//
// Environment:
//   DATABASE_URL  sqlite:////absolute/path.db (better-sqlite3) or postgres://user:pass@host:port/db (pg)
//   HOST, PORT    where to listen
//   BETTER_AUTH_SECRET  signing secret (the script gives a random one)
//   ARGON2_MEMORY_KIB, ARGON2_ITERATIONS, ARGON2_PARALLELISM  argon2id cost (default 19456, 2, 1)
//
// What is set, and why (the compare report repeats it):
// - Passwords: argon2id with Gatehouse's defaults (m = 19456 KiB, t = 2, p = 1; @node-rs/argon2, as Gatehouse),
//   instead of Better Auth's default scrypt: equal hash cost on both sides.
// - Rate limiter off, as Gatehouse runs with RATE_LIMITS=false in the benchmarks.
// - Sign-up does not sign in (autoSignIn: false): Gatehouse's POST /auth/register creates the user and no session.
// - session.updateAge = 0: every GET /get-session extends the session (a write and a new cookie): that is the
//   "refresh" row. The authenticated-read row asks with ?disableRefresh=true, which is exactly the read that the
//   default updateAge (one day) gives a session younger than a day: one session + user look-up, no write.
// - SQLite: the same pragmas as Gatehouse's (WAL, synchronous NORMAL, busy_timeout 5 s, foreign keys).
//   PostgreSQL: a pg pool of 10, Gatehouse's DB_POOL_SIZE default.
// The schema is created at start with Better Auth's own migration helper (getMigrations), as Gatehouse applies its
// migrations at start.
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { Algorithm, hash, verify } from '@node-rs/argon2';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';
import Database from 'better-sqlite3';
import pg from 'pg';

// Gatehouse's defaults; the compare script passes them from Gatehouse's own settings table.
const ARGON2 = {
  algorithm: Algorithm.Argon2id,
  memoryCost: Number(process.env.ARGON2_MEMORY_KIB ?? 19456),
  timeCost: Number(process.env.ARGON2_ITERATIONS ?? 2),
  parallelism: Number(process.env.ARGON2_PARALLELISM ?? 1),
};

const url = process.env.DATABASE_URL ?? '';
const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 3000);

function openDatabase() {
  if (/^postgres(ql)?:\/\//i.test(url)) {
    const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 });
    pool.on('error', (err) => console.error('pg pool:', err.message));
    return { database: pool, close: () => pool.end() };
  }
  // Gatehouse's convention: sqlite:///relative/to/cwd.db, sqlite:////absolute/path.db
  if (!url.startsWith('sqlite:///')) throw new Error(`DATABASE_URL must be sqlite:///<file> or postgres://…, got "${url}"`);
  const db = new Database(resolve(url.slice('sqlite:///'.length)));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  return { database: db, close: () => db.close() };
}

const { database, close } = openDatabase();
const options = {
  baseURL: `http://${host}:${port}`,
  database,
  emailAndPassword: {
    enabled: true,
    autoSignIn: false,
    password: {
      hash: (password) => hash(password, ARGON2),
      verify: ({ hash: stored, password }) => verify(stored, password),
    },
  },
  session: { updateAge: 0 },
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  logger: { level: 'error' },
};

const { runMigrations } = await getMigrations(options);
await runMigrations();

const auth = betterAuth(options);
const server = createServer(toNodeHandler(auth));
server.keepAliveTimeout = 72_000;
server.listen(port, host);

const stop = () => server.close(() => Promise.resolve(close()).finally(() => process.exit(0)));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

// `npm run bench:scale`: does Gatehouse slow down as the users table grows? GET /users/me and password login on
// PostgreSQL with 1k, 100k and 1M users; the curve should be flat (a lookup by key in a B-tree index, whatever the
// table's size). A report, not a test: exit code 0 whatever the numbers, nonzero only when it could not run.
//
// The database gatehouse_bench_scale (owner gatehouse, on 127.0.0.1:5432) is dropped and created again at the start
// and dropped at the end (BENCH_KEEP_DB=1 keeps it for a look). The server starts on it empty (it applies its
// migrations); then, for each size, the users table grows to that size in one INSERT … SELECT generate_series
// (seed-users.ts: one shared real argon2id hash, a live session for SESSION_FRACTION of them) plus ANALYZE, and
// two loads run at 50 connections: /users/me with the token of a seeded user picked at random, and login, each
// request as another seeded user picked at random (a cold row of a big table, as in real life). The server's
// session cache is off (SESSION_CACHE_MS=0) so that every /users/me reads PostgreSQL: with it, one token's requests
// are answered from memory and the table's size could not show (BENCH_SESSION_CACHE_MS sets another value).
//
// Environment (optional): BENCH_SCALE_SIZES (default "1000,100000,1000000"), BENCH_DURATION (s per load, default
// 10), BENCH_WARMUP (s, default 2), HASH_WORKERS (as npm run bench), BENCH_SESSION_CACHE_MS (default 0),
// BENCH_KEEP_DB=1.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo } from '../lib/machine.ts';
import { freePort } from '../lib/server.ts';
import { startGatehouse } from '../lib/gatehouse.ts';
import { loginUser } from '../lib/fixtures.ts';
import type { LoadSpec } from '../lib/load.ts';
import { runTreeLoad, type TreeLoadResult } from '../lib/tree-load.ts';
import { envCounts, loadTimes } from '../lib/env.ts';
import { recreateDatabase, serverVersion } from '../lib/pg-database.ts';
import { countRows, growUsers, SEED_LOGIN_TEMPLATE, SEED_PASSWORD, seedEmail, seedHash, type SeedResult } from './seed-users.ts';
import { writeResults } from '../lib/results.ts';
import { flatness, scaleMarkdown, scaleNoise, scaleTable, type ScaleRow } from './report.ts';
import { writeMarkdown } from '../lib/markdown.ts';
import { runBench } from '../lib/main.ts';

const HOST = '127.0.0.1';
const DATABASE = 'gatehouse_bench_scale';
const CONNECTIONS = 50;
/** Seeded users that also get a live session (a session table in proportion to the users one). */
const SESSION_FRACTION = 0.1;
const JSON_FILE = fileURLToPath(new URL('../results/scale.json', import.meta.url));
const MD_FILE = fileURLToPath(new URL('../results/scale.md', import.meta.url));

const say = (line: string) => process.stdout.write(`${line}\n`);
const randomUser = (count: number) => Math.floor(Math.random() * count);

async function main(): Promise<number> {
  const sizes = [...new Set(envCounts('BENCH_SCALE_SIZES', [1_000, 100_000, 1_000_000]))].sort((a, b) => a - b);
  const { duration, warmup } = loadTimes();
  const sessionCacheMs = process.env.BENCH_SESSION_CACHE_MS ?? '0';
  const machine = await machineInfo();
  say(`gatehouse bench:scale: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}; sizes ${sizes.join(', ')}`);
  if ((machine.busyBeforeStart ?? 0) > 20) say(`warning: the machine is busy before the start (${machine.busyBeforeStart}% of a core): expect low numbers`);

  const db = await recreateDatabase(DATABASE);
  const postgres = await serverVersion(db.url);
  say(`database ${DATABASE} created (${postgres})`);
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-scale-'));
  let stopServer: (() => Promise<unknown>) | undefined;
  try {
    const { server, config } = await startGatehouse(dir, HOST, await freePort(HOST), { databaseUrl: db.url, env: { SESSION_CACHE_MS: sessionCacheMs } });
    stopServer = async () => {
      const died = server.exitReason();
      if (died) process.stderr.write(`bench:scale: gatehouse ${died} before the end; its last output:\n${server.output()}\n`);
      await server.stop(12_000);
    };
    const hashed = await seedHash(config.argon2);
    const argon2 = `m=${config.argon2.memoryCost} KiB, t=${config.argon2.timeCost}, p=${config.argon2.parallelism}`;
    say(`gatehouse started on it (migrations applied; SESSION_CACHE_MS=${sessionCacheMs}); seeded password hash: argon2id ${argon2}`);

    type Spec = Omit<LoadSpec, 'title' | 'origin' | 'serverPid' | 'path'>;
    const common: Spec = { connections: CONNECTIONS, duration, warmup };
    /** One load (its warm-up first, once the server is idle), with the server's and PostgreSQL's CPU. */
    const measure = async (title: string, path: string, spec: Spec): Promise<TreeLoadResult> => {
      say(`  ${title}: ${warmup} s warm-up + ${duration} s, ${CONNECTIONS} connections`);
      return runTreeLoad({ title, origin: server.origin, path, ...spec }, server.pid);
    };

    const rows: ScaleRow[] = [];
    let seeded = 0;
    for (const size of sizes) {
      say(`${size.toLocaleString('en-US')} users: seeding ${(size - seeded).toLocaleString('en-US')} more`);
      const seed: SeedResult = await growUsers(db.url, seeded, size, hashed, SESSION_FRACTION);
      seeded = size;
      const table = await countRows(db.url);
      say(`  seeded in ${seed.insertSeconds.toFixed(1)} s + ANALYZE ${seed.analyzeSeconds.toFixed(1)} s: `
        + `${table.users.toLocaleString('en-US')} users (${table.usersMiB} MiB with indexes), ${table.sessions.toLocaleString('en-US')} sessions`);
      const meUser = seedEmail(randomUser(size));
      const token = await loginUser(server.origin, meUser, SEED_PASSWORD);
      const me = await measure(`GET /users/me (${meUser})`, '/users/me', { ...common, headers: { authorization: `Bearer ${token}` } });
      const login = await measure('POST /auth/jwt/login (random seeded user each)', '/auth/jwt/login', {
        ...common, method: 'POST', randomLogin: { template: SEED_LOGIN_TEMPLATE, count: size, password: SEED_PASSWORD },
      });
      rows.push({ users: size, seed, table, me, login });
    }

    const flat = flatness(rows);
    const settings = { duration, warmup, connections: CONNECTIONS, sizes, sessionFraction: SESSION_FRACTION, argon2, hashWorkers: config.hashWorkers, postgres, sessionCacheMs: Number(sessionCacheMs) };
    say('');
    say(scaleTable(rows));
    for (const f of flat) say(f.summary);
    const noise = scaleNoise(rows);
    if (noise) say(noise);
    const timestamp = new Date().toISOString();
    writeResults({ timestamp, machine, settings: { ...settings, argon2: config.argon2 }, sizes: rows, flatness: flat, ...(noise ? { noise } : {}) }, JSON_FILE);
    writeMarkdown(MD_FILE, scaleMarkdown({ timestamp, machine, settings, rows, flat }));
    say(`\nwritten: ${JSON_FILE}\n         ${MD_FILE}`);
    return 0;
  } finally {
    await stopServer?.();
    rmSync(dir, { recursive: true, force: true });
    if (process.env.BENCH_KEEP_DB === '1') say(`kept database ${DATABASE}: ${db.url}`);
    else {
      await db.drop();
      say(`dropped database ${DATABASE}`);
    }
  }
}

runBench('bench:scale', main);

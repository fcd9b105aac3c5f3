// `npm run bench:instances`: one Gatehouse process against two on the same machine (`gatehouse serve --workers 2`,
// node:cluster sharing the port): GET /users/me and login req/s at 50 connections for each, and the ratio two ÷ one.
// A report, not a test: exit code 0 whatever the numbers, nonzero only when it could not run.
//
// PostgreSQL: the database gatehouse_bench_instances (owner gatehouse, 127.0.0.1:5432) is dropped and created again
// at the start and dropped at the end (BENCH_KEEP_DB=1 keeps it). Then SQLite (a file in a temporary folder, WAL:
// two processes share it) the same way, unless BENCH_INSTANCES_SQLITE=0. For each database, the server starts once
// with one process, USERS users register, the loads run; then it restarts with --workers 2 on the same data. The
// login load logs in as one of the registered users at random each request. Server CPU is the sum of the
// primary and its workers (lib/tree-load.ts).
//
// Environment (optional): BENCH_DURATION (s per load, default 10), BENCH_WARMUP (s, default 2), HASH_WORKERS (per
// process, as npm run bench; default one per core in each process), BENCH_SESSION_CACHE_MS (the server's
// SESSION_CACHE_MS; its default when unset), BENCH_INSTANCES_SQLITE=0, BENCH_KEEP_DB=1.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo } from '../lib/machine.ts';
import { freePort } from '../lib/server.ts';
import { startGatehouse } from '../lib/gatehouse.ts';
import { createUser, loginUser } from '../lib/fixtures.ts';
import { loadTimes } from '../lib/env.ts';
import { recreateDatabase, serverVersion } from '../lib/pg-database.ts';
import { runTreeLoad, waitForProcesses } from '../lib/tree-load.ts';
import { writeResults } from '../lib/results.ts';
import { writeMarkdown } from '../lib/markdown.ts';
import { instancesMarkdown, instancesNoise, instancesTables, ratios, type InstancesRun } from './report.ts';
import { runBench } from '../lib/main.ts';

const HOST = '127.0.0.1';
const DATABASE = 'gatehouse_bench_instances';
const CONNECTIONS = 50;
/** Registered over HTTP (an argon2id each, twice with the login check): enough that logins are not all one row. */
const USERS = 32;
const PASSWORD = 'instances bench password';
const TEMPLATE = 'instances-{n}@bench.example.com';
const JSON_FILE = fileURLToPath(new URL('../results/instances.json', import.meta.url));
const MD_FILE = fileURLToPath(new URL('../results/instances.md', import.meta.url));

const say = (line: string) => process.stdout.write(`${line}\n`);
const email = (n: number) => TEMPLATE.replace('{n}', String(n));
const CACHE_MS = process.env.BENCH_SESSION_CACHE_MS;

/** One database: one process, then two, each measured on /users/me and login. */
async function measureBackend(database: string, databaseUrl: string | undefined, dir: string): Promise<InstancesRun[]> {
  const { duration, warmup } = loadTimes();
  const runs: InstancesRun[] = [];
  for (const workers of [1, 2]) {
    say(`${database}, ${workers === 1 ? 'one process (gatehouse serve)' : `${workers} processes (gatehouse serve --workers ${workers})`}`);
    const { server, config } = await startGatehouse(dir, HOST, await freePort(HOST), { databaseUrl, workers, ...(CACHE_MS !== undefined ? { env: { SESSION_CACHE_MS: CACHE_MS } } : {}) });
    try {
      await waitForProcesses(server.pid, workers === 1 ? 1 : workers + 1);
      if (runs.length === 0) {
        say(`  registering ${USERS} users`);
        for (let n = 0; n < USERS; n++) await createUser(server.origin, email(n), PASSWORD);
      }
      // Each start has its own APP_SECRET: a token of the previous server does not open this one.
      const token = await loginUser(server.origin, email(Math.floor(Math.random() * USERS)), PASSWORD);
      const common = { origin: server.origin, connections: CONNECTIONS, duration, warmup };
      const say2 = (title: string) => say(`  ${title}: ${warmup} s warm-up + ${duration} s, ${CONNECTIONS} connections`);
      say2('GET /users/me');
      const me = await runTreeLoad({ ...common, title: 'GET /users/me', path: '/users/me', headers: { authorization: `Bearer ${token}` } }, server.pid);
      say2('POST /auth/jwt/login');
      const login = await runTreeLoad({
        ...common, title: 'POST /auth/jwt/login', path: '/auth/jwt/login', method: 'POST',
        randomLogin: { template: TEMPLATE, count: USERS, password: PASSWORD },
      }, server.pid);
      runs.push({ database, workers, hashWorkersPerProcess: config.hashWorkers, me, login });
    } finally {
      const died = server.exitReason();
      if (died) process.stderr.write(`bench:instances: gatehouse ${died} before the end; its last output:\n${server.output()}\n`);
      await server.stop(12_000);
    }
  }
  return runs;
}

async function main(): Promise<number> {
  const { duration, warmup } = loadTimes();
  const sqlite = process.env.BENCH_INSTANCES_SQLITE !== '0';
  const machine = await machineInfo();
  say(`gatehouse bench:instances: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}`);
  if ((machine.busyBeforeStart ?? 0) > 20) say(`warning: the machine is busy before the start (${machine.busyBeforeStart}% of a core): expect low numbers`);

  const db = await recreateDatabase(DATABASE);
  const postgres = await serverVersion(db.url);
  say(`database ${DATABASE} created (${postgres})`);
  const dirs: string[] = [];
  const tempDir = () => { const d = mkdtempSync(join(tmpdir(), 'gatehouse-bench-instances-')); dirs.push(d); return d; };
  try {
    const runs = await measureBackend(postgres, db.url, tempDir());
    if (sqlite) runs.push(...await measureBackend('SQLite (WAL)', undefined, tempDir()));
    const ratioRows = ratios(runs);
    say('');
    say(instancesTables(runs, ratioRows));
    const settings = { duration, warmup, connections: CONNECTIONS, users: USERS, postgres, sessionCacheMs: CACHE_MS ?? 'server default' };
    const timestamp = new Date().toISOString();
    writeResults({ timestamp, machine, settings, runs, ratios: ratioRows, ...(instancesNoise(runs) ? { noise: instancesNoise(runs) } : {}) }, JSON_FILE);
    writeMarkdown(MD_FILE, instancesMarkdown({ timestamp, machine, settings, runs, ratios: ratioRows }));
    say(`\nwritten: ${JSON_FILE}\n         ${MD_FILE}`);
    return 0;
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    if (process.env.BENCH_KEEP_DB === '1') say(`kept database ${DATABASE}: ${db.url}`);
    else {
      await db.drop();
      say(`dropped database ${DATABASE}`);
    }
  }
}

runBench('bench:instances', main);

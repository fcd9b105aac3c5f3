// `npm run bench:compare`: Gatehouse side by side with Better Auth (email + password), same machine, same run, same
// load tool (autocannon, 50 connections), on SQLite and on PostgreSQL: authenticated read, password login, register,
// refresh (req/s, p50, p99, errors, peak RSS), cold start to the first 200, and the ratios. A report, not a test.
//
// Better Auth is installed by this script into bench/compare/better-auth/node_modules (npm ci; never by CI, never into
// the repository's node_modules). PostgreSQL: the database gatehouse_bench_compare at 127.0.0.1:5432, dropped and
// created again before every server start and dropped at the end (bench/lib/pg-database.ts); if PostgreSQL cannot be
// reached that half is reported as not measured. About 4 minutes with the defaults.
//
// Environment (optional): BENCH_DURATION (s per load, default 10), BENCH_WARMUP (s, default 2), BENCH_COLD_STARTS
// (default 3), BENCH_COMPARE_DATABASES ("sqlite,postgres", the default, or one of them).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo } from '../lib/machine.ts';
import { ServerStartError } from '../lib/server.ts';
import { loadTimes } from '../lib/env.ts';
import { recreateDatabase, serverVersion, type BenchDatabase } from '../lib/pg-database.ts';
import { installPeer, peerVersion } from './better-auth-server.ts';
import { runContender, type Contender } from './contender.ts';
import { gatehouseContender } from './gatehouse-contender.ts';
import { betterAuthContender } from './better-auth-contender.ts';
import { formatCompare, markdownCompare, type CompareReport, type DatabaseResult } from './report.ts';
import { compareNotes } from './notes.ts';
import { writeResults } from '../lib/results.ts';
import { writeMarkdown } from '../lib/markdown.ts';

const HOST = '127.0.0.1';
const CONNECTIONS = 50;
const PASSWORD = 'bench password, long enough';
const PG_DATABASE = 'gatehouse_bench_compare';
const JSON_FILE = fileURLToPath(new URL('../results/compare.json', import.meta.url));
const MD_FILE = fileURLToPath(new URL('../results/compare.md', import.meta.url));
const { duration: DURATION, warmup: WARMUP } = loadTimes();
const COLD_STARTS = Number(process.env.BENCH_COLD_STARTS ?? 3);
const DATABASES = (process.env.BENCH_COMPARE_DATABASES ?? 'sqlite,postgres').split(',').map((s) => s.trim());

const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  if (!Number.isInteger(COLD_STARTS) || COLD_STARTS < 1) throw new Error('BENCH_COLD_STARTS must be a whole number ≥ 1');
  if (DATABASES.some((d) => d !== 'sqlite' && d !== 'postgres')) throw new Error('BENCH_COMPARE_DATABASES: "sqlite", "postgres" or both');
  installPeer(say);
  const machine = await machineInfo();
  say(`gatehouse bench:compare: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}`);
  if ((machine.busyBeforeStart ?? 0) > 20) say(`warning: the machine is busy before the start (${machine.busyBeforeStart}% of a core): expect low numbers`);
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-compare-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130)); // 'exit' kills the servers

  const contenders: Contender[] = [gatehouseContender(PASSWORD), betterAuthContender(PASSWORD)];
  const base = { dir, host: HOST, coldStarts: COLD_STARTS, connections: CONNECTIONS, duration: DURATION, warmup: WARMUP, say };
  const databases: DatabaseResult[] = [];
  const measureAll = async (d: DatabaseResult, fresh: (slug: string, attempt: number) => Promise<string>) => {
    for (const c of contenders) {
      say(`${c.name} on ${d.kind}`);
      const slug = c.name.toLowerCase().replace(/\W+/g, '-');
      const result = await runContender(c, { ...base, freshDatabase: (attempt) => fresh(slug, attempt) });
      if (c.name === 'Gatehouse') d.gatehouse = result;
      else d.betterAuth = result;
    }
    databases.push(d);
  };

  if (DATABASES.includes('sqlite')) {
    await measureAll({ kind: 'SQLite', describe: `a new file in ${tmpdir()} per server start (WAL, synchronous NORMAL on both)` },
      async (slug, attempt) => `sqlite:///${join(dir, `${slug}-${attempt}.db`)}`);
  }
  if (DATABASES.includes('postgres')) {
    let db: BenchDatabase | undefined;
    try {
      db = await recreateDatabase(PG_DATABASE);
    } catch (err) {
      const why = `PostgreSQL at ${HOST}:5432 not usable: ${(err as Error).message}`;
      process.stderr.write(`bench: ${why}\n`);
      databases.push({ kind: 'PostgreSQL', describe: PG_DATABASE, skipped: why });
    }
    if (db) {
      try {
        const describe = `${await serverVersion(db.url)}, database ${PG_DATABASE} created anew before each server start, pool of 10 on both`;
        await measureAll({ kind: 'PostgreSQL', describe }, async () => (await recreateDatabase(PG_DATABASE)).url);
      } finally {
        await db.drop().catch((err: Error) => process.stderr.write(`bench: could not drop ${PG_DATABASE}: ${err.message}\n`));
      }
    }
  }

  const gatehouse = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  const versions = { gatehouse, 'better-auth': peerVersion('better-auth'), '@node-rs/argon2': peerVersion('@node-rs/argon2'), 'better-sqlite3': peerVersion('better-sqlite3'), pg: peerVersion('pg') };
  const report: CompareReport = {
    machine, databases, notes: compareNotes(),
    settings: { duration: DURATION, warmup: WARMUP, connections: CONNECTIONS, coldStarts: COLD_STARTS, versions },
  };
  const timestamp = new Date().toISOString();
  say('');
  say(formatCompare(report));
  writeResults({ timestamp, ...report }, JSON_FILE);
  writeMarkdown(MD_FILE, markdownCompare(report, timestamp));
  say(`\nwritten: ${JSON_FILE}\n         ${MD_FILE}`);
  return 0;
}

main().then((code) => { process.exitCode = code; }, (err: unknown) => {
  if (err instanceof ServerStartError) process.stderr.write(`bench: ${err.message}\n`);
  else process.stderr.write(`bench: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exitCode = 1;
});

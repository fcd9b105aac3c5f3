// `npm run bench:soak`: SOAK_MINUTES (default 10) of bounded mixed traffic from 127.0.0.1 against a real Gatehouse
// process, with zero errors and flat memory as the bar: exits 1 on any unexpected status or socket error, or if the
// server's RSS outside V8's young generation (memory.ts) grows by 10 % or more from the end of the warm-up to the
// end of the run. Writes bench/results/soak.json and soak.md.
//
//   SOAK_MINUTES=60 npm run bench:soak                 a longer soak (any positive number, e.g. 0.5 while developing)
//   SOAK_CONNECTIONS=8 SOAK_RATE=150                   actors (one request in flight each) and actions per second
//   SOAK_DATABASE_URL=postgres://u:p@127.0.0.1/db      soak PostgreSQL in that database (its own: never gatehouse or
//                                                      gatehouse_test); SOAK_DATABASE_URL=postgres creates (and
//                                                      afterwards drops) gatehouse_bench_soak with bench/lib/pg-database.ts
// Without SOAK_DATABASE_URL: SQLite in a temporary folder.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGatehouse } from '../lib/gatehouse.ts';
import { freePort } from '../lib/server.ts';
import { machineInfo } from '../lib/machine.ts';
import { processCpuSeconds } from '../lib/cpu.ts';
import { writeResults } from '../lib/results.ts';
import { writeMarkdown } from '../lib/markdown.ts';
import { recreateDatabase, serverVersion } from '../lib/pg-database.ts';
import { MIX } from './actor.ts';
import { runSoakLoad } from './load.ts';
import { readRssKiB, rssCurve, rssGrowth, sampleRss } from './memory.ts';
import { RSS_GROWTH_LIMIT, summaryMarkdown, summaryText, verdict, type SoakReport } from './report.ts';

const HOST = '127.0.0.1';
const JSON_FILE = fileURLToPath(new URL('../results/soak.json', import.meta.url));
const MD_FILE = fileURLToPath(new URL('../results/soak.md', import.meta.url));

function envNumber(name: string, def: number, integer = false): number {
  const v = Number(process.env[name] ?? def);
  if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) throw new Error(`${name} must be a positive ${integer ? 'whole ' : ''}number`);
  return v;
}

interface SoakDatabase { url?: string; describe: string; drop?: () => Promise<void> }

/** SQLite by default; PostgreSQL from SOAK_DATABASE_URL, refusing the development and test databases. */
async function soakDatabase(): Promise<SoakDatabase> {
  const raw = process.env.SOAK_DATABASE_URL;
  if (!raw) return { describe: 'SQLite' };
  if (raw === 'postgres') {
    const db = await recreateDatabase('gatehouse_bench_soak');
    return { url: db.url, describe: `${await serverVersion(db.url)} (${db.name})`, drop: db.drop };
  }
  const url = new URL(raw);
  if (!/^postgres(ql)?:$/.test(url.protocol)) throw new Error('SOAK_DATABASE_URL must be postgres://… (or the word postgres)');
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!name || name === 'gatehouse' || name === 'gatehouse_test') {
    throw new Error(`SOAK_DATABASE_URL: give the soak a database of its own, not "${name || '(none)'}"`);
  }
  return { url: raw, describe: `${await serverVersion(raw)} (${name})` };
}

const minutes = envNumber('SOAK_MINUTES', 10);
const connections = envNumber('SOAK_CONNECTIONS', 8, true);
const rate = envNumber('SOAK_RATE', 150);
const durationSeconds = minutes * 60;
// A tenth of the run (60 s of the default 10 minutes) is warm-up; the baseline is taken over the next tenth, the end
// over the last tenth.
const warmupSeconds = durationSeconds / 10;
const windowSeconds = warmupSeconds;
const everySeconds = Math.max(0.5, Math.min(5, durationSeconds / 60));
const progressSeconds = Math.max(5, Math.min(60, durationSeconds / 20));

/** A gauge's value in the server's /metrics, or undefined when it cannot be read. */
async function metrics(origin: string): Promise<((name: string) => number | undefined) | undefined> {
  try {
    const text = await (await fetch(`${origin}/metrics`, { signal: AbortSignal.timeout(2000) })).text();
    return (name) => {
      const m = new RegExp(`^${name.replace(/[{}]/g, '\\$&')} ([\\d.e+]+)$`, 'm').exec(text);
      return m ? Number(m[1]) : undefined;
    };
  } catch {
    return undefined;
  }
}

const YOUNG = 'gatehouse_nodejs_heap_space_size_total_bytes{space="new"}';
const mibOf = (bytes: number | undefined) => (bytes === undefined ? '?' : `${(bytes / 2 ** 20).toFixed(1)} MiB`);

/** ", V8 heap used X MiB (young generation Y MiB), external Z MiB" from the server's /metrics, or "". */
async function heapOf(origin: string): Promise<string> {
  const m = await metrics(origin);
  if (!m) return '';
  return `, V8 heap used ${mibOf(m('gatehouse_nodejs_heap_size_used_bytes'))} (young generation ${mibOf(m(YOUNG))}), `
    + `external ${mibOf(m('gatehouse_nodejs_external_memory_bytes'))}`;
}

/** The young generation's size in KiB, for each RSS sample (memory.ts). */
async function youngKiB(origin: string): Promise<number | undefined> {
  const bytes = (await metrics(origin))?.(YOUNG);
  return bytes === undefined ? undefined : bytes / 1024;
}

const machine = await machineInfo();
const startedAt = new Date().toISOString();
const db = await soakDatabase();
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-soak-'));
try {
  // METRICS on, so each progress line can say how much of the RSS is V8's heap (a JavaScript leak grows it) and how
  // much is outside it (the allocator, SQLite, argon2's memory).
  const { server } = await startGatehouse(dir, HOST, await freePort(HOST), { ...(db.url ? { databaseUrl: db.url } : {}), env: { METRICS: 'true' } });
  console.log(`gatehouse (pid ${server.pid}) at ${server.origin} on ${db.describe}: ${minutes} min, ${connections} connections, `
    + `${rate} actions/s; RSS every ${everySeconds} s, baseline after ${warmupSeconds} s`);
  let died = false;
  const t0 = performance.now();
  const cpu0 = processCpuSeconds(server.pid);
  const load = runSoakLoad({ origin: server.origin, connections, rate, durationMs: durationSeconds * 1000, progressMs: progressSeconds * 1000, runId: randomBytes(4).toString('hex') }, (p) => {
    const kib = readRssKiB(server.pid);
    const line = `  ${((performance.now() - t0) / 1000).toFixed(0).padStart(5)} s  ${String(p.requests).padStart(8)} requests  `
      + `${p.errors} errors  RSS ${kib === undefined ? '(gone)' : `${(kib / 1024).toFixed(1)} MiB`}`;
    void heapOf(server.origin).then((heap) => console.log(`${line}${heap}`));
  });
  const rss = sampleRss(server.pid, everySeconds * 1000, () => { died = true; load.stop(); }, () => youngKiB(server.origin));
  const result = await load.done;
  const cpu1 = processCpuSeconds(server.pid);
  rss.stop();
  const wall = (performance.now() - t0) / 1000;
  const shutdown = died ? 'died during the run' as const : await server.stop();
  if (died) await new Promise((r) => setTimeout(r, 500)); // its exit event and last output

  const partial: Omit<SoakReport, 'failures'> = {
    startedAt, minutes, database: db.describe,
    load: { host: HOST, connections, actionsPerSecond: rate, mix: MIX },
    seconds: result.seconds, actions: result.actions, requests: result.tally,
    rss: {
      everySeconds, warmupSeconds, limit: RSS_GROWTH_LIMIT,
      growth: rssGrowth(rss.samples, warmupSeconds, windowSeconds, true), asMeasured: rssGrowth(rss.samples, warmupSeconds, windowSeconds),
      curve: rssCurve(rss.samples, durationSeconds), samples: rss.samples,
    },
    ...(cpu0 !== undefined && cpu1 !== undefined ? { serverCpuPercent: Math.round(((cpu1 - cpu0) / wall) * 100) } : {}),
    shutdown, machine,
    ...(died ? { death: { reason: server.exitReason() ?? 'gone', output: server.output() } } : {}),
  };
  const report: SoakReport = { ...partial, failures: verdict(partial) };
  writeResults(report, JSON_FILE);
  writeMarkdown(MD_FILE, summaryMarkdown(report));
  console.log(`\n${summaryText(report)}\n(bench/results/soak.json, bench/results/soak.md)`);
  process.exitCode = report.failures.length === 0 ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
  await db.drop?.();
}

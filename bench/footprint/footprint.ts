// Footprint (issue #17, goal 1): a bare `node:http` server and Gatehouse (`node src/bin.mjs serve`, what `npm start` runs, defaults, a fresh
// database each start) started alternately, each timed from spawn() to its first 200 and weighed (VmRSS) after
// IDLE_MS of idleness; the medians side by side, with the goals: idle RSS <= bare + 35 MiB, cold start <= bare + 250 ms.
//
// Both get the same environment: the glibc malloc settings `npm start` sets (src/cli/malloc-env.ts), so that the
// difference is Gatehouse's own. Gatehouse gets nothing of the caller's settings but the few a production start
// requires (NODE_ENV=production, PUBLIC_URL, APP_SECRET) and its address and DATABASE_URL: every other setting is
// its default. Ready means 200 on /readyz (the database answers and its schema is current: migrations included).
// PostgreSQL runs the same with a fresh schema per start, when reachable.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { VARIABLES } from '../../src/config/variables.ts';
import { SERVER_MALLOC } from '../../src/cli/malloc-env.ts';
import { coldStart, freePort, type StartSample } from './start.ts';

/** The goals of issue #17. */
export const RSS_OVER_BARE_MIB = 35;
export const START_OVER_BARE_MS = 250;
const IDLE_MS = 3000;
const HOST = '127.0.0.1';
const CLI = fileURLToPath(new URL('../../src/bin.mjs', import.meta.url));
const BARE = fileURLToPath(new URL('./bare-server.mjs', import.meta.url));

export type Database = 'sqlite' | 'postgres';

export interface FootprintOptions {
  /** Measured starts of each server per database (after one warm-up start of each). */
  starts: number;
  databases: Database[];
  /** PostgreSQL to make a fresh schema in for each start. */
  pgUrl: string;
  say: (line: string) => void;
}

export interface Side { readyMs: number[]; cpuMs: number[]; rssMiB: number[]; medianReadyMs: number; medianCpuMs: number; medianRssMiB: number }
export interface FootprintRow { database: Database; bare: Side; gatehouse: Side; skipped?: string }
export interface FootprintBar { name: string; target: string; measured: string; pass: boolean }

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const side = (samples: StartSample[]): Side => ({
  readyMs: samples.map((s) => Math.round(s.readyMs)), cpuMs: samples.map((s) => s.cpuMs), rssMiB: samples.map((s) => Math.round(s.rssMiB * 10) / 10),
  medianReadyMs: Math.round(median(samples.map((s) => s.readyMs))), medianCpuMs: Math.round(median(samples.map((s) => s.cpuMs))), medianRssMiB: Math.round(median(samples.map((s) => s.rssMiB)) * 10) / 10,
});

/** A fresh, empty database for one start, and how to drop it. */
async function freshDatabase(database: Database, pgUrl: string): Promise<{ url: string; dir: string; drop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-footprint-'));
  const rmDir = () => rmSync(dir, { recursive: true, force: true });
  if (database === 'sqlite') return { url: `sqlite:///${join(dir, 'gatehouse.db')}`, dir, drop: async () => rmDir() };
  const schema = `footprint_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(pgUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.href, dir,
    async drop() {
      rmDir();
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}

/** Why PostgreSQL cannot be used, or undefined when it answers. */
async function pgProblem(pgUrl: string): Promise<string | undefined> {
  const c = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 5000 });
  try {
    await c.connect();
    await c.query('select 1');
    return undefined;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await c.end().catch(() => {});
  }
}

function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...SERVER_MALLOC };
  for (const name of Object.keys(VARIABLES)) delete env[name];
  delete env.NODE_OPTIONS;
  return env;
}

async function startBare(): Promise<StartSample> {
  const port = await freePort(HOST);
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-footprint-'));
  try {
    return await coldStart({ args: [BARE], env: { ...baseEnv(), HOST, PORT: String(port) }, cwd: dir, host: HOST, port, readyPath: '/readyz', idleMs: IDLE_MS });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function startGatehouse(database: Database, pgUrl: string): Promise<StartSample> {
  const port = await freePort(HOST);
  const db = await freshDatabase(database, pgUrl);
  try {
    const env = {
      ...baseEnv(), NODE_ENV: 'production', HOST, PORT: String(port), PUBLIC_URL: `http://${HOST}:${port}`,
      DATABASE_URL: db.url, APP_SECRET: randomBytes(32).toString('hex'),
    };
    return await coldStart({ args: [CLI, 'serve'], env, cwd: db.dir, host: HOST, port, readyPath: '/readyz', idleMs: IDLE_MS });
  } finally {
    await db.drop();
  }
}

/** Warm-up (one start of each, unmeasured: the compile cache, the page cache), then `starts` alternating pairs. */
export async function measureFootprint(o: FootprintOptions): Promise<FootprintRow[]> {
  const rows: FootprintRow[] = [];
  for (const database of o.databases) {
    const empty: Side = { readyMs: [], cpuMs: [], rssMiB: [], medianReadyMs: NaN, medianCpuMs: NaN, medianRssMiB: NaN };
    if (database === 'postgres') {
      const why = await pgProblem(o.pgUrl);
      if (why) {
        o.say(`  postgres: skipped (${why})`);
        rows.push({ database, bare: empty, gatehouse: empty, skipped: why });
        continue;
      }
    }
    o.say(`  ${database}: 1 warm-up + ${o.starts} starts each, bare node:http and gatehouse alternately, RSS after ${IDLE_MS / 1000} s idle`);
    await startBare();
    await startGatehouse(database, o.pgUrl);
    const bare: StartSample[] = [];
    const gatehouse: StartSample[] = [];
    for (let i = 0; i < o.starts; i++) {
      // Alternate which goes first, so that neither always follows the other's exit.
      if (i % 2 === 0) {
        bare.push(await startBare());
        gatehouse.push(await startGatehouse(database, o.pgUrl));
      } else {
        gatehouse.push(await startGatehouse(database, o.pgUrl));
        bare.push(await startBare());
      }
    }
    rows.push({ database, bare: side(bare), gatehouse: side(gatehouse) });
  }
  return rows;
}

export function footprintBars(rows: FootprintRow[]): FootprintBar[] {
  return rows.filter((r) => !r.skipped).flatMap((r) => {
    const rss = r.gatehouse.medianRssMiB - r.bare.medianRssMiB;
    const start = r.gatehouse.medianReadyMs - r.bare.medianReadyMs;
    return [
      {
        name: `idle RSS (${r.database})`, target: `<= bare node + ${RSS_OVER_BARE_MIB} MiB`,
        measured: `${r.gatehouse.medianRssMiB} MiB vs ${r.bare.medianRssMiB} MiB: +${rss.toFixed(1)} MiB`, pass: rss <= RSS_OVER_BARE_MIB,
      },
      {
        name: `cold start to first 200 (${r.database})`, target: `<= bare node + ${START_OVER_BARE_MS} ms`,
        measured: `${r.gatehouse.medianReadyMs} ms vs ${r.bare.medianReadyMs} ms: +${start} ms`, pass: start <= START_OVER_BARE_MS,
      },
    ];
  });
}

export function footprintTable(rows: FootprintRow[]): string {
  const lines = ['| database | | bare `node:http` | Gatehouse | difference | each start (Gatehouse) |', '|---|---|---:|---:|---:|---|'];
  for (const r of rows) {
    if (r.skipped) {
      lines.push(`| ${r.database} | skipped: ${r.skipped} | | | | |`);
      continue;
    }
    lines.push(`| ${r.database} | time to first 200 | ${r.bare.medianReadyMs} ms | ${r.gatehouse.medianReadyMs} ms | +${r.gatehouse.medianReadyMs - r.bare.medianReadyMs} ms | ${r.gatehouse.readyMs.join(', ')} ms |`);
    lines.push(`| ${r.database} | CPU time to first 200 | ${r.bare.medianCpuMs} ms | ${r.gatehouse.medianCpuMs} ms | +${r.gatehouse.medianCpuMs - r.bare.medianCpuMs} ms | ${r.gatehouse.cpuMs.join(', ')} ms |`);
    lines.push(`| ${r.database} | RSS after ${IDLE_MS / 1000} s idle | ${r.bare.medianRssMiB} MiB | ${r.gatehouse.medianRssMiB} MiB | +${(r.gatehouse.medianRssMiB - r.bare.medianRssMiB).toFixed(1)} MiB | ${r.gatehouse.rssMiB.join(', ')} MiB |`);
  }
  return lines.join('\n');
}

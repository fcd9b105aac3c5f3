// Footprint (issue #17, goal 1): a bare `node:http` server and Gatehouse as `npm start` runs it (the built server,
// `node dist/server/gatehouse.js serve`, built afresh by this run into dist/bench-server/; defaults, a fresh database each start) started
// alternately, each timed from spawn() to its first 200 and weighed (VmRSS) after IDLE_MS of idleness; the medians
// side by side, with the goals: idle RSS <= bare + 35 MiB, cold start <= bare + 250 ms. Gatehouse run from src/
// (`node src/bin.mjs serve`: `npm run dev`, `npx gatehouse`) is measured in the same rounds, for the record; the goals
// apply to what `npm start` and the image run.
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
import { coldStart, type StartSample } from './start.ts';
import { freePort } from '../lib/server.ts';
import { builtServer, SOURCE_SERVER } from '../lib/gatehouse.ts';

/** The goals of issue #17. */
export const RSS_OVER_BARE_MIB = 35;
export const START_OVER_BARE_MS = 250;
const IDLE_MS = 3000;
const HOST = '127.0.0.1';
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
export interface FootprintRow { database: Database; bare: Side; gatehouse: Side; source: Side; skipped?: string }
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

async function startGatehouse(cli: string, database: Database, pgUrl: string): Promise<StartSample> {
  const port = await freePort(HOST);
  const db = await freshDatabase(database, pgUrl);
  try {
    const env = {
      ...baseEnv(), NODE_ENV: 'production', HOST, PORT: String(port), PUBLIC_URL: `http://${HOST}:${port}`,
      DATABASE_URL: db.url, APP_SECRET: randomBytes(32).toString('hex'),
    };
    return await coldStart({ args: [cli, 'serve'], env, cwd: db.dir, host: HOST, port, readyPath: '/readyz', idleMs: IDLE_MS });
  } finally {
    await db.drop();
  }
}

/**
 * Builds the server (as `npm start` does), then per database: a warm-up (one start of each, unmeasured: the compile
 * cache, the page cache), then `starts` rounds of bare, built and source starts, in a rotating order so that none
 * always follows another's exit.
 */
export async function measureFootprint(o: FootprintOptions): Promise<FootprintRow[]> {
  const built = await builtServer();
  const rows: FootprintRow[] = [];
  for (const database of o.databases) {
    const empty: Side = { readyMs: [], cpuMs: [], rssMiB: [], medianReadyMs: NaN, medianCpuMs: NaN, medianRssMiB: NaN };
    if (database === 'postgres') {
      const why = await pgProblem(o.pgUrl);
      if (why) {
        o.say(`  postgres: skipped (${why})`);
        rows.push({ database, bare: empty, gatehouse: empty, source: empty, skipped: why });
        continue;
      }
    }
    o.say(`  ${database}: 1 warm-up + ${o.starts} starts each of bare node:http, the built server and src/, RSS after ${IDLE_MS / 1000} s idle`);
    const servers = [
      { samples: [] as StartSample[], start: () => startBare() },
      { samples: [] as StartSample[], start: () => startGatehouse(built, database, o.pgUrl) },
      { samples: [] as StartSample[], start: () => startGatehouse(SOURCE_SERVER, database, o.pgUrl) },
    ];
    for (const s of servers) await s.start();
    for (let i = 0; i < o.starts; i++) {
      for (let k = 0; k < servers.length; k++) {
        const s = servers[(i + k) % servers.length]!;
        s.samples.push(await s.start());
      }
    }
    rows.push({ database, bare: side(servers[0]!.samples), gatehouse: side(servers[1]!.samples), source: side(servers[2]!.samples) });
  }
  return rows;
}

/**
 * The goals hold for the defaults, SQLite (the issue: "with default settings (SQLite; and say the PostgreSQL
 * figures)"): the bars are SQLite's; PostgreSQL's figures are in the table and in footprintFigures().
 */
export function footprintBars(rows: FootprintRow[]): FootprintBar[] {
  return rows.filter((r) => !r.skipped && r.database === 'sqlite').flatMap((r) => {
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

/** The other databases' figures, one line each (no goal: see footprintBars). */
export function footprintFigures(rows: FootprintRow[]): string[] {
  return rows.filter((r) => !r.skipped && r.database !== 'sqlite').map((r) => `${r.database} (figures; the goals are for the default, SQLite): `
    + `idle RSS +${(r.gatehouse.medianRssMiB - r.bare.medianRssMiB).toFixed(1)} MiB, cold start +${r.gatehouse.medianReadyMs - r.bare.medianReadyMs} ms `
    + '(a fresh schema: every migration runs in the start)');
}

export function footprintTable(rows: FootprintRow[]): string {
  const lines = ['| database | | bare `node:http` | Gatehouse (`npm start`) | difference | each start | from src/ |', '|---|---|---:|---:|---:|---|---:|'];
  for (const r of rows) {
    if (r.skipped) {
      lines.push(`| ${r.database} | skipped: ${r.skipped} | | | | | |`);
      continue;
    }
    const row = (what: string, unit: string, pick: (s: Side) => number, each: (s: Side) => number[], digits = 0) => {
      const [bare, g, src] = [pick(r.bare), pick(r.gatehouse), pick(r.source)];
      lines.push(`| ${r.database} | ${what} | ${bare} ${unit} | ${g} ${unit} | +${(g - bare).toFixed(digits)} ${unit} | ${each(r.gatehouse).join(', ')} ${unit} | ${src} ${unit} |`);
    };
    row('time to first 200', 'ms', (s) => s.medianReadyMs, (s) => s.readyMs);
    row('CPU time to first 200', 'ms', (s) => s.medianCpuMs, (s) => s.cpuMs);
    row(`RSS after ${IDLE_MS / 1000} s idle`, 'MiB', (s) => s.medianRssMiB, (s) => s.rssMiB, 1);
  }
  return lines.join('\n');
}

// One contender of `npm run bench:compare` on one database: cold starts, then the four loads against the last
// server started, with the server's memory during each load and over its whole life.
import type { LoadResult, LoadSpec } from '../lib/load.ts';
import { runLoad } from '../lib/load.ts';
import { freePort, type ServerProcess } from '../lib/server.ts';
import { settle } from '../lib/cpu.ts';
import { rssPeak, statusMiB } from '../lib/rss.ts';

export const SCENARIOS = ['read', 'login', 'register', 'refresh'] as const;
export type Scenario = (typeof SCENARIOS)[number];
export const SCENARIO_TITLES: Record<Scenario, string> = {
  read: 'authenticated read', login: 'password login', register: 'register', refresh: 'refresh',
};

/** The request of one load: what differs between contenders (the rest — connections, times — is the same). */
export type Request = Omit<LoadSpec, 'title' | 'origin' | 'serverPid' | 'connections' | 'duration' | 'warmup'>;
export interface Prepared { route: string; request: Request }

export interface Contender {
  /** "Gatehouse", "Better Auth" */
  name: string;
  /** GET path answering 200 while the server is up (its readiness route). */
  readyPath: string;
  /** Starts a server on `databaseUrl` (empty: each creates its schema at start); resolves at its first 200. */
  start(dir: string, host: string, port: number, databaseUrl: string): Promise<ServerProcess>;
  /**
   * Creates what the loads need over HTTP (users, sessions: `sessions` of them for the refresh pool) and returns
   * each scenario's request. `tag` keeps addresses apart between runs.
   */
  prepare(origin: string, sessions: number, tag: string): Promise<Record<Scenario, Prepared>>;
}

export interface Row { scenario: Scenario; route: string; load: LoadResult; peakRssMiB?: number }
export interface ContenderResult {
  contender: string;
  /** Spawn to first 200, each on an empty database; the median is reported. */
  coldStartsMs: number[];
  coldStartMs: number;
  /** Resident memory right after the start and the fixtures, before the first load. */
  idleRssMiB?: number;
  rows: Row[];
  /** VmHWM at the end: the most the server held over its whole life. */
  lifetimePeakRssMiB?: number;
}

export interface RunOptions {
  dir: string;
  host: string;
  /** Returns the URL of an empty database, dropped and created again (or a new SQLite file). */
  freshDatabase: (attempt: number) => Promise<string>;
  coldStarts: number;
  connections: number;
  duration: number;
  warmup: number;
  say: (line: string) => void;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
/** The server gives in-flight requests 10 s after SIGTERM; past this it is killed. */
const SHUTDOWN_GRACE_MS = 12_000;

/** Starts `c` o.coldStarts times (keeping the last), then runs every scenario against it. */
export async function runContender(c: Contender, o: RunOptions): Promise<ContenderResult> {
  const coldStartsMs: number[] = [];
  let server: ServerProcess | undefined;
  for (let i = 0; i < o.coldStarts; i++) {
    const url = await o.freshDatabase(i);
    server = await c.start(o.dir, o.host, await freePort(o.host), url);
    coldStartsMs.push(server.readyMs);
    o.say(`  cold start ${i + 1}/${o.coldStarts}: ${server.readyMs} ms`);
    if (i < o.coldStarts - 1) await stop(server);
  }
  const s = server!;
  try {
    // Twice the connections: a run that stops loses the credentials in flight, and the warm-up is a run.
    const prepared = await c.prepare(s.origin, 2 * o.connections + 10, Date.now().toString(36));
    const idleRssMiB = statusMiB(s.pid, 'VmRSS');
    const rows: Row[] = [];
    for (const scenario of SCENARIOS) {
      const { route, request } = prepared[scenario];
      o.say(`  ${SCENARIO_TITLES[scenario]}: ${route}, ${o.warmup} s warm-up + ${o.duration} s, ${o.connections} connections`);
      await settle(s.pid);
      const peak = rssPeak(s.pid);
      const load = await runLoad({
        title: `${c.name} ${scenario}`, origin: s.origin, serverPid: s.pid,
        connections: o.connections, duration: o.duration, warmup: o.warmup, ...request,
      });
      const peakRssMiB = peak();
      rows.push({ scenario, route, load, ...(peakRssMiB !== undefined ? { peakRssMiB } : {}) });
      await stillUp(c, s, scenario);
      const failed = load.non2xx + load.errors;
      o.say(`    ${load.rps.toFixed(1)} req/s, p50 ${load.latency.p50} ms, p99 ${load.latency.p99} ms${failed ? `, ${failed} errors ${JSON.stringify(load.statusCodes)}` : ''}`);
    }
    const lifetimePeakRssMiB = statusMiB(s.pid, 'VmHWM');
    return {
      contender: c.name, coldStartsMs, coldStartMs: median(coldStartsMs), rows,
      ...(idleRssMiB !== undefined ? { idleRssMiB } : {}),
      ...(lifetimePeakRssMiB !== undefined ? { lifetimePeakRssMiB } : {}),
    };
  } finally {
    await stop(s);
  }
}

/** Throws if the server no longer answers (it crashed, or something else stopped it): the next rows would be noise. */
async function stillUp(c: Contender, s: ServerProcess, after: Scenario): Promise<void> {
  const status = await fetch(`${s.origin}${c.readyPath}`, { signal: AbortSignal.timeout(5000) })
    .then(async (r) => { await r.arrayBuffer(); return String(r.status); }, (err: Error) => err.message);
  if (status !== '200') throw new Error(`${c.name} stopped answering GET ${c.readyPath} after the ${after} load (${status})`);
}

async function stop(server: ServerProcess): Promise<void> {
  if (await server.stop(SHUTDOWN_GRACE_MS) === 'killed') {
    process.stderr.write(`bench: warning: ${server.name} did not exit within ${SHUTDOWN_GRACE_MS / 1000} s of SIGTERM; killed it\n`);
  }
}

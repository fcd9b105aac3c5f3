// bench:instances' report: every run (database × processes × scenario), and the throughput ratio two ÷ one.
import type { Machine } from '../lib/machine.ts';
import { noiseWarning, type TreeLoadResult } from '../lib/tree-load.ts';
import { table } from '../lib/table.ts';
import { machineParagraph, markdownTable, type Cell } from '../lib/markdown.ts';

export interface InstancesRun {
  database: string;
  /** Server processes answering requests: 1 = plain `serve`, N = `serve --workers N` (plus the cluster's primary). */
  workers: number;
  hashWorkersPerProcess: number;
  me: TreeLoadResult;
  login: TreeLoadResult;
}

export interface Ratio {
  database: string;
  scenario: string;
  oneRps: number;
  twoRps: number;
  /** req/s with two processes ÷ req/s with one. */
  ratio: number;
}

const SCENARIOS = [['GET /users/me', 'me'], ['POST /auth/jwt/login', 'login']] as const;

export function ratios(runs: InstancesRun[]): Ratio[] {
  const out: Ratio[] = [];
  for (const database of new Set(runs.map((r) => r.database))) {
    const one = runs.find((r) => r.database === database && r.workers === 1);
    const two = runs.find((r) => r.database === database && r.workers === 2);
    if (!one || !two) continue;
    for (const [scenario, key] of SCENARIOS) {
      out.push({ database, scenario, oneRps: one[key].rps, twoRps: two[key].rps, ratio: two[key].rps / Math.max(one[key].rps, 1e-9) });
    }
  }
  return out;
}

const pct = (x: number | undefined) => (x === undefined ? '-' : `${x}%`);
const processes = (r: InstancesRun) => (r.workers === 1 ? '1' : `${r.workers} (--workers ${r.workers})`);

const RUN_HEAD = ['database', 'processes', 'scenario', 'req/s', 'p50 ms', 'p99 ms', 'max ms', '2xx', 'non-2xx + errors',
  'server CPU', 'per process', 'PostgreSQL CPU', 'loadgen CPU', 'other CPU'];
const runCells = (runs: InstancesRun[]): Cell[][] => runs.flatMap((r) => SCENARIOS.map(([scenario, key]) => {
  const l = r[key];
  return [r.database, processes(r), scenario, l.rps.toFixed(1), l.latency.p50, l.latency.p99, l.latency.max, l.ok,
    l.non2xx + l.errors + l.timeouts, pct(l.cpu.server), l.serverProcessCpu.map((c) => `${c}%`).join(' / '), pct(l.postgresCpu), pct(l.cpu.load), pct(l.cpu.other)];
}));

const RATIO_HEAD = ['database', 'scenario', 'one process req/s', 'two processes req/s', 'ratio two / one'];
const ratioCells = (rows: Ratio[]): Cell[][] => rows.map((r) => [r.database, r.scenario, r.oneRps.toFixed(1), r.twoRps.toFixed(1), `×${r.ratio.toFixed(2)}`]);

const str = (c: Cell[][]) => c.map((r) => r.map((x) => (x === undefined ? '-' : String(x))));

/** Which loads other programs disturbed, if any. */
export const instancesNoise = (runs: InstancesRun[]): string | undefined => noiseWarning(runs.flatMap((r) => SCENARIOS.map(([scenario, key]) => ({
  label: `${r.database} ${r.workers === 1 ? 'one process' : `${r.workers} processes`} ${scenario}`, load: r[key],
}))));

/** The terminal's tables: the ratios, then every run. */
export function instancesTables(runs: InstancesRun[], rows: Ratio[]): string {
  return `${table(RATIO_HEAD, str(ratioCells(rows)))}\n\n${table(RUN_HEAD, str(runCells(runs)))}\n`
    + 'CPU: percent of one core during the measured run; server = the primary plus its workers ("per process", primary first); '
    + 'PostgreSQL = all its processes here (on SQLite too, so its idle share shows); other = other programs (approximate).'
    + (instancesNoise(runs) ? `\n${instancesNoise(runs)}` : '');
}

export interface InstancesMarkdownInput {
  timestamp: string;
  machine: Machine;
  settings: { duration: number; warmup: number; connections: number; users: number; postgres: string; sessionCacheMs: string };
  runs: InstancesRun[];
  ratios: Ratio[];
}

export function instancesMarkdown(r: InstancesMarkdownInput): string {
  const s = r.settings;
  const hashWorkers = [...new Set(r.runs.map((x) => x.hashWorkersPerProcess))].join(', ');
  return [
    '# Gatehouse: one instance vs two on the same machine',
    '',
    `Measured ${r.timestamp} by \`npm run bench:instances\` (bench/instances/run.ts).`,
    '',
    machineParagraph(r.machine),
    '',
    `One process is \`gatehouse serve\`; two is \`gatehouse serve --workers 2\` (node:cluster: a primary and two workers `
      + `sharing the port). Each load: ${s.connections} connections, ${s.duration} s after ${s.warmup} s warm-up (autocannon in its own `
      + `process, on the same cores). ${s.postgres} on the same machine. ${s.users} registered users; each login request is one of `
      + `them at random; \`/users/me\` uses one user's token. ${hashWorkers} argon2id hash worker threads per server process; `
      + `session cache (\`SESSION_CACHE_MS\`): ${s.sessionCacheMs}.`,
    '',
    markdownTable(RATIO_HEAD, ratioCells(r.ratios)),
    '',
    markdownTable(RUN_HEAD, runCells(r.runs)),
    '',
    'CPU: percent of one core during the measured run. Server CPU is the sum of the primary and its workers ("per process": '
      + 'primary first). PostgreSQL: all its processes on this machine (other clients\' too). "other": any other program '
      + '(approximate: measured over the load\'s wall time); a high "other" means the numbers are low.',
    '',
    ...(instancesNoise(r.runs) ? [`**${instancesNoise(r.runs)}**`, ''] : []),
  ].join('\n');
}

// bench:scale's report: one row per table size (for the terminal and for bench/results/scale.md), and whether
// the curve is flat.
import { noiseWarning, type TreeLoadResult } from '../lib/tree-load.ts';
import type { Machine } from '../lib/machine.ts';
import type { SeedResult } from './seed-users.ts';
import { table } from '../lib/table.ts';
import { machineParagraph, markdownTable, type Cell } from '../lib/markdown.ts';

export interface ScaleRow {
  users: number;
  seed: SeedResult;
  table: { users: number; sessions: number; usersMiB: number };
  me: TreeLoadResult;
  login: TreeLoadResult;
}

export interface Flatness {
  scenario: 'GET /users/me' | 'POST /auth/jwt/login';
  from: number;
  to: number;
  /** p99 at the largest size ÷ p99 at the smallest; req/s likewise. */
  p99Ratio: number;
  rpsRatio: number;
  flat: boolean;
  summary: string;
}

/**
 * "Flat": the p99 at the largest size is within 25% of the smallest's (or within 2 ms: autocannon's histogram has
 * 1 ms steps), and req/s has not dropped by more than 20%. On a shared 2-core machine noise alone moves numbers
 * by about that much, so a "not flat" deserves a second run before a conclusion.
 */
const P99_TOLERANCE = 1.25;
const P99_SLACK_MS = 2;
const RPS_TOLERANCE = 0.8;

export function flatness(rows: ScaleRow[]): Flatness[] {
  if (rows.length < 2) return [];
  const first = rows[0]!, last = rows.at(-1)!;
  return (['me', 'login'] as const).map((key) => {
    const a = first[key], b = last[key];
    const scenario = key === 'me' ? 'GET /users/me' as const : 'POST /auth/jwt/login' as const;
    if (a.requests === 0 || b.requests === 0) {
      const summary = `${scenario}: no request completed at ${count((a.requests === 0 ? first : last).users)} users (a load shorter than one request?): no verdict`;
      return { scenario, from: first.users, to: last.users, p99Ratio: NaN, rpsRatio: NaN, flat: false, summary };
    }
    const p99Ratio = b.latency.p99 / Math.max(a.latency.p99, 1);
    const rpsRatio = b.rps / Math.max(a.rps, 1e-9);
    const flat = (p99Ratio <= P99_TOLERANCE || b.latency.p99 - a.latency.p99 <= P99_SLACK_MS) && rpsRatio >= RPS_TOLERANCE;
    const summary = `${scenario}: p99 ${a.latency.p99} ms at ${count(first.users)} users → ${b.latency.p99} ms at ${count(last.users)} `
      + `(×${p99Ratio.toFixed(2)}), req/s ×${rpsRatio.toFixed(2)}: ${flat ? 'FLAT' : 'NOT FLAT'} `
      + `(flat = p99 within ×${P99_TOLERANCE} or +${P99_SLACK_MS} ms, req/s at least ×${RPS_TOLERANCE})`;
    return { scenario, from: first.users, to: last.users, p99Ratio, rpsRatio, flat, summary };
  });
}

const count = (n: number) => n.toLocaleString('en-US');
const errors = (l: TreeLoadResult) => l.non2xx + l.errors + l.timeouts;
const pct = (x: number | undefined) => (x === undefined ? '-' : `${x}%`);

const HEAD = ['users', 'scenario', 'req/s', 'p50 ms', 'p99 ms', 'max ms', '2xx', 'non-2xx + errors', 'server CPU', 'PostgreSQL CPU', 'loadgen CPU', 'other CPU'];
function cells(rows: ScaleRow[]): Cell[][] {
  return rows.flatMap((r) => ([['GET /users/me', r.me], ['POST /auth/jwt/login', r.login]] as const).map(([label, l]) => [
    count(r.users), label, l.rps.toFixed(1), l.latency.p50, l.latency.p99, l.latency.max, l.ok, errors(l), pct(l.cpu.server), pct(l.postgresCpu), pct(l.cpu.load), pct(l.cpu.other),
  ]));
}

const SEED_HEAD = ['users', 'rows added', 'insert s', 'ANALYZE s', 'sessions in table', 'users table MiB (with indexes)'];
const seedCells = (rows: ScaleRow[]): Cell[][] => rows.map((r) => [
  count(r.users), count(r.seed.added), r.seed.insertSeconds.toFixed(1), r.seed.analyzeSeconds.toFixed(1), count(r.table.sessions), r.table.usersMiB,
]);

/** Which loads other programs disturbed, if any. */
export const scaleNoise = (rows: ScaleRow[]): string | undefined => noiseWarning(rows.flatMap((r) => [
  { label: `/users/me at ${count(r.users)}`, load: r.me }, { label: `login at ${count(r.users)}`, load: r.login },
]));

/** The terminal's tables: loads, then seeding. */
export function scaleTable(rows: ScaleRow[]): string {
  const str = (c: Cell[][]) => c.map((r) => r.map((x) => (x === undefined ? '-' : String(x))));
  return `${table(HEAD, str(cells(rows)))}\n\nSeeding (one INSERT … SELECT generate_series, then ANALYZE):\n${table(SEED_HEAD, str(seedCells(rows)))}\n`;
}

export interface ScaleMarkdownInput {
  timestamp: string;
  machine: Machine;
  settings: { duration: number; warmup: number; connections: number; sessionFraction: number; argon2: string; hashWorkers: number; postgres: string; sessionCacheMs: number };
  rows: ScaleRow[];
  flat: Flatness[];
}

export function scaleMarkdown(r: ScaleMarkdownInput): string {
  const s = r.settings;
  return [
    '# Gatehouse at scale: `/users/me` and login as the users table grows',
    '',
    `Measured ${r.timestamp} by \`npm run bench:scale\` (bench/scale/run.ts).`,
    '',
    machineParagraph(r.machine),
    '',
    `${s.postgres} on the same machine. Each load: ${s.connections} connections, ${s.duration} s after ${s.warmup} s warm-up `
      + `(autocannon in its own process). argon2id ${s.argon2}, ${s.hashWorkers} hash workers. `
      + '`/users/me` uses the token of one seeded user picked at random; each login request is another seeded user '
      + `picked at random. ${Math.round(s.sessionFraction * 100)}% of seeded users also have a live session. `
      + (s.sessionCacheMs === 0
        ? 'The session cache is off (`SESSION_CACHE_MS=0`): every `/users/me` reads the session and the user from PostgreSQL. '
        : `\`SESSION_CACHE_MS=${s.sessionCacheMs}\`: \`/users/me\` is mostly answered from the server's session cache. `)
      + 'CPU: percent of one core during the measured run (200% = both cores). PostgreSQL: all its processes on this '
      + 'machine; "other": everything else (other programs; approximate). A high "other" means the numbers are low.',
    '',
    markdownTable(HEAD, cells(r.rows)),
    '',
    ...(r.flat.length > 0 ? [...r.flat.map((f) => `- ${f.summary}`), ''] : []),
    ...(scaleNoise(r.rows) ? [`**${scaleNoise(r.rows)}**`, ''] : []),
    'Seeding (one `INSERT … SELECT … FROM generate_series`, then `ANALYZE`):',
    '',
    markdownTable(SEED_HEAD, seedCells(r.rows)),
    '',
  ].join('\n');
}

// The soak's verdict and its two renderings: the summary printed at the end, and bench/results/soak.md.
import type { Machine } from '../lib/machine.ts';
import { machineParagraph, markdownTable, type Cell } from '../lib/markdown.ts';
import type { MIX } from './actor.ts';
import type { RssGrowth, RssSample } from './memory.ts';
import type { TallySummary } from './tally.ts';

/** The soak fails when RSS outside V8's young generation grows by this much or more between the warm-up and the end. */
export const RSS_GROWTH_LIMIT = 0.1;

export interface SoakReport {
  startedAt: string;
  minutes: number;
  database: string;
  load: { host: string; connections: number; actionsPerSecond: number; mix: typeof MIX };
  /** What the load generator actually did. */
  seconds: number;
  actions: number;
  requests: TallySummary;
  rss: {
    everySeconds: number; warmupSeconds: number; limit: number;
    /** RSS outside V8's young generation (memory.ts): the verdict's. */
    growth?: RssGrowth;
    /** RSS as measured, young generation included. */
    asMeasured?: RssGrowth;
    curve: RssSample[]; samples: RssSample[];
  };
  /** Average server CPU over the run, percent of one core. */
  serverCpuPercent?: number;
  /** How the server ended: on SIGTERM at the end ('exited' cleanly or 'killed' after the grace), or during the run. */
  shutdown: 'exited' | 'killed' | 'died during the run';
  /** When it died: how ("killed by SIGSEGV", "exited with code 1") and the last lines it printed. */
  death?: { reason: string; output: string };
  /** Why the soak failed; empty when it passed. */
  failures: string[];
  machine: Machine;
}

export function verdict(r: Omit<SoakReport, 'failures'>): string[] {
  const failures: string[] = [];
  if (r.requests.errors > 0) failures.push(`${r.requests.errors} error(s): unexpected statuses or socket errors`);
  if (r.shutdown === 'died during the run') failures.push(`the server died during the run (${r.death?.reason ?? 'unknown'})`);
  const g = r.rss.growth;
  if (!g) failures.push('not enough RSS samples (with the young generation read) after the warm-up for a baseline and an end');
  else if (g.growth >= r.rss.limit) failures.push(`RSS outside the young generation grew ${pct(g.growth)} (limit: under ${pct(r.rss.limit, 0)})`);
  return failures;
}

const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;
const pct = (x: number, digits = 1) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(digits)} %`;

function rows(r: SoakReport): Cell[][] {
  return Object.values(r.requests.byKind).map((k) => [
    k.request, k.expectedStatus, k.requests, (k.requests / r.seconds).toFixed(1),
    Object.entries(k.unexpected).map(([s, n]) => `${n}×${s}`).join(' ') || 0, k.socketErrors,
    k.latencyMs.p50, k.latencyMs.p99, k.latencyMs.max,
  ]);
}
const HEAD = ['request', 'expected', 'count', 'per s', 'unexpected', 'socket errors', 'p50 ms', 'p99 ms', 'max ms'];

function growthLine(what: string, g: RssGrowth | undefined, r: SoakReport, limit: boolean): string {
  if (!g) return `${what}: too few samples (${r.rss.samples.length})`;
  return `${what}: baseline ${mib(g.baselineKiB)} (the ${g.window.seconds} s after a ${r.rss.warmupSeconds} s warm-up), `
    + `end ${mib(g.endKiB)} (last ${g.window.seconds} s), peak ${mib(g.peakKiB)} → growth ${pct(g.growth)} `
    + `(${limit ? `limit: under ${pct(r.rss.limit, 0)}; ` : ''}with medians: ${pct(g.medianGrowth)}); lowest after the warm-up `
    + `${mib(g.lowest.kib)} at ${g.lowest.t.toFixed(0)} s, the end ${pct(g.lowest.endAbove)} above it`;
}

function rssLines(r: SoakReport): string[] {
  const young = r.rss.samples.flatMap((s) => (s.youngKiB === undefined ? [] : [s.youngKiB]));
  return [
    growthLine('server RSS outside V8\'s young generation', r.rss.growth, r, true),
    growthLine('server RSS as measured', r.rss.asMeasured, r, false),
    young.length ? `V8's young generation: ${mib(Math.min(...young))} to ${mib(Math.max(...young))} during the run (${young.length} of ${r.rss.samples.length} samples read)`
      : 'V8\'s young generation: not read (/metrics unreachable)',
  ];
}

function headline(r: SoakReport): string {
  return `${r.minutes} min of mixed traffic against Gatehouse on ${r.database} from ${r.load.host}: `
    + `${r.load.connections} connections, ${r.load.actionsPerSecond} actions/s`;
}

/** The plain-text summary printed at the end of the run. */
export function summaryText(r: SoakReport): string {
  const table = [HEAD, ...rows(r).map((row) => row.map((c) => String(c ?? '-')))];
  const widths = HEAD.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const lines = table.map((row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
  return [
    `Soak: ${headline(r)}`,
    ...lines,
    `total: ${r.requests.requests} requests in ${r.seconds.toFixed(0)} s (${(r.requests.requests / r.seconds).toFixed(1)}/s), `
      + `${r.actions} actions; errors: ${r.requests.errors}`,
    ...r.requests.examples.slice(0, 5).map((e) => `  e.g. ${e}`),
    ...rssLines(r),
    `server CPU: ${r.serverCpuPercent ?? '?'} % of one core on average; shutdown on SIGTERM: ${r.shutdown}`,
    ...(r.death ? [`--- last output of the server ---\n${r.death.output}`] : []),
    r.failures.length === 0 ? 'RESULT: PASS' : `RESULT: FAIL — ${r.failures.join('; ')}`,
  ].join('\n');
}

/** bench/results/soak.md */
export function summaryMarkdown(r: SoakReport): string {
  return [
    '# Soak', '',
    `${headline(r)}. Started ${r.startedAt}. **${r.failures.length === 0 ? 'PASS' : `FAIL: ${r.failures.join('; ')}`}**`, '',
    `Mix (weights): ${Object.entries(r.load.mix).map(([a, w]) => `${a} ${w}`).join(', ')}. A failed login is an unknown `
      + 'address: 400 by design, counted as expected. Any other status, and every socket error, is an error.', '',
    markdownTable(HEAD, rows(r)), '',
    `Total: ${r.requests.requests} requests in ${r.seconds.toFixed(0)} s, errors: ${r.requests.errors}.`, '',
    `${rssLines(r).join('. ')}. Sampled every ${r.rss.everySeconds} s (VmRSS of the server process, hash threads included, `
      + 'and the size of V8\'s young generation from /metrics); baseline and end are the lower quartiles of their windows\' '
      + 'samples (each argon2id hash in flight adds its 19 MiB until it ends, so single samples jump by that much). The '
      + 'verdict is on RSS outside the young generation, which V8 resizes with the allocation rate (4 to 64 MiB here) '
      + 'and empties at every scavenge (see bench/soak/memory.ts). Server CPU: '
      + `${r.serverCpuPercent ?? '?'} % of one core on average. Shutdown on SIGTERM: ${r.shutdown}.`, '',
    markdownTable(['seconds', 'RSS MiB', 'young generation MiB'], r.rss.curve.map((s) => [
      s.t.toFixed(0), (s.kib / 1024).toFixed(1), s.youngKiB === undefined ? '-' : (s.youngKiB / 1024).toFixed(1),
    ])), '',
    machineParagraph(r.machine), '',
  ].join('\n');
}

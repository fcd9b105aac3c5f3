// The human-readable report: machine, one row per load, the raw argon2id rate, and the bars with PASS/FAIL.
import type { Machine } from '../lib/machine.ts';
import type { LoadResult } from '../lib/load.ts';
import type { Interleaved } from './interleave.ts';
import type { Bar } from './bars.ts';
import { table } from '../lib/table.ts';

export interface ScenarioRow {
  label: string;
  load: LoadResult;
  /** Ran alongside another load, whose generator then counts as "other" CPU. */
  concurrent?: boolean;
}

/** "other" CPU above this during a load alone means other programs took a real share of the machine. */
const NOISE_PCT = 10;

export interface Report {
  machine: Machine;
  settings: { duration: number; warmup: number; rounds: number; phase: number; hashWorkers: number; argon2: string };
  scenarios: ScenarioRow[];
  /** Login and register in phases alternating with the raw argon2id rate. */
  argon2Shares: { login: Interleaved; register: Interleaved };
  bars: Bar[];
}

const fixed = (x: number, digits = 1) => x.toFixed(digits);
const percent = (x: number | undefined) => (x === undefined ? '-' : `${x}%`);
const threads = (t: Record<string, number> | undefined) => (t ? ['main', 'workers', 'libuv', 'v8'].map((g) => t[g] ?? 0).join('/') : '-');

export function formatReport(r: Report): string {
  const m = r.machine;
  const out: string[] = [];
  out.push(`Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, node ${m.node}, ${m.os}; `
    + `before start: load average ${m.loadAverage}, ${percent(m.busyBeforeStart)} CPU busy`);
  out.push(`Settings: ${r.settings.duration} s per load after ${r.settings.warmup} s warm-up; argon2id ${r.settings.argon2}; ${r.settings.hashWorkers} hash workers; `
    + `against raw argon2id: ${r.settings.rounds} load phases of ${r.settings.phase} s`);
  out.push('');
  out.push(table(
    ['Scenario', 'conn', 'req/s', 'p50 ms', 'p99 ms', 'max ms', '2xx', 'non-2xx', 'errors', 'server CPU', 'main/workers/uv/v8', 'loadgen CPU', 'other CPU'],
    r.scenarios.map(({ label, load: l }) => [
      label, String(l.connections), fixed(l.rps), String(l.latency.p50), String(l.latency.p99), String(l.latency.max),
      String(l.ok), String(l.non2xx), String(l.errors + l.timeouts), percent(l.cpu.server), threads(l.cpu.serverThreads), percent(l.cpu.load), percent(l.cpu.other),
    ]),
  ));
  out.push(`CPU: percent of one core (${r.machine.cores * 100}% = all cores) during the measured run. main/workers/uv/v8: the server's `
    + 'event loop, worker threads (hash pool), libuv pool, V8 helpers. other: the rest of the machine (other programs = noise; '
    + 'in the two mixed rows, also the other load generator).');
  const disturbed = [
    ...r.scenarios.filter((row) => !row.concurrent).map((row) => ({ label: row.label, other: row.load.cpu.other ?? 0 })),
    ...Object.entries(r.argon2Shares).map(([name, x]) => ({ label: `${name} against raw argon2id`, other: x.otherCpu })),
  ].filter((d) => d.other > NOISE_PCT);
  if (disturbed.length > 0) {
    out.push(`WARNING: other programs used CPU during ${disturbed.map((d) => `${d.label} (${d.other}%)`).join(', ')}: `
      + 'those numbers are low; run again on a quiet machine.');
  }
  out.push('');
  out.push(...argon2Lines(r.argon2Shares));
  out.push('');
  out.push(table(['Bar', 'Target', 'Measured', 'Result'], r.bars.map((b) => [b.name, b.target, b.measured, b.pass ? 'PASS' : 'FAIL'])));
  const failed = r.bars.filter((b) => !b.pass).length;
  out.push('');
  out.push(failed === 0 ? `All ${r.bars.length} bars pass.` : `${failed} of ${r.bars.length} bars FAIL.`);
  return out.join('\n');
}

/** Each load phase of login and register next to the raw argon2id rate it was held to; `bullet` starts each load's line. */
export function argon2Lines(shares: Report['argon2Shares'], bullet = '  '): string[] {
  const { seconds, rounds } = shares.login;
  return [
    `Against raw argon2id: ${rounds.length} load phases of ${seconds} s, each between two raw phases with the server quiet, held to their `
      + 'mean (in brackets, to the higher of the two); the load by a lean keep-alive client in its own process (bench/lib/phase-load.ts):',
    ...Object.entries(shares).map(([name, x]) => `${bullet}${name}: ${x.rounds.map((q) => `${q.rps.toFixed(1)}/${q.ceiling.toFixed(1)}`).join(', ')} `
      + `(req/s / hash/s) = ${Math.round(x.share * 100)}% (${Math.round(x.harshShare * 100)}%); raw ${x.raw.map((h) => h.toFixed(1)).join(' → ')} hash/s; `
      + `CPU during the load: event loop ${x.cpu.main}%, hash threads ${x.cpu.workers}%, client ${x.cpu.client}%; during the raw phases ${x.cpu.raw}%`),
  ];
}

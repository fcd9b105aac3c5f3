// `npm run bench:compare`'s tables: per database, each scenario's numbers for both servers and their ratio
// (Gatehouse / Better Auth), as plain text for the terminal and as markdown for bench/results/compare.md.
import { SCENARIOS, SCENARIO_TITLES, type ContenderResult, type Row } from './contender.ts';
import { table } from '../lib/table.ts';
import { markdownTable, machineParagraph } from '../lib/markdown.ts';
import type { Machine } from '../lib/machine.ts';

export interface DatabaseResult {
  /** "SQLite" / "PostgreSQL" */
  kind: string;
  /** e.g. "SQLite file, WAL" or "PostgreSQL 15.20" */
  describe: string;
  gatehouse?: ContenderResult;
  betterAuth?: ContenderResult;
  /** Why this database was not measured (e.g. PostgreSQL unreachable). */
  skipped?: string;
}

const HEAD = ['Scenario', 'Metric', 'Gatehouse', 'Better Auth', 'Gatehouse / Better Auth'];
const errorsOf = (r: Row) => r.load.non2xx + r.load.errors; // autocannon's errors include its timeouts
const num = (x: number | undefined, digits: number) => (x === undefined ? '-' : x.toFixed(digits));
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || b === 0 ? '-' : (a / b).toFixed(2));

/** Rows of cells: [scenario, metric, gatehouse, better auth, ratio]. */
function rowsOf(d: DatabaseResult): string[][] {
  const g = d.gatehouse, b = d.betterAuth;
  const out: string[][] = [];
  const metric = (scenario: string, name: string, x: number | undefined, y: number | undefined, digits: number) =>
    out.push([scenario, name, num(x, digits), num(y, digits), ratio(x, y)]);
  for (const s of SCENARIOS) {
    const gr = g?.rows.find((r) => r.scenario === s), br = b?.rows.find((r) => r.scenario === s);
    const t = SCENARIO_TITLES[s];
    metric(t, 'req/s', gr?.load.rps, br?.load.rps, 1);
    metric('', 'p50 ms', gr?.load.latency.p50, br?.load.latency.p50, 0);
    metric('', 'p99 ms', gr?.load.latency.p99, br?.load.latency.p99, 0);
    const ge = gr && errorsOf(gr), be = br && errorsOf(br);
    out.push(['', 'errors', num(ge, 0), num(be, 0), ge === 0 && be === 0 ? '-' : ratio(ge, be)]);
    metric('', 'peak RSS MiB', gr?.peakRssMiB, br?.peakRssMiB, 1);
  }
  metric('cold start', `ms to first 200 (median of ${g?.coldStartsMs.length ?? b?.coldStartsMs.length ?? 0})`, g?.coldStartMs, b?.coldStartMs, 0);
  metric('memory', 'RSS after start + fixtures MiB', g?.idleRssMiB, b?.idleRssMiB, 1);
  metric('', 'peak RSS, whole life MiB', g?.lifetimePeakRssMiB, b?.lifetimePeakRssMiB, 1);
  return out;
}

/** "other" CPU above this during a load means other programs took a real share of the machine. */
const NOISE_PCT = 10;

/** A warning naming the loads during which other programs used the CPU, or nothing. */
function noise(d: DatabaseResult): string[] {
  const hit = [d.gatehouse, d.betterAuth].flatMap((c) => (c?.rows ?? [])
    .filter((r) => (r.load.cpu.other ?? 0) > NOISE_PCT)
    .map((r) => `${c!.contender} ${SCENARIO_TITLES[r.scenario]} (${r.load.cpu.other}%)`));
  return hit.length === 0 ? [] : [`WARNING: other programs used CPU (percent of one core) during ${hit.join(', ')}: those numbers are low.`];
}

/** Which request each server answered in each scenario. */
function routes(d: DatabaseResult): string[] {
  return SCENARIOS.map((s) => {
    const of = (c?: ContenderResult) => c?.rows.find((r) => r.scenario === s)?.route ?? '-';
    return `${SCENARIO_TITLES[s]}: Gatehouse ${of(d.gatehouse)}; Better Auth ${of(d.betterAuth)}`;
  });
}

export interface CompareReport {
  machine: Machine;
  settings: { duration: number; warmup: number; connections: number; coldStarts: number; versions: Record<string, string> };
  databases: DatabaseResult[];
  notes: string[];
}

function settingsLine(r: CompareReport): string {
  const s = r.settings;
  return `Load: autocannon in its own process, ${s.connections} connections, ${s.warmup} s warm-up + ${s.duration} s per load, `
    + `one server at a time on 127.0.0.1. Versions: ${Object.entries(s.versions).map(([k, v]) => `${k} ${v}`).join(', ')}.`;
}

export function formatCompare(r: CompareReport): string {
  const m = r.machine;
  const out = [`Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, node ${m.node}, ${m.os}; before start: load average ${m.loadAverage}`
    + `${m.busyBeforeStart === undefined ? '' : `, ${m.busyBeforeStart}% CPU busy`}`, settingsLine(r), ''];
  for (const d of r.databases) {
    out.push(`${d.kind} — ${d.describe}`);
    if (d.skipped) {
      out.push(`  not measured: ${d.skipped}`, '');
      continue;
    }
    out.push(table(HEAD, rowsOf(d)), ...routes(d).map((l) => `  ${l}`), ...noise(d), '');
  }
  out.push('Ratio > 1 means Gatehouse has more of it: better for req/s, worse for latency, errors and memory.');
  out.push(...r.notes.map((n) => `- ${n}`));
  return out.join('\n');
}

export function markdownCompare(r: CompareReport, timestamp: string): string {
  const out = ['# Gatehouse vs Better Auth', '', `Measured ${timestamp} by \`npm run bench:compare\`.`, '', machineParagraph(r.machine), '', settingsLine(r), ''];
  for (const d of r.databases) {
    out.push(`## ${d.kind}`, '', d.describe, '');
    if (d.skipped) {
      out.push(`Not measured: ${d.skipped}`, '');
      continue;
    }
    const cells = rowsOf(d).map((r) => r.map((c) => (c === '-' ? undefined : c))); // undefined: "-", kept right-aligned
    out.push(markdownTable(HEAD, cells), '', ...routes(d).map((l) => `- ${l}`), '', ...noise(d).map((l) => `${l}\n`));
  }
  out.push('## How to read it', '', 'Ratio > 1 means Gatehouse has more of it: better for req/s, worse for latency, errors and memory.', '');
  out.push(...r.notes.map((n) => `- ${n}`), '');
  return out.join('\n');
}

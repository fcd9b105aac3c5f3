// `npm run bench:footprint` (also part of `npm run bench`): the footprint comparison alone. See footprint.ts.
// Environment: BENCH_FOOTPRINT_STARTS (measured starts of each server per database, default 5),
// BENCH_FOOTPRINT_DATABASES (default "sqlite,postgres"; PostgreSQL is skipped with a note when unreachable),
// TEST_DATABASE_URL_PG (the PostgreSQL to make schemas in; default the tests' gatehouse_test).
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { footprintBars, footprintFigures, footprintTable, measureFootprint, type Database, type FootprintBar, type FootprintRow } from './footprint.ts';

const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));

export interface FootprintReport { rows: FootprintRow[]; bars: FootprintBar[]; figures: string[]; table: string }

export async function runFootprint(say: (line: string) => void): Promise<FootprintReport> {
  const starts = Number(process.env.BENCH_FOOTPRINT_STARTS ?? 5);
  if (!Number.isInteger(starts) || starts < 1) throw new Error('BENCH_FOOTPRINT_STARTS must be a whole number, 1 or more');
  const databases = (process.env.BENCH_FOOTPRINT_DATABASES ?? 'sqlite,postgres').split(',').map((s) => s.trim()) as Database[];
  if (databases.some((d) => d !== 'sqlite' && d !== 'postgres')) throw new Error('BENCH_FOOTPRINT_DATABASES lists sqlite and/or postgres');
  const pgUrl = process.env.TEST_DATABASE_URL_PG ?? 'postgres://gatehouse:gatehouse@127.0.0.1:5432/gatehouse_test';
  say('footprint: cold start and idle memory, bare node:http vs gatehouse serve (defaults)');
  const rows = await measureFootprint({ starts, databases, pgUrl, say });
  return { rows, bars: footprintBars(rows), figures: footprintFigures(rows), table: footprintTable(rows) };
}

/** Runs it, prints the table and the bars, and writes results/footprint.{json,md}; gives the bars (run.ts's hook). */
export async function footprintSection(say: (line: string) => void): Promise<FootprintBar[]> {
  const load = [loadavg()[0]!];
  const r = await runFootprint(say);
  load.push(loadavg()[0]!);
  const lines = [r.table, '', ...r.bars.map((b) => `${b.pass ? 'PASS' : 'FAIL'}  ${b.name}: ${b.measured} (target ${b.target})`), ...r.figures,
    '', `load average (1 min) ${load.map((x) => x.toFixed(2)).join(' -> ')}`];
  say(`\n${lines.join('\n')}\n`);
  const timestamp = new Date().toISOString();
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(`${RESULTS}footprint.json`, `${JSON.stringify({ timestamp, loadAverage: load, rows: r.rows, bars: r.bars }, null, 2)}\n`);
  writeFileSync(`${RESULTS}footprint.md`, `# Footprint, ${timestamp}\n\n\`npm run bench:footprint\` (bench/footprint/). Medians.\n\n${lines.join('\n')}\n`);
  return r.bars;
}

if (import.meta.main) await footprintSection((line) => process.stdout.write(`${line}\n`));

// `npm run bench:footprint` (also part of `npm run bench`): the footprint comparison alone. See footprint.ts.
// Environment: BENCH_FOOTPRINT_STARTS (measured starts of each server per database, default 5),
// BENCH_FOOTPRINT_DATABASES (default "sqlite,postgres"; PostgreSQL is skipped with a note when unreachable),
// TEST_DATABASE_URL_PG (the PostgreSQL to make schemas in; default the tests' gatehouse_test).
import { footprintBars, footprintTable, measureFootprint, type Database, type FootprintBar, type FootprintRow } from './footprint.ts';

export interface FootprintReport { rows: FootprintRow[]; bars: FootprintBar[]; table: string }

export async function runFootprint(say: (line: string) => void): Promise<FootprintReport> {
  const starts = Number(process.env.BENCH_FOOTPRINT_STARTS ?? 5);
  if (!Number.isInteger(starts) || starts < 1) throw new Error('BENCH_FOOTPRINT_STARTS must be a whole number, 1 or more');
  const databases = (process.env.BENCH_FOOTPRINT_DATABASES ?? 'sqlite,postgres').split(',').map((s) => s.trim()) as Database[];
  if (databases.some((d) => d !== 'sqlite' && d !== 'postgres')) throw new Error('BENCH_FOOTPRINT_DATABASES lists sqlite and/or postgres');
  const pgUrl = process.env.TEST_DATABASE_URL_PG ?? 'postgres://gatehouse:gatehouse@127.0.0.1:5432/gatehouse_test';
  say('footprint: cold start and idle memory, bare node:http vs gatehouse serve (defaults)');
  const rows = await measureFootprint({ starts, databases, pgUrl, say });
  return { rows, bars: footprintBars(rows), table: footprintTable(rows) };
}

if (import.meta.main) {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const { bars, table } = await runFootprint(say);
  say(`\n${table}\n`);
  for (const b of bars) say(`${b.pass ? 'PASS' : 'FAIL'}  ${b.name}: ${b.measured} (target ${b.target})`);
}

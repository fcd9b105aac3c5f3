// The one benchmark test in `npm test` (the others run with `npm run test:bench`): the benchmark is wired up.
// Every `npm run bench*` script names a file that exists, every module of the suites loads (an import that a move
// broke fails here, not four minutes into a run), and the main run's bars say PASS and FAIL at their thresholds.
// No server, no load: well under a second.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { evaluateBars, MIXED_P99_MS, ME_SHARE_OF_HELLO, type BarInputs } from '../main/bars.ts';
import type { LoadResult } from '../lib/load.ts';
import type { Interleaved } from '../main/interleave.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BENCH = fileURLToPath(new URL('../', import.meta.url));

test('every bench script of package.json runs a file that exists', () => {
  const { scripts } = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> };
  const entries = Object.entries(scripts).filter(([name]) => name === 'bench' || name.startsWith('bench:'));
  assert.ok(entries.length >= 7, `bench scripts: ${entries.map(([n]) => n).join(', ')}`);
  for (const [name, command] of entries) {
    const file = /^node (bench\/\S+\.ts)$/.exec(command)?.[1];
    assert.ok(file, `${name}: "${command}" is not "node bench/….ts"`);
    assert.ok(existsSync(`${ROOT}${file}`), `${name}: ${file} does not exist`);
  }
});

/** Modules that do something when imported: the entries (run.ts, all.ts, micro/*, …) and the child-process bodies. */
const RUNS_ON_IMPORT = /(^|\/)(run|all|loadgen-cost|hello|[a-z-]+-child)\.ts$|^micro\/(?!measure\.ts$)/;

test('every module of the suites loads', async () => {
  const modules = readdirSync(BENCH, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('test/') && !f.includes('node_modules') && !RUNS_ON_IMPORT.test(f));
  assert.ok(modules.length >= 30, `found ${modules.length}`);
  for (const f of modules) await import(new URL(f, new URL('../', import.meta.url)).href);
});

const load = (rps: number, p99 = 5): LoadResult => ({
  title: 't', connections: 50, duration: 10, rps, latency: { p50: 1, p90: 2, p99, max: p99, mean: 1 },
  requests: rps * 10, ok: rps * 10, non2xx: 0, errors: 0, timeouts: 0, statusCodes: { 200: rps * 10 }, cpu: { load: 0 },
});
const shares = (share: number): Interleaved => ({
  rounds: [{ rps: 100 * share, ceiling: 100, highest: 100, failures: 0 }], raw: [100, 100], seconds: 2, otherCpu: 0,
  cpu: { main: 0, workers: 0, client: 0, raw: 0 }, share, harshShare: share, failures: 0,
});
const inputs = (me: number, p99: number, argon2: number): BarInputs => ({
  hello: load(1000), me: load(me), login: load(100), register: load(100), mixedProbe: load(500, p99),
  argon2Shares: { login: shares(argon2), register: shares(argon2) },
});

test('the main run passes its bars at their thresholds and fails just below them', () => {
  assert.deepEqual(evaluateBars(inputs(1000 * ME_SHARE_OF_HELLO, MIXED_P99_MS, 0.9)).map((b) => b.pass), [true, true, true, true]);
  assert.deepEqual(evaluateBars(inputs(1000 * ME_SHARE_OF_HELLO - 1, MIXED_P99_MS + 1, 0.89)).map((b) => b.pass), [false, false, false, false]);
});

// The soak's memory verdict (bench/soak/memory.ts): growth that only follows V8's young generation is V8 sizing its
// nursery, not memory kept; the same growth outside it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rssGrowth, type RssSample } from '../soak/memory.ts';

/** 100 samples, one per second; RSS = 190 MiB + the young generation + `extra(t)`. */
const run = (young: (t: number) => number, extra: (t: number) => number = () => 0): RssSample[] =>
  Array.from({ length: 100 }, (_, t) => ({ t, youngKiB: young(t) * 1024, kib: (190 + young(t) + extra(t)) * 1024 }));

test('RSS that grows only with the young generation is not growth outside it', () => {
  const samples = run((t) => (t < 50 ? 4 : 64));
  assert.ok(rssGrowth(samples, 10, 10)!.growth > 0.25, 'as measured: the young generation went from 4 to 64 MiB');
  assert.ok(Math.abs(rssGrowth(samples, 10, 10, true)!.growth) < 1e-9);
});

test('memory kept outside the young generation counts, whatever the young generation does', () => {
  const samples = run((t) => (t < 50 ? 64 : 4), (t) => (t < 50 ? 0 : 30));
  const outside = rssGrowth(samples, 10, 10, true)!;
  assert.ok(Math.abs(outside.growth - 30 / 190) < 1e-9, String(outside.growth));
  assert.ok(rssGrowth(samples, 10, 10)!.growth < 0, 'as measured it even fell');
});

test('samples whose young generation could not be read are left out, and too few leave no verdict', () => {
  const samples = run(() => 8).map((s, i) => (i % 2 ? { t: s.t, kib: s.kib } : s));
  assert.equal(rssGrowth(samples, 10, 10, true)!.window.baselineSamples, 6, "t = 10, 12, … 20");
  assert.equal(rssGrowth(samples.map((s) => ({ t: s.t, kib: s.kib })), 10, 10, true), undefined);
});

test('outside the young generation, single samples that stray either way do not move the verdict', () => {
  // A quarter of the samples 30 MiB low (young pages committed, not yet touched), a few 19 MiB high (a hash in flight).
  const samples = run(() => 32, (t) => (t % 4 === 0 ? -30 : t % 7 === 0 ? 19 : 0));
  assert.ok(Math.abs(rssGrowth(samples, 10, 10, true)!.growth) < 1e-9);
  const leaking = run(() => 32, (t) => (t % 4 === 0 ? -30 : 0) + (t >= 50 ? 25 : 0));
  assert.ok(Math.abs(rssGrowth(leaking, 10, 10, true)!.growth - 25 / 190) < 1e-9);
});

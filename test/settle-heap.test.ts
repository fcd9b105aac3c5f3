// `gatehouse serve` collects its start-up garbage once it is up (src/cli/settle-heap.ts): the young generation that
// the start grew is given back, and the process never gets a global `gc` out of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getHeapSpaceStatistics } from 'node:v8';
import { settleHeap } from '../src/cli/settle-heap.ts';

const youngMiB = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.physical_space_size / 2 ** 20;

test('settling the heap gives back the young generation a burst of allocation grew, and exposes no gc', async () => {
  const kept: object[] = [];
  for (let i = 0; i < 300_000; i++) kept.push({ i, label: `object ${i}` }); // survivors: V8 grows the young generation
  const before = youngMiB();
  assert.ok(before >= 4, `the burst grew the young generation (${before.toFixed(1)} MiB)`);
  assert.equal(await settleHeap(), true, 'this Node offers the collection');
  const after = youngMiB();
  assert.ok(after <= before / 4, `young generation ${before.toFixed(1)} -> ${after.toFixed(1)} MiB`);
  assert.equal(kept.length, 300_000, 'what is still referenced survives');
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined');
});

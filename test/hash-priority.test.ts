import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { HashPool } from '../src/crypto/hash-pool.ts';

test('password hashing threads run at a lower priority than the event loop (Linux)', { skip: !existsSync('/proc/thread-self') && 'not Linux' }, async () => {
  const nice = () => readdirSync('/proc/self/task').map((t) => ({
    comm: readFileSync(`/proc/self/task/${t}/comm`, 'utf8').trim(),
    nice: Number(readFileSync(`/proc/self/task/${t}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]),
  }));
  const pool = new HashPool(2);
  try {
    await Promise.all([0, 1].map(() => pool.run({ op: 'argon2-hash', password: 'x', params: { memoryCost: 256, timeCost: 1, parallelism: 1 } })));
    const threads = nice();
    assert.equal(threads.filter((t) => t.comm === 'WorkerThread' && t.nice === 10).length, 2, JSON.stringify(threads));
    assert.equal(threads.find((t) => t.comm !== 'WorkerThread' && /node|MainThread/.test(t.comm))?.nice ?? 0, 0, 'the main thread keeps its priority');
  } finally {
    await pool.close();
  }
});

// `node bench/micro/hash-pool.ts`: Gatehouse's HashPool (src/crypto/hash-pool.ts) against piscina, two threads each,
// a backlog of argon2id verifications handed over at once (as logins arriving faster than the threads hash). Per job:
// the event loop's busy time (what the pool costs the thread that answers requests: performance.eventLoopUtilization)
// and the wall-clock time for the whole backlog (throughput). At OWASP's parameters (m=19456 KiB, t=2, p=1) and at
// tiny ones (m=256 KiB, t=1), where the pool's own overhead is most of the cost. The two pools alternate, rounds
// median.
import { performance } from 'node:perf_hooks';
import { hashSync } from '@node-rs/argon2';
import { HashPool, type Argon2Params } from '../../src/crypto/hash-pool.ts';
import { contender } from './contenders.ts';

/** What this benchmark uses of piscina. */
interface Piscina { run(task: unknown): Promise<unknown>; close(): Promise<void> }
type PiscinaClass = new (o: { filename: string; minThreads: number; maxThreads: number; niceIncrement?: number; maxQueue?: number }) => Piscina;
const { module, version } = await contender('piscina');
const loaded = module as { Piscina?: PiscinaClass; default?: PiscinaClass & { Piscina?: PiscinaClass } };
const PiscinaPool = loaded.Piscina ?? loaded.default?.Piscina ?? loaded.default!;

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(jobs: number, submit: () => Promise<unknown>): Promise<{ loopUs: number; wallMs: number }> {
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: jobs }, submit));
  const wallMs = performance.now() - t0;
  const elu = performance.eventLoopUtilization(elu0);
  return { loopUs: (elu.active * 1000) / jobs, wallMs };
}

for (const [label, params, jobs] of [
  ['tiny parameters (m=256 KiB, t=1): the pool\'s own cost', { memoryCost: 256, timeCost: 1, parallelism: 1 }, 2000],
  ['OWASP parameters (m=19456 KiB, t=2)', { memoryCost: 19456, timeCost: 2, parallelism: 1 }, 200],
] as const satisfies readonly (readonly [string, Argon2Params, number])[]) {
  const hash = hashSync('correct horse', params);
  const job = { op: 'argon2-verify', hash, password: 'correct horse' } as const;
  const ours = new HashPool(2, { maxQueued: jobs, timeoutMs: 600_000 });
  const theirs = new PiscinaPool({ filename: new URL('./piscina-hash-task.ts', import.meta.url).href, minThreads: 2, maxThreads: 2, niceIncrement: 10, maxQueue: jobs });
  await Promise.all([ours.run(job), theirs.run(job), ours.run(job), theirs.run(job)]); // threads up, modules loaded
  const figures = { ours: [] as { loopUs: number; wallMs: number }[], theirs: [] as { loopUs: number; wallMs: number }[] };
  for (let r = 0; r < ROUNDS; r++) {
    figures.ours.push(await measure(jobs, () => ours.run(job)));
    figures.theirs.push(await measure(jobs, () => theirs.run(job)));
  }
  console.log(`\n${label}: ${jobs} verifications at once, 2 threads (median of ${ROUNDS} alternated rounds)`);
  for (const [name, f] of [['HashPool (Gatehouse)', figures.ours], [`piscina ${version}`, figures.theirs]] as const) {
    const wall = median(f.map((x) => x.wallMs));
    console.log(`  ${name.padEnd(22)} event loop ${median(f.map((x) => x.loopUs)).toFixed(1).padStart(7)} µs per job   ${(jobs / wall * 1000).toFixed(0).padStart(6)} jobs/s`);
  }
  await ours.close();
  await theirs.close();
}

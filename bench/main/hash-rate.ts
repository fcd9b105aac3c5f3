// The raw argon2id ceiling: how many hashes (and verifications) per second the project's own HashPool and
// PasswordHasher do with the server's parameters and thread count, with every thread kept busy.
import { HashPool, type Argon2Params } from '../../src/crypto/hash-pool.ts';
import { PasswordHasher } from '../../src/crypto/password-hasher.ts';
import { cpuWindow, type CpuShare } from '../lib/cpu.ts';

export interface Rate { count: number; seconds: number; perSecond: number }

export interface HashRate {
  workers: number;
  params: Argon2Params;
  /** Jobs kept in flight: twice the threads, so the next job is waiting when a thread comes free (the event loop is
   * idle here and hands it over at once). */
  concurrency: number;
  hash: Rate;
  /** Absent when measured with verify: false. */
  verify?: Rate;
  /** During the hash run: `load` is this process (the pool's threads), `server` the idle server. */
  cpu: CpuShare;
}

/** Runs `job` with `concurrency` of them in flight until `seconds` have passed; counts the ones that finished. */
async function saturate(concurrency: number, seconds: number, job: (i: number) => Promise<unknown>): Promise<Rate> {
  let started = 0;
  let count = 0;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  const lane = async () => {
    while (performance.now() < deadline) {
      await job(started++);
      count++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const elapsed = (performance.now() - t0) / 1000;
  return { count, seconds: elapsed, perSecond: count / elapsed };
}

/**
 * The raw rate's pool queues without a deadline: it measures how fast the threads hash, not the server's overload
 * policy (on a machine loaded by other programs a 5 s deadline refused raw jobs and stopped the run).
 */
export const RAW_QUEUE = { timeoutMs: 3_600_000 };

/** Hashes for `seconds`, then (unless verify is false) verifies for half as long. */
export async function measureHashRate(o: { workers: number; params: Argon2Params; seconds: number; serverPid?: number; verify?: boolean }): Promise<HashRate> {
  const pool = new HashPool(o.workers, RAW_QUEUE);
  try {
    const hasher = new PasswordHasher(pool, o.params);
    const concurrency = 2 * o.workers;
    const password = (i: number) => `bench password ${i}`;
    // Warm-up: the threads start, load the native module and touch their memory once (longer warm-ups measured
    // the same rate).
    const stored = await Promise.all(Array.from({ length: concurrency }, (_, i) => hasher.hash(password(i))));
    const window = cpuWindow(o.serverPid);
    const hash = await saturate(concurrency, o.seconds, (i) => hasher.hash(password(i)));
    const cpu = window();
    if (o.verify === false) return { workers: o.workers, params: o.params, concurrency, hash, cpu };
    const verify = await saturate(concurrency, o.seconds / 2, async (i) => {
      const { ok } = await hasher.verify(stored[i % concurrency]!, password(i % concurrency));
      if (!ok) throw new Error('argon2 verification failed');
    });
    return { workers: o.workers, params: o.params, concurrency, hash, verify, cpu };
  } finally {
    await pool.close();
  }
}

/**
 * One phase of hashing on a pool that lives across phases (interleave.ts): `concurrency` jobs in flight for `warmup` +
 * `seconds`; returns the hashes per second that finished within the last `seconds`, once nothing is in flight.
 */
export async function hashPhase(hasher: PasswordHasher, concurrency: number, warmup: number, seconds: number): Promise<number> {
  const t0 = performance.now();
  const from = t0 + warmup * 1000;
  const to = from + seconds * 1000;
  let counted = 0;
  let started = 0;
  const lane = async () => {
    while (performance.now() < to) {
      await hasher.hash(`bench password ${started++}`);
      const now = performance.now();
      if (now >= from && now <= to) counted++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return counted / seconds;
}

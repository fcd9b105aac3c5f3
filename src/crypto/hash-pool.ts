// Kept rather than piscina, measured: `node bench/micro/hash-pool.ts` (piscina 5.3.2 with niceIncrement 10 and
// maxQueue, against this pool, two threads each, a backlog of argon2id verifications handed over at once; one run on
// the 2-core machine while other programs kept it at a load average of ~20, 2026-12-06): the event loop spent 69 µs
// per job here against 259 µs with piscina at tiny parameters (m=256 KiB, t=1: the pools' own cost), 566 against
// 2,102 µs at OWASP's (m=19456 KiB, t=2); throughput 3,937 against 2,518 jobs/s, and 17 against 12. The event loop is
// what answers /users/me while logins saturate the hashing. Piscina also has no place for two of the properties the
// tests defend: a deadline that only runs while a job waits (its AbortSignal stops the worker thread if the job has
// started) and the batches of up to BATCH jobs per message (one message per task). Its maxQueue and niceIncrement
// match QueueLimits.maxQueued and hash-worker.ts's nice 10.
import { Worker } from 'node:worker_threads';

export interface Argon2Params { memoryCost: number; timeCost: number; parallelism: number }

export type HashJob =
  | { op: 'argon2-hash'; password: string; params: Argon2Params }
  | { op: 'argon2-verify'; hash: string; password: string }
  | { op: 'bcrypt-verify'; hash: string; password: string }
  /** scrypt or PBKDF2 kept from an import (legacy-hashes.ts). */
  | { op: 'derived-key-verify'; hash: string; password: string };

/** What a worker answers for one job (src/crypto/hash-worker.ts), in the order the jobs were handed over. */
export interface HashOutcome { result?: string | boolean; error?: string }

type Result<J extends HashJob> = J['op'] extends 'argon2-hash' ? string : boolean;

interface Pending { job: HashJob; resolve: (v: string | boolean) => void; reject: (e: Error) => void; deadline?: NodeJS.Timeout; startedAt?: number }

/** How much may wait for a thread: at most `maxQueued` jobs, each for at most `timeoutMs` before it starts. */
export interface QueueLimits { maxQueued: number; timeoutMs: number }

/**
 * A job refused because the threads are behind: the queue was full, or the jobs ahead of it would keep it waiting past
 * its deadline (`full`, refused as it comes), or it could not start before its deadline after all (`timeout`).
 * Refused at once rather than left to wait: a login that waits longer than its client is gone, and every queued job
 * holds a plaintext password.
 */
export class HashQueueBusy extends Error {
  readonly why: 'full' | 'timeout';

  constructor(why: 'full' | 'timeout') {
    super(why === 'full' ? 'the password-hashing queue is full' : 'a password hash could not start in time');
    this.name = 'HashQueueBusy';
    this.why = why;
  }
}

/**
 * Per thread, the most jobs that may wait, whatever their expected wait: a cap on the plaintext passwords held in
 * memory. Which bound refuses first depends on the hash rate: 64 argon2id hashes at OWASP's parameters are ~1–3 s of
 * one thread (~3 s on the 2-core bench machine), under the 5 s deadline below; with a shorter HASH_QUEUE_TIMEOUT_MS, or
 * slower hashes, the wait bound refuses first.
 */
export const QUEUED_PER_THREAD = 64;
/**
 * The longest a job may wait for a thread (HASH_QUEUE_TIMEOUT_MS): the latency target of a login, registration or
 * password change when the hashing is saturated. A job whose expected wait is longer is refused as it comes (see
 * run()), not after waiting: under logins offered at twice the hashing rate the accepted ones wait up to about this
 * long, p99 close to p50, and the rest get 503 + Retry-After within milliseconds (`npm run bench:overload`). 5 s
 * lets a burst (a class logging in at 9:00, a test suite on a busy machine) through whole; a deployment that prefers
 * answering fast to answering all sets less (1000 measured in bench/README.md).
 */
export const QUEUE_TIMEOUT_MS = 5000;
/** Weight of the newest sample in the average time a thread takes per job (an exponentially weighted mean). */
const SERVICE_WEIGHT = 0.2;
/** The thread's module, beside this one: hash-worker.ts in src/, hash-worker.js in the built server (scripts/build-server.ts). */
const WORKER = new URL(import.meta.url.endsWith('.ts') ? './hash-worker.ts' : './hash-worker.js', import.meta.url);

/**
 * Most jobs handed to one thread at a time, when a backlog has formed. The thread runs them one after the other and
 * answers them in one message, so under a backlog the event loop wakes once per few hashes instead of once per hash,
 * and a hash thread never waits for it in between. Measured on the 2-core bench machine with logins saturating the
 * hashing (`npm run bench`): the event loop's CPU per login fell from ~1.1–1.4 ms (one job at a time) to ~0.8 ms (two)
 * and ~0.6 ms (three), and the hash threads' share of the CPU rose from ~161 % to ~172–177 %. The price, only when
 * jobs queue anyway: a job is answered up to two hashes later (~10–20 ms), next to the hundreds of milliseconds it
 * waited in the queue. A small backlog is shared out over the threads instead of going to the first one free.
 */
const BATCH = 3;

/**
 * A fixed set of worker threads that hash passwords; jobs wait in order for a free thread, within QueueLimits:
 * a job that finds the queue full, or is still waiting at its deadline, is rejected with HashQueueBusy and dropped
 * from the queue at once (with the password it carried).
 *
 * The threads start with the first job, all at once, not with the pool: each is a V8 isolate of its own with the
 * argon2 module loaded, ~12–16 MiB resident and ~50–100 ms of start, which a server that has not yet hashed a
 * password (a replica that only checks tokens, a CLI command, a fresh start until its first login) need not pay.
 * Measured with bench/footprint (`npm run bench:footprint`): see bench/README.md. A job handed to a starting thread
 * waits in that thread's message queue, exactly as it would behind a running hash.
 */
export class HashPool {
  /** Each thread, with the jobs it is running in the order it runs them; an empty list is a free thread. */
  private readonly assigned = new Map<Worker, Pending[]>();
  private readonly queue: Pending[] = [];
  private closed = false;
  private drained: (() => void) | undefined;

  /** The average milliseconds a thread has taken per job lately (undefined until a job has finished). */
  private serviceMs: number | undefined;
  /** Threads that have answered once: a thread's first answer includes its start, and is not a job's time. */
  private readonly warm = new WeakSet<Worker>();

  readonly size: number;
  readonly limits: QueueLimits;

  /** `maxQueued` left out: QUEUED_PER_THREAD per thread. */
  constructor(size: number, limits: Partial<QueueLimits> = {}) {
    this.size = size;
    this.limits = { maxQueued: limits.maxQueued ?? QUEUED_PER_THREAD * size, timeoutMs: limits.timeoutMs ?? QUEUE_TIMEOUT_MS };
  }

  /** Whether the threads have been started (by the first job). */
  get started(): boolean {
    return this.assigned.size > 0;
  }

  run<J extends HashJob>(job: J): Promise<Result<J>> {
    if (this.closed) return Promise.reject(new Error('hash pool is closed'));
    if (!this.started) for (let i = 0; i < this.size; i++) this.assigned.set(this.spawn(), []);
    return new Promise<string | boolean>((resolve, reject) => {
      const pending: Pending = { job, resolve, reject };
      this.queue.push(pending);
      this.dispatch();
      if (!this.queue.includes(pending)) return; // a thread took it at once
      if (this.queue.length > this.limits.maxQueued || this.expectedWaitMs() > this.limits.timeoutMs) {
        this.queue.pop(); // this one: the queue was full before it came, or would keep it past its deadline
        reject(new HashQueueBusy('full'));
        return;
      }
      pending.deadline = setTimeout(() => this.expire(pending), this.limits.timeoutMs).unref();
    }) as Promise<Result<J>>;
  }

  /** Jobs no thread has taken yet (a thread takes up to BATCH at a time): a saturation signal for metrics. */
  get queued(): number {
    return this.queue.length;
  }

  /**
   * Refuses new jobs, fails the queued ones, lets the running ones finish (a hash takes milliseconds; a worker
   * terminated inside the native hash call would keep the process from exiting), then stops the threads.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) {
      clearTimeout(p.deadline);
      p.reject(new Error('hash pool is closed'));
    }
    if (this.running() > 0) await new Promise<void>((resolve) => { this.drained = resolve; });
    await Promise.all([...this.assigned.keys()].map((w) => w.terminate()));
  }

  /**
   * How long the last job of the queue can expect to wait for a thread: the jobs ahead of it and those running,
   * shared over the threads, at the time a thread has lately taken per job. 0 until a job has finished (no measure
   * yet: the deadline alone bounds the wait).
   */
  private expectedWaitMs(): number {
    if (this.serviceMs === undefined) return 0;
    return ((this.queue.length - 1 + this.running()) / this.size) * this.serviceMs;
  }

  /** A job still waiting at its deadline leaves the queue, refused. */
  private expire(pending: Pending): void {
    const at = this.queue.indexOf(pending);
    if (at < 0) return;
    this.queue.splice(at, 1);
    pending.reject(new HashQueueBusy('timeout'));
  }

  private running(): number {
    let n = 0;
    for (const jobs of this.assigned.values()) n += jobs.length;
    return n;
  }

  private spawn(): Worker {
    const w = new Worker(WORKER);
    w.unref();
    w.on('message', (outcomes: HashOutcome[]) => {
      const running = this.assigned.get(w);
      if (!running) return; // an answer that arrived after the worker's 'error': its jobs were failed already
      const done = running.splice(0, outcomes.length);
      // The thread ran these one after the other since it was handed them: its time per job.
      if (this.warm.has(w)) {
        const perJob = (performance.now() - done[0]!.startedAt!) / done.length;
        this.serviceMs = this.serviceMs === undefined ? perJob : this.serviceMs + SERVICE_WEIGHT * (perJob - this.serviceMs);
      }
      this.warm.add(w);
      this.dispatch(); // the thread is free: give it the next jobs before settling these
      done.forEach((p, i) => {
        const o = outcomes[i]!;
        if (o.error !== undefined) p.reject(new Error(`password hashing failed: ${o.error}`));
        else p.resolve(o.result!);
      });
      if (this.closed && this.running() === 0) this.drained?.();
    });
    w.on('error', (err) => {
      // A crashed worker fails its jobs and is replaced.
      for (const p of this.assigned.get(w) ?? []) p.reject(err);
      this.assigned.delete(w);
      if (!this.closed) { this.assigned.set(this.spawn(), []); this.dispatch(); } else if (this.running() === 0) this.drained?.();
    });
    return w;
  }

  /**
   * Gives each free thread its share of the waiting jobs, at most BATCH. (run() dispatches every job as it comes, so
   * jobs wait only while no thread is free: a free thread takes one job when the pool is not busy, more as a backlog
   * grows.)
   */
  private dispatch(): void {
    for (const [w, running] of this.assigned) {
      if (this.queue.length === 0) return;
      if (running.length > 0) continue;
      const jobs = this.queue.splice(0, Math.min(BATCH, Math.ceil(this.queue.length / this.assigned.size)));
      const now = performance.now();
      for (const p of jobs) {
        clearTimeout(p.deadline); // started in time
        p.startedAt = now;
      }
      running.push(...jobs);
      w.postMessage(jobs.map((p) => p.job));
    }
  }
}

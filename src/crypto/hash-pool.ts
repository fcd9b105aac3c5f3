import { Worker } from 'node:worker_threads';

export interface Argon2Params { memoryCost: number; timeCost: number; parallelism: number }

export type HashJob =
  | { op: 'argon2-hash'; password: string; params: Argon2Params }
  | { op: 'argon2-verify'; hash: string; password: string }
  | { op: 'bcrypt-verify'; hash: string; password: string };

type Result<J extends HashJob> = J['op'] extends 'argon2-hash' ? string : boolean;

interface Pending { job: HashJob & { id: number }; resolve: (v: string | boolean) => void; reject: (e: Error) => void }

/** A fixed set of worker threads that hash passwords, one job each at a time, the rest queued in order. */
export class HashPool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Pending>();
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;
  private drained: (() => void) | undefined;

  readonly size: number;

  constructor(size: number) {
    this.size = size;
    for (let i = 0; i < size; i++) this.idle.push(this.spawn());
  }

  run<J extends HashJob>(job: J): Promise<Result<J>> {
    if (this.closed) return Promise.reject(new Error('hash pool is closed'));
    return new Promise<string | boolean>((resolve, reject) => {
      this.queue.push({ job: { ...job, id: this.nextId++ }, resolve, reject });
      this.dispatch();
    }) as Promise<Result<J>>;
  }

  /** Jobs waiting for a thread: a saturation signal for metrics and benchmarks. */
  get queued(): number {
    return this.queue.length;
  }

  /**
   * Refuses new jobs, fails the queued ones, lets the running ones finish (a hash takes milliseconds; a worker
   * terminated inside the native hash call would keep the process from exiting), then stops the threads.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('hash pool is closed'));
    if (this.busy.size > 0) await new Promise<void>((resolve) => { this.drained = resolve; });
    await Promise.all(this.idle.map((w) => w.terminate()));
  }

  private spawn(): Worker {
    const w = new Worker(new URL('./hash-worker.ts', import.meta.url));
    w.unref();
    w.on('message', (msg: { id: number; result?: string | boolean; error?: string }) => {
      const p = this.busy.get(w);
      this.busy.delete(w);
      this.idle.push(w);
      if (p) {
        if (msg.error !== undefined) p.reject(new Error(`password hashing failed: ${msg.error}`));
        else p.resolve(msg.result!);
      }
      if (this.closed && this.busy.size === 0) this.drained?.();
      this.dispatch();
    });
    w.on('error', (err) => {
      // A crashed worker fails its job and is replaced.
      const p = this.busy.get(w);
      this.busy.delete(w);
      const i = this.idle.indexOf(w);
      if (i >= 0) this.idle.splice(i, 1);
      p?.reject(err);
      if (!this.closed) { this.idle.push(this.spawn()); this.dispatch(); } else if (this.busy.size === 0) this.drained?.();
    });
    return w;
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop()!;
      const p = this.queue.shift()!;
      this.busy.set(w, p);
      w.postMessage(p.job);
    }
  }
}

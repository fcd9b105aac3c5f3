// Runs one autocannon load in its own child process and returns a summary of it.
//
// Why a child process: autocannon is single-threaded JavaScript, so whatever shares its event loop skews what it
// measures. In its own process it shares no event loop (nor heap, nor GC) with the orchestrator, nor with a second
// load running at the same time: the mixed scenario runs the login load and the /users/me latency probe as two
// processes, so the probe's clock is not held up by the login load's callbacks. (A worker thread would isolate the
// event loop too, but autocannon treats any non-main thread as one of its own workers and returns raw histograms
// without the per-second request rate; its own `workers` option needs every request hook to be a file path.)
// The cost is ~0.2 s of process start per load, outside the measured window.
import { fork } from 'node:child_process';
import type { CpuShare } from './cpu.ts';

export interface LoadSpec {
  /** Shown in the report. */
  title: string;
  /** Origin of the server, e.g. http://127.0.0.1:8000 */
  origin: string;
  path: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /**
   * Each request registers a new address instead of sending `body`: {"email": "<prefix>-<n>@bench.example.com",
   * "password": password, ...extra}, n counting up from 0 in the load's process.
   */
  uniqueRegistration?: { prefix: string; password: string; extra?: Record<string, string> };
  /**
   * Each request carries a credential from a pool shared by the connections: as the JSON body {[bodyField]: token}
   * or as the header `header`. A 2xx answer puts it back, or, with `next`, the answer's JSON field `next` instead (a
   * single-use token that rotates); a failed request drops it, and so does a run that stops with it in flight: give
   * about 2 × connections + a few. An empty pool sends "" (an error in the results, not a stall).
   */
  tokenPool?: { tokens: string[]; bodyField?: string; header?: string; next?: string };
  /**
   * Each request logs in (form body) as a seeded user picked at random: username = `template` with "{n}" replaced
   * by a random whole number from 0 to count - 1, password = `password`. Instead of `body`.
   */
  randomLogin?: { template: string; count: number; password: string };
  connections: number;
  /** Measured seconds. */
  duration: number;
  /** Seconds of the same load run first and thrown away (JIT, connection set-up, caches); 0 for none. */
  warmup: number;
  /** Requests per second per connection; unlimited when absent. */
  connectionRate?: number;
  /** The server's pid, to report the CPU it used during the measured run. */
  serverPid?: number;
}

export interface LoadResult {
  title: string;
  connections: number;
  /** Seconds the measured run lasted. */
  duration: number;
  /** Mean of autocannon's per-second samples of completed requests (any status). */
  rps: number;
  /** Milliseconds (autocannon's histogram has 1 ms resolution). */
  latency: { p50: number; p90: number; p99: number; max: number; mean: number };
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** Percent of one core (200 = two cores) used during the measured run by the server, this load generator, the rest. */
  cpu: CpuShare;
}

const CHILD = new URL('./load-child.ts', import.meta.url);

/** Runs the load (warm-up first, when asked) in a new process; resolves with the measured run's summary. */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: LoadResult | undefined;
    let error: string | undefined;
    child.on('message', (msg: { result?: LoadResult; error?: string }) => {
      result = msg.result;
      error = msg.error;
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (result) resolve(result);
      else reject(new Error(`load "${spec.title}": ${error ?? `exited (${signal ?? code}) with no result`}`));
    });
    child.send(spec);
  });
}

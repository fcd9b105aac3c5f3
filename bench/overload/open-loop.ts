// An open-loop load in its own process: requests sent at a fixed rate whatever the server answers (a closed loop of
// N connections slows down with the server, and so never offers more than it can take; an open loop offers exactly
// `rate`, the way many independent clients do). Each request goes out on an idle keep-alive connection, or a new one;
// every answer's latency is kept with its status, so that the latency of accepted logins can be told apart from that
// of refused ones. See open-loop-child.ts for the client itself.
import { fork } from 'node:child_process';

export interface OpenLoopSpec {
  host: string;
  port: number;
  /** Requests per second, sent evenly. */
  rate: number;
  seconds: number;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  /** Request bodies, sent in turn (e.g. logins of many accounts). */
  bodies: string[];
  /** At most this many connections; a request that finds none idle and the cap reached is counted as `unsent`. */
  maxConnections: number;
  /** An answer that has not come after this long is a timeout (its connection is dropped). */
  timeoutMs: number;
  /**
   * Answers to requests sent in the first `warmupSeconds` are left out of `latencies` (the queue is still filling: the
   * first logins of an overload are fast); failures count from the start.
   */
  warmupSeconds: number;
}

export interface OpenLoopResult {
  sent: number;
  unsent: number;
  /** Latencies (ms) of the answers to requests sent after the warm-up, by status. */
  latencies: Record<string, number[]>;
  /** Retry-After values seen on 503 answers, and how many 503s had none. */
  retryAfter: Record<string, number>;
  /** 503s by the reason in their body: refused as they came ("queue is full") or at their deadline ("in time"). */
  refusedAs: { arrival: number; deadline: number; other: number };
  errors: number;
  timeouts: number;
  seconds: number;
  /** 2xx answers that arrived from 1 s in to the end of the sending: the rate the server kept up, once warm. */
  okInWindow: number;
}

const CHILD = new URL('./open-loop-child.ts', import.meta.url);

export function runOpenLoop(spec: OpenLoopSpec): Promise<OpenLoopResult> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: OpenLoopResult | undefined;
    child.on('message', (m: { result: OpenLoopResult }) => { result = m.result; });
    child.once('error', reject);
    child.once('exit', (code, signal) => (result ? resolve(result) : reject(new Error(`open-loop load exited (${signal ?? code}) with no result`))));
    child.send(spec);
  });
}

/** The p-th percentile (0–100) of `xs`, nearest rank; NaN for none. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

// `gatehouse serve --workers N`, a worker's side of /metrics: it answers the primary's requests for its own
// metrics, and a scrape it receives is answered with the aggregate of every worker, asked of the primary
// (the protocol: metrics-aggregator.ts).
import cluster from 'node:cluster';
import type { Registry } from 'prom-client';
import {
  COLLECT, COLLECTED, COLLECT_TIMEOUT_MS, MetricsAggregationError, SCRAPE, SCRAPED, isMetricsMessage, type MetricsMessage,
} from './metrics-aggregator.ts';

/** The variable `gatehouse serve --workers` sets in the workers it forks (whose primary aggregates metrics). */
export const WORKER_ENV = 'GATEHOUSE_WORKER';

/** This process is a worker forked by `gatehouse serve --workers` (not some other program's cluster worker). */
export function isGatehouseWorker(env: NodeJS.ProcessEnv = process.env): boolean {
  return cluster.isWorker && env[WORKER_ENV] === '1';
}

/** How long a worker waits for the primary's aggregate: the primary's own deadline, plus a second. */
export const SCRAPE_TIMEOUT_MS = COLLECT_TIMEOUT_MS + 1_000;

/** The IPC channel to the primary (an interface so that tests can stand in for it). */
export interface PrimaryChannel {
  send(msg: MetricsMessage, done: (err: Error | null) => void): void;
  onMessage(listener: (msg: unknown) => void): void;
}

export const processChannel: PrimaryChannel = {
  send(msg, done) {
    if (!process.send || !process.connected) return done(new Error('no IPC channel to the primary'));
    process.send(msg, undefined, undefined, done);
  },
  onMessage(listener) {
    process.on('message', listener);
  },
};

interface Pending {
  resolve(text: string): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class WorkerMetrics {
  private readonly channel: PrimaryChannel;
  private readonly timeoutMs: number;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(registry: Registry, channel: PrimaryChannel = processChannel, timeoutMs = SCRAPE_TIMEOUT_MS) {
    this.channel = channel;
    this.timeoutMs = timeoutMs;
    channel.onMessage((msg) => {
      if (!isMetricsMessage(msg)) return;
      if (msg.type === COLLECT) {
        registry.getMetricsAsJSON().then(
          (metrics): MetricsMessage => ({ type: COLLECTED, id: msg.id, metrics }),
          (err: unknown): MetricsMessage => ({ type: COLLECTED, id: msg.id, error: (err as Error)?.message ?? String(err) }),
        ).then((reply) => channel.send(reply, () => { /* the primary is gone: it asks no more */ }));
      } else if (msg.type === SCRAPED) {
        const p = this.pending.get(msg.id);
        if (!p) return; // answered after the deadline
        this.pending.delete(msg.id);
        clearTimeout(p.timer);
        if (msg.text !== undefined) p.resolve(msg.text);
        else p.reject(new MetricsAggregationError(msg.error ?? 'the primary sent no metrics'));
      }
    });
  }

  /** Every worker's metrics, summed, in the text exposition format. Rejects (MetricsAggregationError) within timeoutMs. */
  scrape(): Promise<string> {
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      const fail = (why: string) => {
        if (!this.pending.delete(id)) return;
        clearTimeout(timer);
        reject(new MetricsAggregationError(why));
      };
      const timer = setTimeout(() => fail(`no answer from the primary within ${this.timeoutMs} ms`), this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.channel.send({ type: SCRAPE, id }, (err) => { if (err) fail(`cannot ask the primary: ${err.message}`); });
    });
  }
}

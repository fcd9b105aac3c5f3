// `gatehouse serve --workers N`, the primary's side of /metrics: every worker keeps its own registry, so a scrape,
// which lands on one worker, asks the primary, and the primary collects and sums every worker's metrics.
//
// The round trip (JSON over the cluster IPC channel):
//   worker ──scrape{id}──▶ primary ──collect{id'}──▶ each listening worker
//   worker ◀─scraped{id, text | error}── primary ◀─collected{id', metrics | error}── each worker
// Every step is bounded: the primary gives the workers COLLECT_TIMEOUT_MS, the asking worker gives the primary a
// second more (worker-metrics.ts), so a scrape never hangs; a failure answers an error, which /metrics turns into 503.
import type { Cluster, Worker } from 'node:cluster';
import { createRequire } from 'node:module';
import type { Registry } from 'prom-client';

/**
 * prom-client (with @opentelemetry/api, ~85 modules) is loaded by the first scrape, not by every process that imports
 * this protocol (each worker does, for its types and constants, metrics on or off). It is CommonJS: a plain require.
 */
const promClient = () => createRequire(import.meta.url)('prom-client') as typeof import('prom-client');

export const SCRAPE = 'gatehouse:metrics:scrape';
export const SCRAPED = 'gatehouse:metrics:scraped';
export const COLLECT = 'gatehouse:metrics:collect';
export const COLLECTED = 'gatehouse:metrics:collected';

/** One worker's metrics, as its registry's getMetricsAsJSON() gives them. */
export type MetricList = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/** How long the primary waits for the workers' metrics. */
export const COLLECT_TIMEOUT_MS = 3_000;

export type MetricsMessage =
  | { type: typeof SCRAPE; id: number }
  | { type: typeof SCRAPED; id: number; text?: string; error?: string }
  | { type: typeof COLLECT; id: number }
  | { type: typeof COLLECTED; id: number; metrics?: MetricList; error?: string };

/** A message of this protocol (anything else on the channel is someone else's). */
export function isMetricsMessage(msg: unknown): msg is MetricsMessage {
  const m = msg as { type?: unknown; id?: unknown } | null;
  return typeof m === 'object' && m !== null && typeof m.type === 'string' && m.type.startsWith('gatehouse:metrics:') && typeof m.id === 'number';
}

/** Collecting the metrics could not be completed. */
export class MetricsAggregationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetricsAggregationError';
  }
}

interface Collection {
  waiting: Set<Worker>;
  received: MetricList[];
  settle(err: Error | undefined): void;
}

/**
 * Runs in the primary. Asks only workers that listen (a worker still starting has served nothing, and may not
 * answer yet); a worker that dies while being asked is left out (its counts died with it).
 */
export class MetricsAggregator {
  private readonly timeoutMs: number;
  private readonly listening = new Set<Worker>();
  private readonly collections = new Map<number, Collection>();
  private nextId = 0;

  constructor(cluster: Cluster, timeoutMs = COLLECT_TIMEOUT_MS) {
    this.timeoutMs = timeoutMs;
    cluster.on('listening', (w) => this.listening.add(w));
    cluster.on('exit', (w) => {
      this.listening.delete(w);
      for (const c of this.collections.values()) if (c.waiting.delete(w) && c.waiting.size === 0) c.settle(undefined);
    });
    cluster.on('message', (w, msg: unknown) => {
      if (!isMetricsMessage(msg)) return;
      if (msg.type === SCRAPE) this.answer(w, msg.id);
      else if (msg.type === COLLECTED) this.received(w, msg);
    });
  }

  /** Every listening worker's metrics, summed (prom-client's per-metric aggregators: sum, or e.g. max, average). */
  aggregate(): Promise<string> {
    return new Promise<MetricList[]>((resolve, reject) => {
      const id = this.nextId++;
      const waiting = new Set([...this.listening].filter((w) => w.isConnected()));
      const received: MetricList[] = [];
      const timer = setTimeout(() => {
        const pids = [...waiting].map((w) => w.process.pid).join(', ');
        collection.settle(new MetricsAggregationError(`worker(s) ${pids} sent no metrics within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      const collection: Collection = {
        waiting, received,
        settle: (err) => {
          clearTimeout(timer);
          this.collections.delete(id);
          if (err) reject(err);
          else resolve(received);
        },
      };
      if (waiting.size === 0) return collection.settle(new MetricsAggregationError('no worker is listening'));
      this.collections.set(id, collection);
      for (const w of [...waiting]) {
        w.send({ type: COLLECT, id } satisfies MetricsMessage, undefined, undefined, (err) => {
          if (err && collection.waiting.delete(w) && collection.waiting.size === 0) collection.settle(undefined);
        });
      }
    }).then((all) => promClient().AggregatorRegistry.aggregate(all).metrics());
  }

  private received(w: Worker, msg: Extract<MetricsMessage, { type: typeof COLLECTED }>): void {
    const c = this.collections.get(msg.id);
    if (!c || !c.waiting.delete(w)) return; // late (timed out) or unknown
    if (msg.error !== undefined || !msg.metrics) {
      c.settle(new MetricsAggregationError(`worker ${w.process.pid} could not read its metrics: ${msg.error ?? 'no metrics'}`));
      return;
    }
    c.received.push(msg.metrics);
    if (c.waiting.size === 0) c.settle(undefined);
  }

  private answer(w: Worker, id: number): void {
    this.aggregate().then(
      (text): MetricsMessage => ({ type: SCRAPED, id, text }),
      (err: unknown): MetricsMessage => ({ type: SCRAPED, id, error: (err as Error)?.message ?? String(err) }),
    ).then((reply) => {
      if (w.isConnected()) w.send(reply, undefined, undefined, () => { /* the worker is gone: nobody to tell */ });
    });
  }
}

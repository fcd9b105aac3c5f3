import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AuditType } from '../model/audit.ts';
import type { RuleName } from '../limits/rate-limiter.ts';
import { WorkerMetrics, isGatehouseWorker } from './worker-metrics.ts';

export interface MetricSources {
  /** PostgreSQL pool state (undefined on SQLite). */
  pool?: () => { total: number; idle: number; waiting: number };
  /** Password hashes no thread has taken yet. */
  hashQueue: () => number;
  /**
   * This process is one worker of `gatehouse serve --workers N`: text() is then the sum of every worker's metrics,
   * collected by the primary (worker-metrics.ts). Default: detected (GATEHOUSE_WORKER=1 in a cluster worker).
   */
  clusterWorker?: boolean;
}

/**
 * Prometheus metrics (text exposition format) for one process: requests by route and status with latency,
 * logins by result, refresh-token reuse, rate-limited requests by rule, the database pool and the hash queue,
 * plus Node's default process metrics. Routes are labelled by their pattern (/users/:id), never the raw URL.
 * Under `serve --workers N` each worker counts its own requests and text() answers the aggregate of all workers.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly latency: Histogram<'method' | 'route'>;
  private readonly logins: Counter<'result'>;
  private readonly reuse: Counter;
  private readonly limited: Counter<'rule'>;
  private readonly cluster: WorkerMetrics | undefined;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'gatehouse_' });
    this.requests = new Counter({ name: 'gatehouse_http_requests_total', help: 'HTTP requests by route pattern and status', labelNames: ['method', 'route', 'status'], registers });
    this.latency = new Histogram({
      name: 'gatehouse_http_request_duration_seconds', help: 'HTTP request latency', labelNames: ['method', 'route'], registers,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    });
    this.logins = new Counter({ name: 'gatehouse_logins_total', help: 'Password logins by result (ok, failed, locked)', labelNames: ['result'], registers });
    this.reuse = new Counter({ name: 'gatehouse_refresh_reuse_total', help: 'Used refresh tokens presented again (sessions ended)', registers });
    this.limited = new Counter({ name: 'gatehouse_rate_limited_total', help: 'Requests refused by a rate limit', labelNames: ['rule'], registers });
    new Gauge({
      name: 'gatehouse_db_pool_connections', help: 'PostgreSQL pool connections by state', labelNames: ['state'], registers,
      collect() {
        const p = sources.pool?.();
        if (p) for (const [state, n] of Object.entries(p)) this.set({ state }, n);
      },
    });
    new Gauge({ name: 'gatehouse_hash_queue', help: 'Password hashes no thread has taken yet (under a backlog a thread takes up to 3 at a time)', registers, collect() { this.set(sources.hashQueue()); } });
    this.cluster = (sources.clusterWorker ?? isGatehouseWorker()) ? new WorkerMetrics(this.registry) : undefined;
  }

  request(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.latency.observe({ method, route }, seconds);
  }

  /** Fed by the audit log, so the metrics count exactly what the audit trail records. */
  audited(type: AuditType): void {
    if (type === 'login.success') this.logins.inc({ result: 'ok' });
    else if (type === 'login.failure') this.logins.inc({ result: 'failed' });
    else if (type === 'login.locked') this.logins.inc({ result: 'locked' });
    else if (type === 'refresh.reuse') this.reuse.inc();
  }

  rateLimited(rule: RuleName): void {
    this.limited.inc({ rule });
  }

  /** This process's metrics or, in a worker of `serve --workers`, every worker's (rejects with MetricsAggregationError). */
  text(): Promise<string> {
    return this.cluster ? this.cluster.scrape() : this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

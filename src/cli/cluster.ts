import cluster, { type Worker } from 'node:cluster';
import type { Config } from '../config/config.ts';
import { createLogger } from '../gatehouse.ts';
import { isPostgresUrl, openDatabase } from '../store/database.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { explainDatabaseError } from '../store/database-errors.ts';
import { MetricsAggregator } from '../observability/metrics-aggregator.ts';
import { WORKER_ENV } from '../observability/worker-metrics.ts';
import { withServerMalloc } from './malloc-env.ts';

/** A worker that dies this soon after starting is not restarted again (a crash loop, e.g. a bad config). */
const CRASH_LOOP_MS = 5_000;
const SHUTDOWN_GRACE_MS = 15_000;

/**
 * `gatehouse serve --workers N`: the primary applies the migrations once, then forks N workers that share the
 * listening port (node:cluster), restarts a worker that dies, and on SIGTERM/SIGINT stops them all, each finishing
 * its requests, and exits 0. Workers share state only through the database (and Redis when configured).
 * With METRICS on, the primary sums the workers' metrics for whichever worker a scrape of /metrics reaches.
 */
export async function servePrimary(config: Config, workers: number, opts: { migrate: boolean }): Promise<number> {
  const log = createLogger(config).child({ role: 'primary' });
  if (opts.migrate) {
    const db = openDatabase(config.databaseUrl);
    try {
      const { applied } = await migrateToLatest(db);
      if (applied.length) log.info({ applied }, 'migrations applied');
    } catch (err) {
      log.fatal({ err: { message: (err as Error).message } }, `cannot start: ${explainDatabaseError(err) ?? (err as Error).message}`);
      return 1;
    } finally {
      await db.close();
    }
  }
  if (!isPostgresUrl(config.databaseUrl) && config.session.cacheMs > 0) {
    // Workers on one SQLite file have no change feed between them (PostgreSQL's LISTEN/NOTIFY): each trusts its
    // session cache for up to SESSION_CACHE_MS.
    log.warn({ sessionCacheMs: config.session.cacheMs },
      `SQLite with --workers: a logout, revocation or user change made through one worker reaches the others only after SESSION_CACHE_MS (${config.session.cacheMs} ms); use PostgreSQL, or SESSION_CACHE_MS=0, for revocation that is immediate everywhere`);
  }
  if (config.metrics.enabled) new MetricsAggregator(cluster);
  let stopping = false;
  const started = new Map<Worker, number>();
  const fork = () => {
    const w = cluster.fork({ ...withServerMalloc(process.env), [WORKER_ENV]: '1' });
    started.set(w, Date.now());
  };
  for (let i = 0; i < workers; i++) fork();
  log.info({ workers, url: config.publicUrl }, 'gatehouse primary started');

  return new Promise<number>((resolve) => {
    let failed = false;
    cluster.on('exit', (w, code, signal) => {
      const lived = Date.now() - (started.get(w) ?? 0);
      started.delete(w);
      if (stopping) {
        if (code !== 0 && signal !== 'SIGTERM') failed = true; // a worker stopped before it had even started is fine
        if (started.size === 0) { log.info('all workers stopped'); resolve(failed ? 1 : 0); }
        return;
      }
      log.error({ pid: w.process.pid, code, signal, livedMs: lived }, 'worker died');
      if (lived < CRASH_LOOP_MS) {
        log.fatal('a worker died right after starting: not restarting; stopping the others');
        stopping = true;
        failed = true;
        for (const other of started.keys()) other.process.kill('SIGTERM');
        if (started.size === 0) resolve(1);
        return;
      }
      fork();
    });
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'stopping workers');
      for (const w of started.keys()) w.process.kill('SIGTERM');
      setTimeout(() => {
        log.warn('workers still running after the grace period: killing them');
        for (const w of started.keys()) w.process.kill('SIGKILL');
      }, SHUTDOWN_GRACE_MS).unref();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

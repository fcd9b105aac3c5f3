// /metrics under `gatehouse serve --workers N`: whichever worker a scrape reaches answers the sum of all workers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import Fastify from 'fastify';
import { Registry } from 'prom-client';
import { testDatabases, type TestDatabase, describeOn } from './support/databases.ts';
import { startCluster, type ServerProcess } from './support/server-process.ts';
import { WorkerMetrics, type PrimaryChannel } from '../src/observability/worker-metrics.ts';
import { MetricsAggregationError } from '../src/observability/metrics-aggregator.ts';
import { metricsRoutes } from '../src/http/routes/metrics.ts';
import { installErrorHandler } from '../src/http/error-handler.ts';
import type { Metrics } from '../src/observability/metrics.ts';

const postgres = (await testDatabases()).find((d) => d.name === 'postgres');

/** One request on a connection of its own (the cluster hands connections to the workers in turn). */
function onNewConnection(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url}`)));
    req.on('error', reject);
    req.end();
  });
}

/** The pids that logged a request for `path`. */
function servedBy(output: string, path: string): Set<number> {
  const pids = new Set<number>();
  for (const line of output.split('\n')) {
    let entry: { msg?: string; path?: string; pid?: number };
    try {
      entry = JSON.parse(line);
    } catch {
      continue; // not a log line, or one still being written
    }
    if (entry?.msg === 'request' && entry.path === path && entry.pid !== undefined) pids.add(entry.pid);
  }
  return pids;
}

/** The value of gatehouse_http_requests_total for GET `route` answered with `status` (0 when absent). */
function requestCount(text: string, route: string, status: number): number {
  const line = text.split('\n').find((l) => l.startsWith('gatehouse_http_requests_total{')
    && l.includes('method="GET"') && l.includes(`route="${route}"`) && l.includes(`status="${status}"`));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('a worker asking the primary for the aggregate', () => {
  const silent: PrimaryChannel = { send: (_msg, done) => done(null), onMessage: () => {} };

  test('no answer from the primary: the scrape fails within its deadline', async () => {
    const t0 = Date.now();
    await assert.rejects(new WorkerMetrics(new Registry(), silent, 200).scrape(), MetricsAggregationError);
    assert.ok(Date.now() - t0 < 2_000);
  });

  test('no IPC channel: the scrape fails at once', async () => {
    const broken: PrimaryChannel = { send: (_msg, done) => done(new Error('channel closed')), onMessage: () => {} };
    await assert.rejects(new WorkerMetrics(new Registry(), broken, 60_000).scrape(), /channel closed/);
  });

  test('/metrics answers 503 with Retry-After when the aggregate cannot be had', async () => {
    const app = Fastify();
    installErrorHandler(app);
    const failing = { contentType: 'text/plain', text: () => Promise.reject(new MetricsAggregationError('worker(s) 42 sent no metrics')) };
    await metricsRoutes(app, failing as unknown as Metrics, undefined);
    const r = await app.inject('/metrics');
    assert.equal(r.statusCode, 503);
    assert.equal(r.headers['retry-after'], '5');
    assert.match(r.body, /SERVICE_UNAVAILABLE/);
    await app.close();
  });
});

describeOn(postgres!, 'serve --workers 2 with METRICS=true', {}, () => {
  let db: Awaited<ReturnType<TestDatabase['create']>>;
  let server: ServerProcess;

  before(async () => {
    db = await postgres!.create();
    server = await startCluster({ DATABASE_URL: db.url, METRICS: 'true' }, 2);
  }, { timeout: 120_000 });
  after(async () => {
    await server?.stop();
    await db?.drop();
  });

  test('every scrape, through either worker, counts the requests both workers served', { timeout: 60_000 }, async () => {
    const sent = 20;
    for (let i = 0; i < sent; i++) assert.equal((await onNewConnection(`${server.url}/users/me`)).status, 401);
    assert.equal(servedBy(server.output(), '/users/me').size, 2, 'both workers served GET /users/me');

    for (let i = 0; i < 6; i++) {
      const scrape = await onNewConnection(`${server.url}/metrics`);
      assert.equal(scrape.status, 200, scrape.body);
      assert.equal(requestCount(scrape.body, '/users/me', 401), sent, `scrape ${i}: the aggregate counts every request`);
    }
    assert.equal(servedBy(server.output(), '/metrics').size, 2, 'both workers answered scrapes');
  });

  test('the metrics channel keeps no process alive: SIGTERM still exits 0', { timeout: 30_000 }, async () => {
    assert.equal(await server.stop(20_000), 0);
    assert.match(server.output(), /all workers stopped/);
  });
});

import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import type { Metrics } from '../../observability/metrics.ts';
import { MetricsAggregationError } from '../../observability/metrics-aggregator.ts';
import { RETRY_AFTER_SECONDS } from '../error-handler.ts';

/**
 * GET /metrics (Prometheus text format), when METRICS is on; with METRICS_TOKEN, only for that bearer token.
 * Under `serve --workers N` the answer is every worker's sum; if it cannot be collected in time, 503 + Retry-After.
 */
export async function metricsRoutes(app: FastifyInstance, metrics: Metrics, token: string | undefined): Promise<void> {
  const expected = token === undefined ? undefined : Buffer.from(`Bearer ${token}`);
  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    if (expected) {
      const given = Buffer.from(req.headers.authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new AppError('Unauthorized', { headers: { 'www-authenticate': 'Bearer realm="metrics"' } });
      }
    }
    let text: string;
    try {
      text = await metrics.text();
    } catch (err) {
      if (!(err instanceof MetricsAggregationError)) throw err;
      req.log.warn({ err: { message: err.message } }, 'metrics of the workers could not be aggregated');
      throw new AppError('SERVICE_UNAVAILABLE', { reason: `metrics of the workers could not be aggregated: ${err.message}`, headers: { 'retry-after': RETRY_AFTER_SECONDS } });
    }
    return reply.type(metrics.contentType).send(text);
  });
}

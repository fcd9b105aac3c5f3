import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import type { Metrics } from '../../observability/metrics.ts';

/** GET /metrics (Prometheus text format), when METRICS is on; with METRICS_TOKEN, only for that bearer token. */
export async function metricsRoutes(app: FastifyInstance, metrics: Metrics, token: string | undefined): Promise<void> {
  const expected = token === undefined ? undefined : Buffer.from(`Bearer ${token}`);
  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    if (expected) {
      const given = Buffer.from(req.headers.authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new AppError('Unauthorized', { headers: { 'www-authenticate': 'Bearer realm="metrics"' } });
      }
    }
    return reply.type(metrics.contentType).send(await metrics.text());
  });
}

import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { errorResponses } from '../schemas.ts';
import type { RouteContext } from '../context.ts';

export const Status = Type.Object({ status: Type.String() }, { title: 'HealthStatus' });

/** Liveness (the process answers) and readiness (the database answers and its schema is current). */
export async function healthRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  app.get('/healthz', { schema: { tags: ['health'], summary: 'Liveness', response: { 200: Status } } }, async () => ({ status: 'ok' }));
  app.get('/readyz', {
    schema: { tags: ['health'], summary: 'Readiness: checks the database',
      response: { 200: Status, ...errorResponses(['SERVICE_UNAVAILABLE'], { validation: false }) } },
  }, async () => {
    await ctx.ready();
    return { status: 'ready' };
  });
}

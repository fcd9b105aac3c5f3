import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AUDIT_TYPES } from '../../model/audit.ts';
import { isUuid } from '../../model/ids.ts';
import { errorResponses } from '../schemas.ts';
import { SECURED, type RouteContext } from '../context.ts';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const AuditType = Type.Union(AUDIT_TYPES.map((t) => Type.Literal(t)) as [ReturnType<typeof Type.Literal>], { description: 'Event type' });

export const AuditEventRead = Type.Object({
  id: Type.String(),
  type: Type.String(),
  user_id: Nullable(Type.String()),
  actor_id: Nullable(Type.String({ description: 'Who did it, when not the user (an admin)' })),
  user_email: Nullable(Type.String({ description: 'The user\'s current email; null when there is no such user (any more)' })),
  actor_email: Nullable(Type.String({ description: 'The actor\'s current email; null when there is no actor (any more)' })),
  ip: Nullable(Type.String()),
  user_agent: Nullable(Type.String()),
  detail: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
});

export const AuditQuery = Type.Object({
  user_id: Type.Optional(Type.String({ maxLength: 64 })),
  type: Type.Optional(AuditType),
  since: Type.Optional(Type.String({ format: 'date-time', description: 'From this time (inclusive)' })),
  until: Type.Optional(Type.String({ format: 'date-time', description: 'Before this time' })),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
});

/** GET /admin/audit: the audit trail for admins, newest first, filtered by user, type and time. */
export async function auditRoutes(fastify: FastifyInstance, ctx: RouteContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/admin/audit', {
    onRequest: ctx.guards.user({ role: 'admin' }),
    schema: {
      tags: ['admin'], summary: 'The audit log (admins): security events, newest first', security: SECURED, querystring: AuditQuery,
      response: { 200: Type.Object({ items: Type.Array(AuditEventRead), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() }), ...errorResponses(['Unauthorized', 'MFA_ENROLLMENT_REQUIRED', 'Forbidden']) },
    },
  }, async (req) => {
    const q = req.query;
    if (q.user_id !== undefined && !isUuid(q.user_id)) return { items: [], total: 0, limit: q.limit, offset: q.offset };
    const page = await ctx.audit.find({
      userId: q.user_id, type: q.type as (typeof AUDIT_TYPES)[number] | undefined,
      since: q.since && new Date(q.since).toISOString(), until: q.until && new Date(q.until).toISOString(), limit: q.limit, offset: q.offset,
    });
    return {
      items: page.items.map((e) => ({
        id: e.id, type: e.type, user_id: e.userId, actor_id: e.actorId, user_email: e.userEmail, actor_email: e.actorEmail,
        ip: e.ip, user_agent: e.userAgent, detail: e.detail, created_at: e.createdAt,
      })),
      total: page.total, limit: q.limit, offset: q.offset,
    };
  });
}

import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NoContent, Revoked, SessionParams, SessionRead, UserIdParams, UserSessionParams, errorResponses, toSessionRead } from '../schemas.ts';
import { SECURED, clientInfo, type RouteContext } from '../context.ts';
import { currentUser } from '../guards.ts';

/** A user's own sessions (devices), and a user manager's view of anyone's they may manage. */
export async function sessionsRoutes(fastify: FastifyInstance, ctx: RouteContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const self = ctx.guards.user();
  const manager = ctx.guards.user({ role: 'admin' });
  // Every admin write needs a recent proof of the admin (step-up, REAUTH_MAX_AGE).
  const managerWrite = ctx.guards.user({ role: 'admin', maxAge: ctx.config.reauth.maxAgeSeconds });
  const tags = ['sessions'];

  app.get('/users/me/sessions', {
    onRequest: self,
    schema: { tags, summary: 'My live sessions, the current one marked', security: SECURED,
      response: { 200: Type.Array(SessionRead), ...errorResponses(['Unauthorized', 'MFA_ENROLLMENT_REQUIRED'], { validation: false }) } },
  }, async (req) => (await ctx.sessions.list(currentUser(req).id)).map((s) => toSessionRead(s, req.auth!.sessionId)));

  app.delete('/users/me/sessions/:sid', {
    onRequest: self,
    schema: { tags, summary: 'End one of my sessions (log a device out)', security: SECURED, params: SessionParams,
      response: { 204: NoContent, ...errorResponses(['Unauthorized', 'MFA_ENROLLMENT_REQUIRED', 'Not Found'], { validation: false }) } },
  }, async (req, reply) => {
    await ctx.sessions.endOne(currentUser(req).id, req.params.sid, { client: clientInfo(req) });
    return reply.code(204).send(null);
  });

  app.delete('/users/me/sessions', {
    onRequest: self,
    schema: { tags, summary: 'Log out everywhere else: end every session but this one', security: SECURED,
      response: { 200: Revoked, ...errorResponses(['Unauthorized', 'MFA_ENROLLMENT_REQUIRED'], { validation: false }) } },
  }, async (req) => ({ revoked: await ctx.sessions.endAll(currentUser(req).id, { keep: req.auth!.sessionId, client: clientInfo(req) }) }));

  app.get('/users/:id/sessions', {
    onRequest: manager,
    schema: { tags, summary: 'A user\'s live sessions (user managers, under the role policy)', security: SECURED, params: UserIdParams,
      response: { 200: Type.Array(SessionRead), ...errorResponses(['Unauthorized', 'MFA_ENROLLMENT_REQUIRED', 'Forbidden', 'Not Found'], { validation: false }) } },
  }, async (req) => {
    const target = await ctx.users.manageableBy(currentUser(req), req.params.id);
    return (await ctx.sessions.list(target.id)).map((s) => toSessionRead(s, req.auth!.sessionId));
  });

  app.delete('/users/:id/sessions/:sid', {
    onRequest: managerWrite,
    schema: { tags, summary: 'End one of a user\'s sessions (user managers; step-up required)', security: SECURED, params: UserSessionParams,
      response: { 204: NoContent, ...errorResponses(['Unauthorized', 'Forbidden', 'REAUTHENTICATION_REQUIRED', 'MFA_ENROLLMENT_REQUIRED', 'Not Found'], { validation: false }) } },
  }, async (req, reply) => {
    const target = await ctx.users.manageableBy(currentUser(req), req.params.id);
    await ctx.sessions.endOne(target.id, req.params.sid, { actorId: currentUser(req).id, client: clientInfo(req) });
    return reply.code(204).send(null);
  });

  app.delete('/users/:id/sessions', {
    onRequest: managerWrite,
    schema: { tags, summary: 'End every session of a user (user managers; step-up required)', security: SECURED, params: UserIdParams,
      response: { 200: Revoked, ...errorResponses(['Unauthorized', 'Forbidden', 'REAUTHENTICATION_REQUIRED', 'MFA_ENROLLMENT_REQUIRED', 'Not Found'], { validation: false }) } },
  }, async (req) => {
    const target = await ctx.users.manageableBy(currentUser(req), req.params.id);
    return { revoked: await ctx.sessions.endAll(target.id, { actorId: currentUser(req).id, client: clientInfo(req) }) };
  });
}

import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { NoContent, UserAdminUpdate, UserIdParams, UserListQuery, UserPage, UserRead, UserUpdate, errorResponses, toUserRead } from '../schemas.ts';
import { SECURED, clientInfo, type RouteContext } from '../context.ts';
import { currentUser } from '../guards.ts';

/** fastapi-users' users router: /users/me for everyone, /users/{id} for user managers (admins and super admins). */
export async function usersRoutes(fastify: FastifyInstance, ctx: RouteContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const self = ctx.guards.user();
  const me = ctx.guards.user({ beforeEnrolment: true });
  const manager = ctx.guards.user({ role: 'admin' });
  // Every admin write needs a recent proof of the admin (step-up, REAUTH_MAX_AGE).
  const managerWrite = ctx.guards.user({ role: 'admin', maxAge: ctx.config.reauth.maxAgeSeconds });

  app.get('/users/me', {
    onRequest: me,
    schema: { tags: ['users'], summary: 'The current user', security: SECURED,
      response: { 200: UserRead, ...errorResponses(['Unauthorized'], { validation: false }) } },
  }, async (req) => toUserRead(currentUser(req)));

  app.patch('/users/me', {
    onRequest: self,
    schema: { tags: ['users'], summary: 'Update the current user', security: SECURED, body: UserUpdate,
      response: { 200: UserRead, ...errorResponses(['Unauthorized', 'UPDATE_USER_EMAIL_ALREADY_EXISTS', 'UPDATE_USER_INVALID_PASSWORD',
        'UPDATE_USER_CURRENT_PASSWORD_INVALID', 'UPDATE_USER_REAUTHENTICATION_REQUIRED', 'REAUTHENTICATION_REQUIRED', 'MFA_ENROLLMENT_REQUIRED', 'RATE_LIMITED']) } },
  }, async (req) => {
    const b = req.body;
    const user = await ctx.users.updateSelf(currentUser(req), {
      email: b.email, password: b.password, username: b.username, fullName: b.full_name,
    }, { currentPassword: b.current_password, sessionId: req.auth!.sessionId, authTime: req.auth!.authTime }, clientInfo(req));
    return toUserRead(user);
  });

  app.get('/users', {
    onRequest: manager,
    schema: { tags: ['users'], summary: 'List and search users, newest first (user managers)', security: SECURED, querystring: UserListQuery,
      response: { 200: UserPage, ...errorResponses(['Unauthorized', 'Forbidden', 'MFA_ENROLLMENT_REQUIRED']) } },
  }, async (req) => {
    const { q, role, limit, offset } = req.query;
    const page = await ctx.users.listAs(currentUser(req), { search: q, role, limit, offset });
    return { items: page.items.map(toUserRead), total: page.total, limit, offset };
  });

  app.get('/users/:id', {
    onRequest: manager,
    schema: { tags: ['users'], summary: 'A user (user managers)', security: SECURED, params: UserIdParams,
      response: { 200: UserRead, ...errorResponses(['Unauthorized', 'Forbidden', 'MFA_ENROLLMENT_REQUIRED', 'Not Found'], { validation: false }) } },
  }, async (req) => toUserRead(await ctx.users.getAs(currentUser(req), req.params.id)));

  app.patch('/users/:id', {
    onRequest: managerWrite,
    schema: { tags: ['users'], summary: 'Update a user (user managers, under the role policy; step-up required)', security: SECURED,
      params: UserIdParams, body: UserAdminUpdate,
      response: { 200: UserRead, ...errorResponses(['Unauthorized', 'Forbidden', 'REAUTHENTICATION_REQUIRED', 'MFA_ENROLLMENT_REQUIRED', 'ROLE_CHANGE_NOT_ALLOWED', 'Not Found',
        'UPDATE_USER_EMAIL_ALREADY_EXISTS', 'UPDATE_USER_INVALID_PASSWORD', 'LAST_SUPERUSER', 'INVALID_ROLE_UPDATE']) } },
  }, async (req) => {
    const b = req.body;
    const user = await ctx.users.updateAs(currentUser(req), req.params.id, {
      email: b.email, password: b.password, username: b.username, fullName: b.full_name,
      isActive: b.is_active, isVerified: b.is_verified, isSuperuser: b.is_superuser, role: b.role,
    }, clientInfo(req));
    req.log.info({ actorId: req.auth!.user.id, userId: user.id }, 'user updated by manager');
    return toUserRead(user);
  });

  app.delete('/users/:id', {
    onRequest: managerWrite,
    schema: { tags: ['users'], summary: 'Delete a user (user managers, under the role policy; step-up required)', security: SECURED, params: UserIdParams,
      response: { 204: NoContent, ...errorResponses(['Unauthorized', 'Forbidden', 'REAUTHENTICATION_REQUIRED', 'MFA_ENROLLMENT_REQUIRED', 'Not Found', 'LAST_SUPERUSER'], { validation: false }) } },
  }, async (req, reply) => {
    await ctx.users.deleteAs(currentUser(req), req.params.id, clientInfo(req));
    req.log.info({ actorId: req.auth!.user.id, userId: req.params.id }, 'user deleted');
    return reply.code(204).send(null);
  });
}

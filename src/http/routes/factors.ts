import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { NoContent, UserIdParams, errorResponses } from '../schemas.ts';
import { FactorsRead, RecoveryCodesRead, TotpConfirmBody, TotpConfirmed, TotpEnrolmentRead, toFactorsRead } from '../mfa-schemas.ts';
import { SECURED, clientInfo, type RouteContext } from '../context.ts';
import { currentUser } from '../guards.ts';
import { bearerTransport } from '../transports/bearer.ts';
import { steppedUpAmr } from '../../mfa/step-up.ts';

/**
 * A user's second factors (src/mfa/factors.ts): the list, the authenticator app (TOTP), recovery codes; and a user
 * manager's view and reset of another user's. Adding or removing a factor and regenerating codes need a recent proof
 * (REAUTH_MAX_AGE step-up).
 */
export async function factorsRoutes(fastify: FastifyInstance, ctx: RouteContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['mfa'];
  const maxAge = ctx.config.reauth.maxAgeSeconds;
  const open = ctx.guards.user({ beforeEnrolment: true });
  const fresh = ctx.guards.user({ maxAge });
  const freshBeforeEnrolment = ctx.guards.user({ maxAge, beforeEnrolment: true });
  const manager = ctx.guards.user({ role: 'admin' });
  const freshManager = ctx.guards.user({ role: 'admin', maxAge });
  const { factors } = ctx.mfa;

  app.get('/users/me/factors', {
    onRequest: open,
    schema: { tags, summary: 'My second factors: authenticator app, recovery codes left, passkeys; and whether my role requires one', security: SECURED,
      response: { 200: FactorsRead, ...errorResponses(['Unauthorized'], { validation: false }) } },
  }, async (req) => toFactorsRead(await factors.list(currentUser(req))));

  app.post('/users/me/totp', {
    onRequest: freshBeforeEnrolment,
    schema: { tags, summary: 'Start setting up an authenticator app (pending until confirmed; replaces a pending one). Step-up required', security: SECURED,
      response: { 200: TotpEnrolmentRead, ...errorResponses(['Unauthorized', 'REAUTHENTICATION_REQUIRED', 'TOTP_ALREADY_ENABLED', 'CSRF_FAILED'], { validation: false }) } },
  }, async (req) => {
    const e = await factors.enrolTotp(currentUser(req));
    return { secret: e.secret, otpauth_uri: e.otpauthUri };
  });

  app.post('/users/me/totp/confirm', {
    onRequest: open,
    schema: { tags, summary: 'Confirm the authenticator app with its first code: active; answers the recovery codes (once); ends my other sessions', security: SECURED,
      body: TotpConfirmBody,
      response: { 200: TotpConfirmed, ...errorResponses(['Unauthorized', 'TOTP_NOT_PENDING', 'MFA_CODE_INVALID', 'CSRF_FAILED']) } },
  }, async (req, reply) => {
    const auth = req.auth!;
    const codes = await factors.confirmTotp(auth.user, req.body.code, auth.sessionId, clientInfo(req));
    // This session just proved the new factor: it says so from now on (amr otp + mfa, auth_time now).
    const t = await ctx.sessions.reauthenticate(auth.user, auth.sessionId, steppedUpAmr(auth.amr, ['otp']));
    if (bearerTransport.read(req)) return { recovery_codes: codes, access_token: t.accessToken, token_type: 'bearer' as const, expires_in: t.expiresIn };
    ctx.cookies.setAccess(reply, t.accessToken, t.expiresIn);
    return { recovery_codes: codes };
  });

  app.delete('/users/me/totp', {
    onRequest: fresh,
    schema: { tags, summary: 'Remove my authenticator app. Step-up required', security: SECURED,
      response: { 204: NoContent, ...errorResponses(['Unauthorized', 'REAUTHENTICATION_REQUIRED', 'MFA_ENROLLMENT_REQUIRED', 'Not Found', 'CSRF_FAILED'], { validation: false }) } },
  }, async (req, reply) => {
    await factors.removeTotp(currentUser(req), clientInfo(req));
    return reply.code(204).send(null);
  });

  app.post('/users/me/recovery-codes', {
    onRequest: fresh,
    schema: { tags, summary: 'New recovery codes (the old ones stop working). Step-up required', security: SECURED,
      response: { 200: RecoveryCodesRead, ...errorResponses(['Unauthorized', 'REAUTHENTICATION_REQUIRED', 'MFA_ENROLLMENT_REQUIRED', 'MFA_NOT_ENABLED', 'CSRF_FAILED'], { validation: false }) } },
  }, async (req) => ({ recovery_codes: await factors.regenerateRecoveryCodes(currentUser(req), clientInfo(req)) }));

  app.get('/users/:id/factors', {
    onRequest: manager,
    schema: { tags, summary: 'A user\'s second factors (user managers, under the role policy)', security: SECURED, params: UserIdParams,
      response: { 200: FactorsRead, ...errorResponses(['Unauthorized', 'Forbidden', 'MFA_ENROLLMENT_REQUIRED', 'Not Found'], { validation: false }) } },
  }, async (req) => toFactorsRead(await factors.list(await ctx.users.manageableBy(currentUser(req), req.params.id))));

  app.delete('/users/:id/factors', {
    onRequest: freshManager,
    schema: { tags, summary: 'Remove every second factor of a user (lost device): authenticator app, recovery codes, passkeys. Audited and mailed; step-up required',
      security: SECURED, params: UserIdParams,
      response: { 204: NoContent, ...errorResponses(['Unauthorized', 'Forbidden', 'REAUTHENTICATION_REQUIRED', 'MFA_ENROLLMENT_REQUIRED', 'Not Found', 'CSRF_FAILED'], { validation: false }) } },
  }, async (req, reply) => {
    const target = await ctx.users.manageableBy(currentUser(req), req.params.id);
    await factors.resetByAdmin(currentUser(req), target, clientInfo(req));
    req.log.info({ actorId: req.auth!.user.id, userId: target.id }, 'factors reset by manager');
    return reply.code(204).send(null);
  });
}

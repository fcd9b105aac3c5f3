import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { NoContent, errorResponses } from '../schemas.ts';
import { AccessTokenOnly, ReauthenticateBody, WebAuthnOptions } from '../mfa-schemas.ts';
import { SECURED, clientInfo, type RouteContext } from '../context.ts';
import { bearerTransport } from '../transports/bearer.ts';

/**
 * Step-up (src/mfa/step-up.ts): the answer to 403 REAUTHENTICATION_REQUIRED. The session stays; its auth_time
 * becomes now, and a new access token (bearer: in the body; cookie: the access cookie) says so.
 */
export async function reauthenticateRoutes(fastify: FastifyInstance, ctx: RouteContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['mfa'];
  const self = ctx.guards.user({ beforeEnrolment: true });

  app.post('/auth/reauthenticate', {
    onRequest: self,
    schema: {
      tags, summary: 'Prove it is me again (strongest factor): a new access token of this session with auth_time = now (cookie: 204 + access cookie)',
      security: SECURED, body: ReauthenticateBody,
      response: {
        200: AccessTokenOnly, 204: NoContent,
        ...errorResponses(['Unauthorized', 'REAUTHENTICATION_FAILED', 'MFA_CODE_INVALID', 'MFA_LOCKED', 'RATE_LIMITED', 'CSRF_FAILED']),
      },
    },
  }, async (req, reply) => {
    const b = req.body;
    const t = await ctx.mfa.stepUp.reauthenticate(req.auth!, { password: b.password, totpCode: b.totp_code, recoveryCode: b.recovery_code, passkey: b.passkey }, clientInfo(req));
    req.log.info({ userId: req.auth!.user.id, sessionId: req.auth!.sessionId }, 'reauthenticated');
    if (bearerTransport.read(req)) {
      reply.header('pragma', 'no-cache');
      return { access_token: t.accessToken, token_type: 'bearer' as const, expires_in: t.expiresIn };
    }
    return ctx.cookies.setAccess(reply, t.accessToken, t.expiresIn).code(204).send(null);
  });

  app.post('/auth/reauthenticate/passkey-options', {
    onRequest: self,
    schema: {
      tags, summary: 'WebAuthn request options for a passkey step-up in this session (404 without passkeys)', security: SECURED,
      response: { 200: WebAuthnOptions, ...errorResponses(['Unauthorized', 'Not Found', 'CSRF_FAILED'], { validation: false }) },
    },
  }, async (req) => ctx.mfa.stepUp.passkeyOptions(req.auth!));
}

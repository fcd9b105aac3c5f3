import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Email, Password, UserRead, errorResponses, toUserRead } from '../schemas.ts';
import { clientInfo, type RouteContext } from '../context.ts';
import { rateLimit } from '../rate-limit.ts';

const Accepted = Type.Null({ description: 'Always the same answer, whether or not the email belongs to anyone; the mail, if any, follows.' });
const Token = Type.String({ maxLength: 8192, description: 'From the link in the mail.' });

/** fastapi-users' verify and reset-password routers. */
export async function accountRoutes(fastify: FastifyInstance, ctx: RouteContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['auth'];

  const mailLimits = rateLimit(ctx.limits, [['mail_ip', 'ip'], ['mail_account', { body: 'email' }]]);
  const tokenLimits = rateLimit(ctx.limits, [['token_ip', 'ip']]);

  app.post('/auth/request-verify-token', {
    preHandler: mailLimits,
    schema: { tags, summary: 'Mail a verification link (202 whatever the email)', body: Type.Object({ email: Email }),
      response: { 202: Accepted, ...errorResponses(['RATE_LIMITED']) } },
  }, async (req, reply) => {
    await ctx.flows.requestVerify(req.body.email, clientInfo(req));
    return reply.code(202).send(null);
  });

  app.post('/auth/verify', {
    preHandler: tokenLimits,
    schema: { tags, summary: 'Verify the email with the token from the mail', body: Type.Object({ token: Token }),
      response: { 200: UserRead, ...errorResponses(['VERIFY_USER_BAD_TOKEN', 'VERIFY_USER_ALREADY_VERIFIED', 'RATE_LIMITED']) } },
  }, async (req) => toUserRead(await ctx.flows.verify(req.body.token, clientInfo(req))));

  app.post('/auth/forgot-password', {
    preHandler: mailLimits,
    schema: { tags, summary: 'Mail a password-reset link (202 whatever the email)', body: Type.Object({ email: Email }),
      response: { 202: Accepted, ...errorResponses(['RATE_LIMITED']) } },
  }, async (req, reply) => {
    await ctx.flows.forgotPassword(req.body.email, clientInfo(req));
    return reply.code(202).send(null);
  });

  app.post('/auth/reset-password', {
    preHandler: tokenLimits,
    schema: { tags, summary: 'Set a new password with the token from the mail; ends every session', body: Type.Object({ token: Token, password: Password }),
      response: { 200: Type.Null(), ...errorResponses(['RESET_PASSWORD_BAD_TOKEN', 'RESET_PASSWORD_INVALID_PASSWORD', 'RATE_LIMITED']) } },
  }, async (req) => {
    await ctx.flows.resetPassword(req.body.token, req.body.password, clientInfo(req));
    return null;
  });
}

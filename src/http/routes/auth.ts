import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { BearerToken, LoginForm, NoContent, RefreshRequest, UserCreate, UserRead, errorResponses, toUserRead } from '../schemas.ts';
import { bearerTransport } from '../transports/bearer.ts';
import { SECURED, clientInfo, type RouteContext } from '../context.ts';
import { rateLimit } from '../rate-limit.ts';
import { FORM_BODY, JSON_OR_FORM_BODY } from '../media-types.ts';
import type { RuleName } from '../../limits/rate-limiter.ts';
import { loginMfaRequired } from '../../mfa/second-step.ts';

/** Every login route counts against the client IP and the account typed in `username`. */
export const LOGIN_LIMITS: [RuleName, 'ip' | { body: string }][] = [['login_ip', 'ip'], ['login_account', { body: 'username' }]];

/** /auth/register and the JWT bearer backend (/auth/jwt/login, /auth/jwt/logout), with fastapi-users' contract. */
export async function authRoutes(fastify: FastifyInstance, ctx: RouteContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post('/auth/register', {
    preHandler: rateLimit(ctx.limits, [['register_ip', 'ip']]),
    schema: {
      tags: ['auth'], summary: 'Register', body: UserCreate,
      response: { 201: UserRead, ...errorResponses(['REGISTER_USER_ALREADY_EXISTS', 'REGISTER_INVALID_PASSWORD', 'RATE_LIMITED']) },
    },
  }, async (req, reply) => {
    const user = await ctx.users.register({
      email: req.body.email, password: req.body.password, username: req.body.username, fullName: req.body.full_name,
    }, clientInfo(req));
    req.log.info({ userId: user.id }, 'user registered');
    if (ctx.config.mail.sendVerifyOnRegister) await ctx.flows.requestVerify(user.email, clientInfo(req));
    return reply.code(201).send(toUserRead(user));
  });

  for (const [url, summary] of [['/auth/jwt/login', 'Log in (OAuth2 password form)'], ['/token', 'Log in: alias of /auth/jwt/login']]) {
    app.post(url!, {
      preHandler: rateLimit(ctx.limits, LOGIN_LIMITS),
      schema: {
        tags: ['auth'], summary, consumes: FORM_BODY, body: LoginForm,
        response: { 200: BearerToken, ...errorResponses(['LOGIN_BAD_CREDENTIALS', 'LOGIN_USER_NOT_VERIFIED', 'LOGIN_MFA_REQUIRED', 'LOGIN_LOCKED', 'RATE_LIMITED']) },
      },
    }, async (req, reply) => {
      const user = await ctx.users.authenticate(req.body.username, req.body.password, clientInfo(req));
      // A user with a second factor gets no session yet: a challenge for POST /auth/jwt/mfa.
      const pending = await ctx.mfa.secondStep.begin(user, ['pwd'], 'bearer', null);
      if (pending) throw loginMfaRequired(pending);
      const pair = await ctx.sessions.start(user, clientInfo(req), ['pwd']);
      req.log.info({ userId: user.id, sessionId: pair.sessionId }, 'login');
      return bearerTransport.loginResponse(reply, pair);
    });
  }

  app.post('/auth/jwt/refresh', {
    schema: {
      tags: ['auth'], summary: 'Exchange a refresh token for a new pair (each refresh token works once)', consumes: JSON_OR_FORM_BODY, body: RefreshRequest,
      response: { 200: BearerToken, ...errorResponses(['REFRESH_TOKEN_INVALID']) },
    },
  }, async (req, reply) => {
    const pair = await ctx.sessions.refresh(req.body.refresh_token, clientInfo(req));
    return bearerTransport.loginResponse(reply, pair);
  });

  app.post('/auth/jwt/logout', {
    onRequest: ctx.guards.user({ beforeEnrolment: true }),
    schema: { tags: ['auth'], summary: 'Log out: ends the session, so the token stops working at once', security: SECURED,
      response: { 204: NoContent, ...errorResponses(['Unauthorized'], { validation: false }) } },
  }, async (req, reply) => {
    await ctx.sessions.end(req.auth!.user.id, req.auth!.sessionId, clientInfo(req));
    req.log.info({ userId: req.auth!.user.id, sessionId: req.auth!.sessionId }, 'logout');
    return reply.code(204).send(null);
  });
}

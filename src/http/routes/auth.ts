import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { BearerToken, LoginForm, NoContent, RefreshRequest, UserCreate, UserRead, errorResponses, toUserRead } from '../schemas.ts';
import { bearerTransport } from '../transports/bearer.ts';
import { SECURED, clientInfo, type RouteContext } from '../context.ts';
import { rateLimit } from '../rate-limit.ts';
import { FORM_BODY, JSON_OR_FORM_BODY } from '../media-types.ts';
import { emptyFormFieldsAreMissing } from '../validation.ts';
import { loginMfaRequired } from '../../mfa/second-step.ts';

/**
 * Every password login counts against the client IP and the account typed in `username`, or instead of the account,
 * the browser's device cookie when it was issued for that login: an attacker's attempts on the account do not hold
 * its owner's browser back (src/manager/trusted-devices.ts).
 */
export const loginRateLimit = (ctx: RouteContext) => rateLimit(ctx.limits, [['login_ip', 'ip'], ['login_account', (req) => {
  const typed = (req.body as { username?: unknown } | undefined)?.username;
  return typeof typed === 'string' && typed.length > 0 ? ctx.users.loginLimitKey(typed, ctx.deviceCookie.read(req)) : undefined;
}]]);

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
      preValidation: emptyFormFieldsAreMissing,
      preHandler: loginRateLimit(ctx),
      schema: {
        tags: ['auth'], summary, consumes: FORM_BODY, body: LoginForm,
        response: { 200: BearerToken, ...errorResponses(['LOGIN_BAD_CREDENTIALS', 'LOGIN_USER_NOT_VERIFIED', 'LOGIN_MFA_REQUIRED', 'LOGIN_LOCKED', 'RATE_LIMITED']) },
      },
    }, async (req, reply) => {
      const { user, deviceCookie } = await ctx.users.authenticate(req.body.username, req.body.password, clientInfo(req), ctx.deviceCookie.read(req));
      ctx.deviceCookie.set(reply, deviceCookie); // the password was right: this browser is trusted for this login
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
    const { user, sessionId } = req.auth!;
    if (sessionId === null) {
      // A token of the fastapi-users window names no session: nothing to end, and it works until it expires.
      // 204 all the same, as fastapi-users answered for its own JWTs (the client forgets the token).
      req.log.info({ userId: user.id }, 'logout with a fastapi-users token: it cannot be revoked before it expires');
      return reply.code(204).send(null);
    }
    await ctx.sessions.end(user.id, sessionId, clientInfo(req));
    req.log.info({ userId: user.id, sessionId }, 'logout');
    return reply.code(204).send(null);
  });
}

import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../../errors.ts';
import { LoginForm, NoContent, UserRead, errorResponses, toUserRead } from '../schemas.ts';
import { SECURED, clientInfo, type RouteContext } from '../context.ts';
import { sendAppError } from '../error-handler.ts';
import { loginRateLimit } from './auth.ts';
import { FORM_BODY } from '../media-types.ts';
import { emptyFormFieldsAreMissing } from '../validation.ts';
import { loginMfaRequired } from '../../mfa/second-step.ts';

export const CsrfToken = Type.Object({ csrf_token: Type.String({ description: 'Send it back in the X-CSRF-Token header.' }) }, { title: 'CsrfToken' });

export const CookieSession = Type.Object({
  user: Type.Union([UserRead, Type.Null()], { description: 'The user the access cookie speaks for; null when it is absent, expired or ended' }),
  refreshable: Type.Boolean({ description: 'No live access cookie, but a refresh cookie came: POST /auth/cookie/refresh, then ask again' }),
}, { title: 'CookieSession' });

/**
 * The cookie backend (fastapi-users' /auth/cookie/*) for SPAs: tokens never reach the page's script.
 * Every state-changing request it authenticates, the login included, passes the CSRF guard. CSRF tokens are bound
 * to the session (src/auth/csrf-token.ts): login and refresh accept any token we signed unless the request's
 * access cookie names a live session, and login sets a token bound to the new session.
 */
export async function cookieAuthRoutes(fastify: FastifyInstance, ctx: RouteContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { cookies, csrf } = ctx;
  const tags = ['auth'];
  const csrfCheck = async (req: Parameters<typeof csrf.check>[0]) => csrf.check(req, await ctx.guards.cookieSession(req));

  app.get('/auth/csrf', {
    schema: { tags, summary: 'A CSRF token (also set as a cookie) for the cookie backend, bound to the session if there is one', response: { 200: CsrfToken } },
  }, async (req, reply) => {
    const sessionId = await ctx.guards.cookieSession(req);
    const current = req.cookies[cookies.csrf];
    // With a session, the cookie's token is kept if it is already bound to it, so another tab's copy stays valid.
    const token = sessionId !== null && ctx.csrfTokens.boundTo(current, sessionId) ? current! : ctx.csrfTokens.issue(sessionId);
    cookies.setCsrf(reply, token);
    return { csrf_token: token };
  });

  // A page load asks who is signed in. GET /users/me would answer a signed-out visitor 401 (and the SPA would then try
  // a refresh: a second 401); this answers 200 whoever asks, says whether a refresh is worth trying (the refresh cookie
  // is sent here, under /auth/cookie), and changes nothing.
  app.get('/auth/cookie/session', {
    schema: {
      tags, summary: 'Who the session cookies speak for (200 even when nobody: a signed-out page load costs one request and no error)',
      response: { 200: CookieSession },
    },
  }, async (req) => {
    const auth = await ctx.guards.cookieAuth(req);
    return { user: auth ? toUserRead(auth.user) : null, refreshable: auth === null && cookies.readRefresh(req) !== undefined };
  });

  app.post('/auth/cookie/login', {
    onRequest: csrfCheck,
    preValidation: emptyFormFieldsAreMissing,
    preHandler: loginRateLimit(ctx),
    schema: {
      tags, summary: 'Log in; sets the session cookies (send X-CSRF-Token)', consumes: FORM_BODY, body: LoginForm,
      response: { 204: NoContent, ...errorResponses(['LOGIN_BAD_CREDENTIALS', 'LOGIN_USER_NOT_VERIFIED', 'LOGIN_MFA_REQUIRED', 'LOGIN_LOCKED', 'RATE_LIMITED', 'CSRF_FAILED']) },
    },
  }, async (req, reply) => {
    const { user, deviceCookie } = await ctx.users.authenticate(req.body.username, req.body.password, clientInfo(req), ctx.deviceCookie.read(req));
    ctx.deviceCookie.set(reply, deviceCookie); // the password was right: this browser is trusted for this login
    // A user with a second factor gets no session yet: a challenge for POST /auth/cookie/mfa, bound to this browser.
    const binding = ctx.mfaBinding.fresh();
    const pending = await ctx.mfa.secondStep.begin(user, ['pwd'], 'cookie', binding);
    if (pending) {
      ctx.mfaBinding.set(reply, binding);
      throw loginMfaRequired(pending);
    }
    const pair = await ctx.sessions.start(user, clientInfo(req), ['pwd']);
    req.log.info({ userId: user.id, sessionId: pair.sessionId }, 'login (cookie)');
    cookies.setCsrf(reply, ctx.csrfTokens.issue(pair.sessionId)); // the pre-login token is not valid in the session
    return cookies.login(reply, pair, ctx.config.session.ttl).send(null);
  });

  app.post('/auth/cookie/refresh', {
    onRequest: csrfCheck,
    schema: {
      tags, summary: 'New session cookies from the refresh cookie (send X-CSRF-Token)',
      response: { 204: NoContent, ...errorResponses(['REFRESH_TOKEN_INVALID', 'CSRF_FAILED'], { validation: false }) },
    },
  }, async (req, reply) => {
    const token = cookies.readRefresh(req);
    try {
      if (!token) throw new AppError('REFRESH_TOKEN_INVALID');
      const pair = await ctx.sessions.refresh(token, clientInfo(req));
      // The session id survives a refresh: a new CSRF cookie only if the current one is not bound to it.
      if (!ctx.csrfTokens.boundTo(req.cookies[cookies.csrf], pair.sessionId)) cookies.setCsrf(reply, ctx.csrfTokens.issue(pair.sessionId));
      return cookies.login(reply, pair, ctx.config.session.ttl).send(null);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return sendAppError(cookies.logout(reply), err); // a dead refresh cookie is cleared, so the SPA shows the login
    }
  });

  app.post('/auth/cookie/logout', {
    onRequest: ctx.guards.user({ beforeEnrolment: true }),
    schema: { tags, summary: 'Log out: ends the session and clears the cookies (send X-CSRF-Token)', security: SECURED,
      response: { 204: NoContent, ...errorResponses(['Unauthorized', 'CSRF_FAILED'], { validation: false }) } },
  }, async (req, reply) => {
    const { user, sessionId } = req.auth!;
    // A fastapi-users token (bearer header) names no session: nothing to end (see /auth/jwt/logout).
    if (sessionId !== null) await ctx.sessions.end(user.id, sessionId, clientInfo(req));
    req.log.info({ userId: user.id, sessionId }, 'logout (cookie)');
    return cookies.logout(reply).code(204).send(null);
  });
}

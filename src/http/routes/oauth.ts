import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError, type ErrorCode } from '../../errors.ts';
import { isUnavailable } from '../../store/errors.ts';
import { errorResponses, toUserRead } from '../schemas.ts';
import { AuthorizationUrl, AuthorizeQuery, CallbackBody, CallbackQuery, ProviderParams, Redirect, SocialLogin, TokenExchangeBody } from '../oauth-schemas.ts';
import { bearerTransport } from '../transports/bearer.ts';
import { clientInfo, type RouteContext } from '../context.ts';
import { rateLimit } from '../rate-limit.ts';
import type { User } from '../../model/user.ts';
import { loginMfaRequired } from '../../mfa/second-step.ts';

/** What a finished login can fail with, besides the state checks. */
const LOGIN_ERRORS: ErrorCode[] = ['OAUTH_NOT_AVAILABLE_EMAIL', 'OAUTH_USER_ALREADY_EXISTS', 'LOGIN_BAD_CREDENTIALS', 'LOGIN_USER_NOT_VERIFIED', 'LOGIN_MFA_REQUIRED', 'OAUTH_PROVIDER_ERROR', 'RATE_LIMITED'];
const CALLBACK_ERRORS: ErrorCode[] = ['Not Found', 'OAUTH_INVALID_STATE', 'OAUTH_INVALID_CALLBACK', 'OAUTH_PROVIDER_DENIED', 'OAUTH_INVALID_CODE'];

/** The SPA URL with ?error=CODE (or other parameters): the server-callback flow never shows an error page of its own. */
export function spaRedirect(spaUrl: string, params: Record<string, string>): string {
  const u = new URL(spaUrl);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.href;
}

/** The registry code for a failure of a redirecting route; anything unexpected is logged and named generically. */
export function failureCode(req: FastifyRequest, err: unknown): string {
  if (err instanceof AppError) {
    req.log.info({ code: err.code, reason: err.reason }, 'social login failed');
    return err.code;
  }
  if (isUnavailable(err)) return 'SERVICE_UNAVAILABLE';
  req.log.error({ err }, 'social login failed unexpectedly');
  return 'Internal Server Error';
}

/**
 * Social login (fastapi-users' /auth/{name}/authorize and /callback, plus seed 001's SPA-forwarded code and token
 * exchange). Providers that are not configured answer 404 on every route.
 */
export async function oauthRoutes(fastify: FastifyInstance, ctx: RouteContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['social login'];
  const { oauth, oauthBinding: binding } = ctx;
  const limits = rateLimit(ctx.limits, [['oauth_ip', 'ip']]);

  const loginResponse = async (req: FastifyRequest, reply: FastifyReply, user: User) => {
    // A user with a second factor gets no session yet: a challenge for POST /auth/jwt/mfa (the SPA-forwarded flow and
    // the token exchange answer in the body, like a bearer login).
    const pending = await ctx.mfa.secondStep.begin(user, ['fed'], 'bearer', null);
    if (pending) throw loginMfaRequired(pending);
    const pair = await ctx.sessions.start(user, clientInfo(req), ['fed']);
    req.log.info({ userId: user.id, sessionId: pair.sessionId, provider: (req.params as { provider: string }).provider }, 'login (social)');
    return { ...bearerTransport.loginResponse(reply, pair), user: toUserRead(user) };
  };

  app.get('/auth/:provider/authorize', {
    preHandler: limits,
    schema: {
      tags, summary: 'Start a social login: the provider\'s authorization URL (binds the flow to this browser with a cookie)',
      params: ProviderParams, querystring: AuthorizeQuery,
      response: { 200: AuthorizationUrl, ...errorResponses(['Not Found', 'OAUTH_INVALID_REDIRECT_URI', 'OAUTH_PROVIDER_ERROR', 'RATE_LIMITED']) },
    },
  }, async (req, reply) => {
    oauth.providers.get(req.params.provider);
    const url = await oauth.authorize({ provider: req.params.provider, purpose: 'login', redirectUri: req.query.redirect_uri, binding: binding.ensure(req, reply) });
    return { authorization_url: url };
  });

  app.post('/auth/:provider/authorize', {
    preHandler: limits,
    schema: {
      tags, summary: 'Finish the SPA-forwarded flow: the code and state the provider sent to the SPA → Gatehouse tokens and the user',
      params: ProviderParams, body: CallbackBody,
      response: { 200: SocialLogin, ...errorResponses([...CALLBACK_ERRORS, ...LOGIN_ERRORS]) },
    },
  }, async (req, reply) => {
    const user = await oauth.login({
      provider: req.params.provider, mode: 'spa', code: req.body.code, state: req.body.state, iss: req.body.iss, error: req.body.error, binding: binding.read(req),
    }, clientInfo(req));
    return loginResponse(req, reply, user);
  });

  app.get('/auth/:provider/callback', {
    schema: {
      tags, summary: 'Server-callback flow: the provider redirects here; logs in with the session cookies and redirects to OAUTH_SPA_URL',
      params: ProviderParams, querystring: CallbackQuery,
      response: { 302: Redirect, ...errorResponses(['Not Found']) },
    },
  }, async (req, reply) => {
    oauth.providers.get(req.params.provider);
    const spaUrl = ctx.config.oauth.spaUrl;
    if (!spaUrl) throw new AppError('Not Found');
    // The callback carries a code: nothing may cache it or leak it in a Referer (RFC 9700 §4.2.4). Every answer is
    // no-store with no Referer (security-headers.ts).
    try {
      await limits.call(fastify, req, reply); // here, so that a 429 also lands on the SPA (?error=RATE_LIMITED)
      const q = req.query;
      const user = await oauth.login({
        provider: req.params.provider, mode: 'server', code: q.code, state: q.state, iss: q.iss, error: q.error, binding: binding.read(req),
      }, clientInfo(req));
      // A user with a second factor: no session; the SPA's mfa page finishes the login in this browser
      // (POST /auth/cookie/mfa), the token in the URL being useless without the gatehouse_mfa cookie.
      const mfaBinding = ctx.mfaBinding.fresh();
      const pending = await ctx.mfa.secondStep.begin(user, ['fed'], 'cookie', mfaBinding);
      if (pending) {
        ctx.mfaBinding.set(reply, mfaBinding);
        return reply.redirect(spaRedirect(new URL('mfa', spaUrl).href, { token: pending.token }), 302);
      }
      const pair = await ctx.sessions.start(user, clientInfo(req), ['fed']);
      req.log.info({ userId: user.id, sessionId: pair.sessionId, provider: req.params.provider }, 'login (social, cookie)');
      ctx.cookies.login(reply, pair, ctx.config.session.ttl);
      return reply.redirect(spaRedirect(spaUrl, {}), 302);
    } catch (err) {
      return reply.redirect(spaRedirect(spaUrl, { error: failureCode(req, err) }), 302);
    }
  });

  app.post('/auth/:provider/token', {
    preHandler: limits,
    schema: {
      tags, summary: 'Token exchange: a provider access token or ID token → Gatehouse tokens (off unless <PROVIDER>_TOKEN_EXCHANGE=true)',
      params: ProviderParams, body: TokenExchangeBody,
      response: { 200: SocialLogin, ...errorResponses(['Not Found', 'OAUTH_INVALID_TOKEN', ...LOGIN_ERRORS]) },
    },
  }, async (req, reply) => {
    const { access_token: accessToken, id_token: idToken } = req.body;
    const user = await oauth.exchange(req.params.provider, { accessToken, idToken }, clientInfo(req));
    return loginResponse(req, reply, user);
  });
}

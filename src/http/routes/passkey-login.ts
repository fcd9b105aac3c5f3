import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { AppError } from '../../errors.ts';
import { BearerToken, NoContent, errorResponses } from '../schemas.ts';
import { PasskeyLogin, PasskeyLoginOptions } from '../passkey-schemas.ts';
import { clientInfo, type RouteContext } from '../context.ts';
import { bearerTransport } from '../transports/bearer.ts';
import { rateLimit } from '../rate-limit.ts';
import { PasskeyBinding } from '../passkey-binding.ts';
import type { PasskeyService } from '../../passkeys/passkey-service.ts';

/**
 * Signing in with a passkey alone (no username): options with a fresh attempt, then the browser's answer, on the
 * bearer backend (/auth/jwt/passkey: tokens in the body) or the cookie backend (/auth/cookie/passkey: session
 * cookies; the attempt must come from this browser and the request passes the CSRF check like the cookie login).
 */
export async function passkeyLoginRoutes(fastify: FastifyInstance, ctx: RouteContext, passkeys: PasskeyService): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const binding = new PasskeyBinding(ctx.config.cookie);
  const { cookies, csrf } = ctx;
  const tags = ['passkeys'];
  const perIp = rateLimit(ctx.limits, [['login_ip', 'ip']]);
  const failures = ['PASSKEY_INVALID', 'PASSKEY_CHALLENGE_INVALID', 'LOGIN_USER_NOT_VERIFIED', 'RATE_LIMITED'] as const;

  app.post('/auth/passkey/options', {
    preHandler: perIp,
    schema: {
      tags, summary: 'Start a passkey sign-in: request options (no allowCredentials: the authenticator offers its passkeys; user verification required) and an attempt id; also sets an HttpOnly cookie binding the attempt to this browser',
      response: { 200: PasskeyLoginOptions, ...errorResponses(['RATE_LIMITED'], { validation: false }) },
    },
  }, async (req, reply) => passkeys.loginOptions(binding.ensure(req, reply)));

  app.post('/auth/jwt/passkey', {
    preHandler: perIp,
    schema: {
      tags, summary: 'Sign in with a passkey (bearer): the attempt and the browser\'s answer', body: PasskeyLogin,
      response: { 200: BearerToken, ...errorResponses([...failures]) },
    },
  }, async (req, reply) => {
    const { user, amr } = await passkeys.signIn(req.body.attempt, req.body.response as AuthenticationResponseJSON, clientInfo(req));
    const pair = await ctx.sessions.start(user, clientInfo(req), amr);
    req.log.info({ userId: user.id, sessionId: pair.sessionId }, 'login (passkey)');
    return bearerTransport.loginResponse(reply, pair);
  });

  app.post('/auth/cookie/passkey', {
    onRequest: async (req) => csrf.check(req, await ctx.guards.cookieSession(req)),
    preHandler: perIp,
    schema: {
      tags, summary: 'Sign in with a passkey (cookie): sets the session cookies; the attempt must have started in this browser (send X-CSRF-Token)', body: PasskeyLogin,
      response: { 204: NoContent, ...errorResponses([...failures, 'CSRF_FAILED']) },
    },
  }, async (req, reply) => {
    const secret = binding.read(req);
    if (secret === undefined) throw new AppError('PASSKEY_CHALLENGE_INVALID'); // this browser started no attempt
    const { user, amr } = await passkeys.signIn(req.body.attempt, req.body.response as AuthenticationResponseJSON, clientInfo(req), secret);
    const pair = await ctx.sessions.start(user, clientInfo(req), amr);
    req.log.info({ userId: user.id, sessionId: pair.sessionId }, 'login (cookie, passkey)');
    cookies.setCsrf(reply, ctx.csrfTokens.issue(pair.sessionId)); // the pre-login token is not valid in the session
    return cookies.login(reply, pair, ctx.config.session.ttl).send(null);
  });
}

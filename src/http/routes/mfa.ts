import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { BearerToken, NoContent, errorResponses } from '../schemas.ts';
import { MfaTokenBody, SecondStepBody, WebAuthnOptions } from '../mfa-schemas.ts';
import { bearerTransport } from '../transports/bearer.ts';
import { clientInfo, type RouteContext } from '../context.ts';
import { rateLimit } from '../rate-limit.ts';
import type { SecondFactorProof } from '../../mfa/factors.ts';

const proofOf = (b: { totp_code?: string; recovery_code?: string; passkey?: unknown }): SecondFactorProof =>
  ({ totpCode: b.totp_code, recoveryCode: b.recovery_code, passkey: b.passkey });

/**
 * The second step of a login (src/mfa/second-step.ts): a first factor that succeeded for a user with a second one
 * answered 400 LOGIN_MFA_REQUIRED with an mfa_token; it is completed here, on the transport it was issued for.
 */
export async function mfaRoutes(fastify: FastifyInstance, ctx: RouteContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['mfa'];
  const limits = rateLimit(ctx.limits, [['login_ip', 'ip']]);
  const ERRORS = ['MFA_CHALLENGE_INVALID', 'MFA_CODE_INVALID', 'MFA_LOCKED', 'RATE_LIMITED'] as const;

  app.post('/auth/jwt/mfa', {
    preHandler: limits,
    schema: {
      tags, summary: 'Second step of a bearer login (password, /token, social SPA-forwarded or token exchange): the tokens', body: SecondStepBody,
      response: { 200: BearerToken, ...errorResponses([...ERRORS]) },
    },
  }, async (req, reply) => {
    const { user, amr } = await ctx.mfa.secondStep.complete(req.body.mfa_token, 'bearer', undefined, proofOf(req.body), clientInfo(req));
    const pair = await ctx.sessions.start(user, clientInfo(req), amr);
    req.log.info({ userId: user.id, sessionId: pair.sessionId }, 'login (second step)');
    return bearerTransport.loginResponse(reply, pair);
  });

  const csrfCheck = async (req: FastifyRequest) => ctx.csrf.check(req, await ctx.guards.cookieSession(req));

  app.post('/auth/cookie/mfa', {
    onRequest: csrfCheck,
    preHandler: limits,
    schema: {
      tags, summary: 'Second step of a cookie login (password, or social server callback): sets the session cookies (send X-CSRF-Token; needs the gatehouse_mfa cookie)',
      body: SecondStepBody,
      response: { 204: NoContent, ...errorResponses([...ERRORS, 'CSRF_FAILED']) },
    },
  }, async (req, reply) => {
    const { user, amr } = await ctx.mfa.secondStep.complete(req.body.mfa_token, 'cookie', ctx.mfaBinding.read(req), proofOf(req.body), clientInfo(req));
    const pair = await ctx.sessions.start(user, clientInfo(req), amr);
    req.log.info({ userId: user.id, sessionId: pair.sessionId }, 'login (cookie, second step)');
    ctx.mfaBinding.clear(reply);
    ctx.cookies.setCsrf(reply, ctx.csrfTokens.issue(pair.sessionId));
    return ctx.cookies.login(reply, pair, ctx.config.session.ttl).send(null);
  });

  app.post('/auth/mfa/passkey-options', {
    preHandler: limits,
    schema: {
      tags, summary: 'WebAuthn request options for answering a login\'s second step with a passkey (404 without passkeys)', body: MfaTokenBody,
      response: { 200: WebAuthnOptions, ...errorResponses(['MFA_CHALLENGE_INVALID', 'Not Found', 'RATE_LIMITED']) },
    },
  }, async (req) => ctx.mfa.secondStep.passkeyOptions(req.body.mfa_token, ctx.mfaBinding.read(req)));
}

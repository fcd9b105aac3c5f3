import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../../errors.ts';
import { NoContent, errorResponses } from '../schemas.ts';
import { AuthorizationUrl, AuthorizeQuery, CallbackBody, CallbackQuery, OAuthAccountRead, ProviderParams, Redirect, toAccountRead } from '../oauth-schemas.ts';
import { SECURED, clientInfo, type RouteContext } from '../context.ts';
import { currentUser } from '../guards.ts';
import { failureCode, spaRedirect } from './oauth.ts';

/**
 * Linking providers to the logged-in user (fastapi-users' /auth/associate/{name}/*) and managing the links
 * (/users/me/accounts). The flow is bound to the browser and to the user who started it.
 */
export async function oauthAssociateRoutes(fastify: FastifyInstance, ctx: RouteContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['social login'];
  const self = ctx.guards.user();
  const { oauth, oauthBinding: binding } = ctx;

  app.get('/auth/associate/:provider/authorize', {
    onRequest: self,
    schema: {
      tags, summary: 'Start linking a provider to me: the provider\'s authorization URL', security: SECURED,
      params: ProviderParams, querystring: AuthorizeQuery,
      response: { 200: AuthorizationUrl, ...errorResponses(['Unauthorized', 'MFA_ENROLLMENT_REQUIRED', 'Not Found', 'OAUTH_INVALID_REDIRECT_URI', 'OAUTH_PROVIDER_ERROR']) },
    },
  }, async (req, reply) => {
    oauth.providers.get(req.params.provider);
    const url = await oauth.authorize({
      provider: req.params.provider, purpose: 'associate', userId: currentUser(req).id, redirectUri: req.query.redirect_uri, binding: binding.ensure(req, reply),
    });
    return { authorization_url: url };
  });

  app.post('/auth/associate/:provider/authorize', {
    onRequest: self,
    schema: {
      tags, summary: 'Finish linking (SPA-forwarded): the code and state the provider sent to the SPA → the linked account', security: SECURED,
      params: ProviderParams, body: CallbackBody,
      response: {
        200: OAuthAccountRead,
        ...errorResponses(['Unauthorized', 'MFA_ENROLLMENT_REQUIRED', 'Not Found', 'CSRF_FAILED', 'OAUTH_INVALID_STATE', 'OAUTH_INVALID_CALLBACK', 'OAUTH_PROVIDER_DENIED', 'OAUTH_INVALID_CODE',
          'OAUTH_NOT_AVAILABLE_EMAIL', 'OAUTH_EMAIL_NOT_VERIFIED', 'OAUTH_ACCOUNT_ALREADY_LINKED', 'OAUTH_PROVIDER_ERROR']),
      },
    },
  }, async (req) => {
    const account = await oauth.associate(currentUser(req), {
      provider: req.params.provider, mode: 'spa', code: req.body.code, state: req.body.state, iss: req.body.iss, error: req.body.error, binding: binding.read(req),
    }, clientInfo(req));
    return toAccountRead(account);
  });

  app.get('/auth/associate/:provider/callback', {
    schema: {
      tags, summary: 'Server-callback linking: the provider redirects here (session cookie); redirects to OAUTH_SPA_URL?linked=… or ?error=…',
      params: ProviderParams, querystring: CallbackQuery, security: SECURED,
      response: { 302: Redirect, ...errorResponses(['Unauthorized', 'MFA_ENROLLMENT_REQUIRED', 'Not Found']) },
    },
  }, async (req, reply) => {
    oauth.providers.get(req.params.provider);
    const spaUrl = ctx.config.oauth.spaUrl;
    if (!spaUrl) throw new AppError('Not Found'); // no-store, no Referer: security-headers.ts (RFC 9700 §4.2.4)
    try {
      await self.call(fastify, req, reply); // the session cookie; a failure redirects too (?error=Unauthorized)
      const q = req.query;
      await oauth.associate(currentUser(req), {
        provider: req.params.provider, mode: 'server', code: q.code, state: q.state, iss: q.iss, error: q.error, binding: binding.read(req),
      }, clientInfo(req));
      return reply.redirect(spaRedirect(spaUrl, { linked: req.params.provider }), 302);
    } catch (err) {
      return reply.redirect(spaRedirect(spaUrl, { error: failureCode(req, err) }), 302);
    }
  });

  app.get('/users/me/accounts', {
    onRequest: self,
    schema: { tags, summary: 'My linked provider accounts', security: SECURED,
      response: { 200: Type.Array(OAuthAccountRead), ...errorResponses(['Unauthorized', 'MFA_ENROLLMENT_REQUIRED'], { validation: false }) } },
  }, async (req) => (await oauth.accounts(currentUser(req).id)).map(toAccountRead));

  app.delete('/users/me/accounts/:provider', {
    onRequest: self,
    schema: { tags, summary: 'Unlink a provider (refused if it is my last way to log in)', security: SECURED, params: ProviderParams,
      response: { 204: NoContent, ...errorResponses(['Unauthorized', 'MFA_ENROLLMENT_REQUIRED', 'Not Found', 'CSRF_FAILED', 'OAUTH_LAST_LOGIN_METHOD']) } },
  }, async (req, reply) => {
    await oauth.unlink(currentUser(req), req.params.provider, clientInfo(req));
    return reply.code(204).send(null);
  });
}

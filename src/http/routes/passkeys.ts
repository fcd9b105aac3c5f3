import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { NoContent, errorResponses } from '../schemas.ts';
import { CreationOptions, PasskeyCreate, PasskeyParams, PasskeyRead, PasskeyRename, toPasskeyRead } from '../passkey-schemas.ts';
import { SECURED, clientInfo, type RouteContext } from '../context.ts';
import { currentSessionId, currentUser } from '../guards.ts';
import type { PasskeyService } from '../../passkeys/passkey-service.ts';

/**
 * A user's passkeys: register (options, then the browser's answer), list, rename, delete. Adding or removing one
 * changes what protects the account, so it needs a recent authentication (REAUTH_MAX_AGE): 403
 * REAUTHENTICATION_REQUIRED otherwise.
 */
export async function passkeyRoutes(fastify: FastifyInstance, ctx: RouteContext, passkeys: PasskeyService): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  // Listing and renaming are open to a user who must still enrol (the Security page shows the list while they add one).
  const self = ctx.guards.user({ beforeEnrolment: true });
  const recent = ctx.guards.user({ maxAge: ctx.config.reauth.maxAgeSeconds });
  // Adding the first passkey is how a user whom MFA_REQUIRED_ROLES obliges to enrol can do so.
  const enrol = ctx.guards.user({ maxAge: ctx.config.reauth.maxAgeSeconds, beforeEnrolment: true });
  const tags = ['passkeys'];

  app.post('/users/me/passkeys/options', {
    onRequest: enrol,
    schema: {
      tags, summary: 'Creation options for a new passkey (WebAuthn): discoverable, user verification preferred, my passkeys excluded; valid 5 minutes, for this session', security: SECURED,
      response: { 200: CreationOptions, ...errorResponses(['Unauthorized', 'REAUTHENTICATION_REQUIRED', 'CSRF_FAILED'], { validation: false }) },
    },
  }, async (req) => passkeys.registrationOptions(currentUser(req), currentSessionId(req)));

  app.post('/users/me/passkeys', {
    onRequest: enrol,
    schema: {
      tags, summary: 'Register a passkey: the browser\'s answer to this session\'s creation options, and a name', security: SECURED, body: PasskeyCreate,
      response: { 201: PasskeyRead, ...errorResponses(['Unauthorized', 'REAUTHENTICATION_REQUIRED', 'PASSKEY_INVALID', 'PASSKEY_CHALLENGE_INVALID', 'CSRF_FAILED']) },
    },
  }, async (req, reply) => {
    const user = currentUser(req);
    const added = await passkeys.register(user, currentSessionId(req), req.body.name.trim(), req.body.response as RegistrationResponseJSON, clientInfo(req));
    req.log.info({ userId: user.id, passkeyId: added.id }, 'passkey added');
    return reply.code(201).send(toPasskeyRead(added));
  });

  app.get('/users/me/passkeys', {
    onRequest: self,
    schema: { tags, summary: 'My passkeys, oldest first', security: SECURED,
      response: { 200: Type.Array(PasskeyRead), ...errorResponses(['Unauthorized'], { validation: false }) } },
  }, async (req) => (await passkeys.list(currentUser(req).id)).map(toPasskeyRead));

  app.patch('/users/me/passkeys/:id', {
    onRequest: self,
    schema: { tags, summary: 'Rename one of my passkeys', security: SECURED, params: PasskeyParams, body: PasskeyRename,
      response: { 200: PasskeyRead, ...errorResponses(['Unauthorized', 'Not Found', 'CSRF_FAILED']) } },
  }, async (req) => toPasskeyRead(await passkeys.rename(currentUser(req).id, req.params.id, req.body.name.trim())));

  app.delete('/users/me/passkeys/:id', {
    onRequest: recent,
    schema: { tags, summary: 'Delete one of my passkeys (it can no longer sign in); not the last way in of a user without a password or provider', security: SECURED, params: PasskeyParams,
      response: { 204: NoContent, ...errorResponses(['Unauthorized', 'REAUTHENTICATION_REQUIRED', 'Not Found', 'CSRF_FAILED', 'PASSKEY_LAST_LOGIN_METHOD'], { validation: false }) } },
  }, async (req, reply) => {
    const user = currentUser(req);
    await passkeys.remove(user, req.params.id, clientInfo(req));
    req.log.info({ userId: user.id, passkeyId: req.params.id }, 'passkey removed');
    return reply.code(204).send(null);
  });
}

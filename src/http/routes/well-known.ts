import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { RouteContext } from '../context.ts';

export const Jwks = Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) }, { title: 'JWKSet', description: 'RFC 7517 JWK Set' });
export const Metadata = Type.Record(Type.String(), Type.Unknown(), { description: 'Discovery metadata (RFC 8414 / OpenID Connect Discovery fields that apply)' });

/**
 * What any backend needs to verify Gatehouse's access tokens with a standard library: the issuer and its public keys.
 * Gatehouse is not an OpenID provider (it issues no id_token); the discovery document lists only what applies.
 */
export async function wellKnownRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const { publicUrl } = ctx.config;
  app.get('/.well-known/jwks.json', {
    schema: { tags: ['keys'], summary: 'Public keys that verify access tokens (empty with HS* algorithms)', response: { 200: Jwks } },
  }, async (_req, reply) => {
    reply.header('cache-control', 'public, max-age=60'); // a rotation is picked up by verifiers within a minute
    return ctx.keys.jwks();
  });
  app.get('/.well-known/openid-configuration', {
    schema: { tags: ['keys'], summary: 'Issuer metadata: issuer, jwks_uri, token endpoint, algorithms', response: { 200: Metadata } },
  }, async () => ({
    issuer: ctx.config.jwt.issuer,
    jwks_uri: `${publicUrl}/.well-known/jwks.json`,
    token_endpoint: `${publicUrl}/auth/jwt/login`,
    userinfo_endpoint: `${publicUrl}/users/me`,
    grant_types_supported: ['password', 'refresh_token'],
    token_endpoint_auth_methods_supported: ['none'],
    response_types_supported: [],
    subject_types_supported: ['public'],
    access_token_signing_alg_values_supported: [ctx.keys.algorithm],
    access_token_audience: ctx.config.jwt.audience,
  }));
}

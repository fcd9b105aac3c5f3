import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { DOCUMENT_HEADERS } from './security-headers.ts';

/**
 * Swagger UI's page, from this server only (no CDN, no `https:` sources). The Swagger logo SVG in its top bar carries
 * an inline <style>; instead of 'unsafe-inline' the CSP allows exactly that style by its hash (CSP Level 3,
 * hash-source). Another Swagger UI version may bring another: e2e/swagger.e2e.ts fails on any console error, CSP
 * violations included, and Chromium's message names the hash to put here.
 */
const DOCS_CSP = "default-src 'self'; base-uri 'self'; font-src 'self' data:; frame-ancestors 'self'; img-src 'self' data:; "
  + "object-src 'none'; script-src 'self'; script-src-attr 'none'; "
  + "style-src 'self' 'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='";
import type { Config } from '../config/config.ts';
import { ERRORS } from '../errors.ts';
import { CookieTransport } from './transports/cookie.ts';
import { nameSchemas, operationId, type OpenApiDocument } from './openapi-names.ts';

const pkg = { name: 'Gatehouse', version: '0.1.0' };

/**
 * OpenAPI 3.1 generated from the route schemas, at /openapi.json, and Swagger UI at /docs, served from the
 * installed package (no CDN). "Authorize" uses the OAuth2 password flow against the login route.
 */
export async function installOpenApi(app: FastifyInstance, config: Config): Promise<void> {
  await app.register(swagger, {
    // fastapi-users' operationIds and schema names, so a client generated from this document reads like one
    // generated from fastapi-users' (openapi-names.ts).
    transform: ({ schema, url, route }) => ({ schema: { ...schema, operationId: schema?.operationId ?? operationId(route.method, url) } as typeof schema, url }),
    transformObject: (doc) => ('openapiObject' in doc ? nameSchemas(doc.openapiObject as OpenApiDocument) as typeof doc.openapiObject : doc.swaggerObject),
    openapi: {
      openapi: '3.1.0',
      info: {
        title: pkg.name,
        version: pkg.version,
        description: 'Authentication and user management with fastapi-users\' HTTP contract. '
          + 'Errors answer `{"detail": "<code>"}` or `{"detail": {"code", "reason"}}`; each route lists its codes. '
          + `Any route may also answer: ${Object.entries(ERRORS).filter(([, e]) => 'global' in e).map(([c, e]) => `\`${c}\` (${e.status})`).join(', ')}.`,
      },
      servers: [{ url: config.publicUrl }],
      components: {
        securitySchemes: {
          OAuth2PasswordBearer: { type: 'oauth2', flows: { password: { tokenUrl: '/auth/jwt/login', scopes: {} } } },
          BearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          CookieAuth: { type: 'apiKey', in: 'cookie', name: new CookieTransport(config.cookie).access },
        },
      },
      tags: [
        { name: 'auth', description: 'Registration, login, logout' },
        { name: 'users', description: 'The current user; user management' },
        { name: 'sessions', description: 'Login sessions (devices): list, end one, end all others' },
        { name: 'admin', description: 'The audit log' },
        { name: 'keys', description: 'JWKS and issuer metadata, to verify tokens elsewhere' },
        { name: 'health', description: 'Liveness and readiness' },
      ],
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { persistAuthorization: false, displayRequestDuration: true },
    staticCSP: DOCS_CSP,
    uiHooks: {
      onRequest: (_req, reply, done) => {
        reply.headers(DOCUMENT_HEADERS);
        done();
      },
    },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import type { Config } from '../config/config.ts';
import { ERRORS } from '../errors.ts';
import { CookieTransport } from './transports/cookie.ts';
import { nameSchemas, operationId, type OpenApiDocument } from './openapi-names.ts';

const pkg = { name: 'Gatehouse', version: '0.1.0' };

/**
 * OpenAPI 3.1 generated from the route schemas, at /openapi.json (and /docs/json, /docs/yaml: docs.ts, Swagger UI).
 * It declares the OAuth2 password flow against the login route: Swagger UI's "Authorize" logs in with it.
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
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onEveryDatabase } from '../support/harness.ts';
import { ROUTE_NAMES } from '../../src/http/openapi-names.ts';

onEveryDatabase('OpenAPI and Swagger UI', (h) => {
  test('/openapi.json is OpenAPI 3.1 with every fastapi-users route', async () => {
    const r = await h.req({ url: '/openapi.json' });
    assert.equal(r.statusCode, 200);
    const spec = r.json();
    assert.equal(spec.openapi, '3.1.0');
    const routes = Object.entries(spec.paths as Record<string, object>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    for (const route of ['POST /auth/register', 'POST /auth/jwt/login', 'POST /auth/jwt/logout', 'POST /token', 'GET /users/me', 'PATCH /users/me', 'GET /users/{id}', 'PATCH /users/{id}', 'DELETE /users/{id}']) {
      assert.ok(routes.includes(route), `${route} missing`);
    }
  });

  test('declares the OAuth2 password flow against the login route, and bearer', async () => {
    const spec = (await h.req({ url: '/openapi.json' })).json();
    assert.deepEqual(spec.components.securitySchemes.OAuth2PasswordBearer, { type: 'oauth2', flows: { password: { tokenUrl: '/auth/jwt/login', scopes: {} } } });
    assert.equal(spec.components.securitySchemes.BearerAuth.scheme, 'bearer');
    assert.deepEqual(spec.paths['/users/me'].get.security, [{ OAuth2PasswordBearer: [] }, { BearerAuth: [] }, { CookieAuth: [] }]);
    assert.equal(spec.paths['/auth/register'].post.security, undefined);
  });

  test('the login route documents its form body, under FastAPI\'s name for it', async () => {
    const spec = (await h.req({ url: '/openapi.json' })).json();
    const body = spec.paths['/auth/jwt/login'].post.requestBody.content;
    assert.deepEqual(body['application/x-www-form-urlencoded'].schema, { $ref: '#/components/schemas/Body_auth_jwt_login_auth_jwt_login_post' });
    assert.ok(spec.components.schemas.Body_auth_jwt_login_auth_jwt_login_post.properties.username);
  });

  test('every operation has a unique operationId, FastAPI\'s for fastapi-users\' routes, and every route is named', async () => {
    const spec = (await h.req({ url: '/openapi.json' })).json();
    const ids = new Map<string, string>();
    for (const [path, ops] of Object.entries(spec.paths as Record<string, Record<string, { operationId?: string }>>)) {
      for (const [method, op] of Object.entries(ops)) {
        const route = `${method.toUpperCase()} ${path}`;
        assert.ok(op.operationId, `${route} has no operationId`);
        assert.ok(!ids.has(op.operationId), `${route} and ${ids.get(op.operationId)} share ${op.operationId}`);
        ids.set(op.operationId, route);
        assert.ok(Object.hasOwn(ROUTE_NAMES, route), `${route} has no name in ROUTE_NAMES (src/http/openapi-names.ts)`);
      }
    }
    // As FastAPI writes them for fastapi-users' routers (generate_unique_id): what generated clients call.
    const fastapiUsers: [string, string][] = [
      ['POST /auth/jwt/login', 'auth_jwt_login_auth_jwt_login_post'], ['POST /auth/jwt/logout', 'auth_jwt_logout_auth_jwt_logout_post'],
      ['POST /auth/register', 'register_register_auth_register_post'], ['POST /auth/forgot-password', 'reset_forgot_password_auth_forgot_password_post'],
      ['POST /auth/reset-password', 'reset_reset_password_auth_reset_password_post'], ['POST /auth/request-verify-token', 'verify_request_token_auth_request_verify_token_post'],
      ['POST /auth/verify', 'verify_verify_auth_verify_post'], ['GET /users/me', 'users_current_user_users_me_get'],
      ['PATCH /users/me', 'users_patch_current_user_users_me_patch'], ['GET /users/{id}', 'users_user_users__id__get'],
      ['PATCH /users/{id}', 'users_patch_user_users__id__patch'], ['DELETE /users/{id}', 'users_delete_user_users__id__delete'],
      ['POST /auth/cookie/login', 'auth_cookie_login_auth_cookie_login_post'], ['POST /auth/cookie/logout', 'auth_cookie_logout_auth_cookie_logout_post'],
    ];
    for (const [route, id] of fastapiUsers) assert.equal(ids.get(id), route, id);
  });

  test('named component schemas, referenced by $ref, and no reference without its schema', async () => {
    const spec = (await h.req({ url: '/openapi.json' })).json();
    const schemas = spec.components.schemas as Record<string, unknown>;
    for (const name of ['UserRead', 'UserCreate', 'UserUpdate', 'BearerResponse', 'ErrorModel', 'HTTPValidationError', 'ValidationError',
      'Body_reset_forgot_password_auth_forgot_password_post', 'Body_verify_verify_auth_verify_post', 'OAuth2AuthorizeResponse']) {
      assert.ok(schemas[name], `${name} is not a component`);
    }
    const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
    const json = (op: { responses: Record<string, { content: Record<string, { schema: unknown }> }> }, status: string) => op.responses[status]!.content['application/json']!.schema;
    assert.deepEqual(json(spec.paths['/users/me'].get, '200'), ref('UserRead'));
    assert.deepEqual(spec.paths['/auth/register'].post.requestBody.content['application/json'].schema, ref('UserCreate'));
    assert.deepEqual(spec.paths['/users/me'].patch.requestBody.content['application/json'].schema, ref('UserUpdate'));
    assert.deepEqual(json(spec.paths['/auth/jwt/login'].post, '200'), ref('BearerResponse'));
    assert.deepEqual(json(spec.paths['/auth/register'].post, '422'), ref('HTTPValidationError'));
    const badRequest = json(spec.paths['/auth/register'].post, '400') as { allOf: unknown[] };
    assert.deepEqual(badRequest.allOf[0], ref('ErrorModel'));
    assert.deepEqual((schemas.UserPage as { properties: { items: { items: unknown } } }).properties.items.items, ref('UserRead'));
    // Every $ref in the document names a component it has.
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (node === null || typeof node !== 'object') return;
      const o = node as Record<string, unknown>;
      if (typeof o.$ref === 'string') assert.ok(schemas[o.$ref.replace('#/components/schemas/', '')], `dangling ${o.$ref}`);
      Object.values(o).forEach(walk);
    };
    walk(spec.paths);
    walk(schemas);
  });

  test('/docs serves Swagger UI from the installed package, with no outside URL', async () => {
    const page = await h.req({ url: '/docs/' });
    assert.equal(page.statusCode, 200);
    assert.match(page.headers['content-type'] as string, /text\/html/);
    assert.doesNotMatch(page.body, /(src|href)="https?:\/\//);
    const init = await h.req({ url: '/docs/static/swagger-initializer.js' });
    assert.equal(init.statusCode, 200);
    const bundle = await h.req({ url: '/docs/static/swagger-ui-bundle.js' });
    assert.equal(bundle.statusCode, 200);
  });

  test('an unknown route answers 404 in the registry\'s shape', async () => {
    const r = await h.req({ url: '/nope' });
    assert.equal(r.statusCode, 404);
    assert.deepEqual(r.json(), { detail: 'Not Found' });
  });

  test('an unknown route answers 404 whatever its body: nothing to fix in a request nobody would take', async () => {
    const cases: [string, Record<string, string>, string | undefined][] = [
      ['JSON content type, empty body', { 'content-type': 'application/json' }, ''],
      ['invalid JSON', { 'content-type': 'application/json' }, '{"a":'],
      ['valid JSON', { 'content-type': 'application/json' }, '{}'],
      ['a media type no route takes', { 'content-type': 'text/csv' }, 'a,b'],
      ['a form', { 'content-type': 'application/x-www-form-urlencoded' }, 'a=b'],
    ];
    for (const [what, headers, payload] of cases) {
      const r = await h.g.app.inject({ method: 'POST', url: '/nonexistent', headers, payload });
      assert.equal(r.statusCode, 404, `${what}: ${r.body}`);
      assert.deepEqual(r.json(), { detail: 'Not Found' }, what);
    }
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onEveryDatabase } from '../support/harness.ts';

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

  test('the login route documents its form body', async () => {
    const spec = (await h.req({ url: '/openapi.json' })).json();
    const body = spec.paths['/auth/jwt/login'].post.requestBody.content;
    assert.ok(body['application/x-www-form-urlencoded'].schema.properties.username);
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

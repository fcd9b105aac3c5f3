import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { onEveryDatabase, PASSWORD, type Harness } from '../support/harness.ts';

const assertPrivate = (r: LightMyRequestResponse, what: string) => {
  assert.equal(r.headers['x-content-type-options'], 'nosniff', what);
  assert.equal(r.headers['cache-control'], 'no-store', what);
};

onEveryDatabase('security headers', (h) => {
  let user: { id: string; token: string };
  let admin: { token: string };

  const login = () => h.req({ method: 'POST', url: '/auth/jwt/login', form: { username: 'headers@example.com', password: PASSWORD } });

  // Every answer that carries a user, a session, a token or the audit log, and the error answers of those routes.
  const cases: [string, number, () => Promise<LightMyRequestResponse>][] = [
    ['GET /users/me', 200, () => h.req({ url: '/users/me', token: user.token })],
    ['GET /users/me without a token', 401, () => h.req({ url: '/users/me' })],
    ['GET /users/me with a bad token', 401, () => h.req({ url: '/users/me', token: 'not-a-token' })],
    ['PATCH /users/me', 200, () => h.req({ method: 'PATCH', url: '/users/me', token: user.token, json: { full_name: 'Header Test' } })],
    ['GET /users/me/sessions', 200, () => h.req({ url: '/users/me/sessions', token: user.token })],
    ['GET /users/me/sessions without a token', 401, () => h.req({ url: '/users/me/sessions' })],
    ['GET /users/me/accounts', 200, () => h.req({ url: '/users/me/accounts', token: user.token })],
    ['GET /users', 200, () => h.req({ url: '/users', token: admin.token })],
    ['GET /users as a plain user', 403, () => h.req({ url: '/users', token: user.token })],
    ['GET /users/{id}', 200, () => h.req({ url: `/users/${user.id}`, token: admin.token })],
    ['GET /users/{id} of nobody', 404, () => h.req({ url: '/users/00000000-0000-4000-8000-000000000000', token: admin.token })],
    ['GET /admin/audit', 200, () => h.req({ url: '/admin/audit', token: admin.token })],
    ['GET /admin/audit without a token', 401, () => h.req({ url: '/admin/audit' })],
    ['POST /auth/register', 201, () => h.req({ method: 'POST', url: '/auth/register', json: { email: 'registered-headers@example.com', password: PASSWORD } })],
    ['POST /auth/jwt/login', 200, login],
    ['POST /auth/jwt/login with a wrong password', 400, () => h.req({ method: 'POST', url: '/auth/jwt/login', form: { username: 'headers@example.com', password: 'wrong password!' } })],
    ['POST /auth/jwt/refresh', 200, async () => h.req({ method: 'POST', url: '/auth/jwt/refresh', json: { refresh_token: (await login()).json().refresh_token } })],
    ['POST /auth/jwt/refresh with a bad token', 401, () => h.req({ method: 'POST', url: '/auth/jwt/refresh', json: { refresh_token: 'nope' } })],
    ['GET /auth/csrf', 200, () => h.req({ url: '/auth/csrf' })],
    ['a 415', 415, () => h.req({ method: 'POST', url: '/auth/register', form: { email: 'x@example.com' } })],
    ['an unknown API path', 404, () => h.req({ url: '/users/me/nothing-here' })],
    ['a path that does not decode', 400, () => h.req({ url: '/users/%E0%A4%A' })],
  ];

  test('setup: a user and an admin', async () => {
    user = await h.user('headers@example.com');
    admin = await h.withRole('headers-admin@example.com', 'admin');
  });

  for (const [what, status, call] of cases) {
    test(`${what} (${status}) is nosniff and Cache-Control: no-store`, async () => {
      const r = await call();
      assert.equal(r.statusCode, status, r.body);
      assertPrivate(r, what);
    });
  }

  // Fastify's router refuses these before any hook runs (frameworkErrors in app.ts): still the registry's body.
  for (const [what, url, status] of [
    ['a path that does not decode', '/users/%E0%A4%A', 400],
    ['a truncated escape', '/auth/%', 400],
  ] as const) {
    test(`${what} is ${status} with the registry's body, not Fastify's`, async () => {
      const r = await h.req({ url });
      assert.equal(r.statusCode, status, r.body);
      assert.deepEqual(r.json(), { detail: 'BAD_REQUEST' });
      assert.match(r.headers['content-type'] ?? '', /^application\/json/);
    });
  }

  test('an API answer carries a CSP that lets nothing load or frame it, no Referer, and no framing', async () => {
    const r = await h.req({ url: '/users/me', token: user.token });
    assert.equal(r.headers['content-security-policy'], "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'");
    assert.equal(r.headers['x-frame-options'], 'DENY');
    assert.equal(r.headers['referrer-policy'], 'no-referrer');
    assert.equal(r.headers['strict-transport-security'], undefined, 'no HSTS on a plain-http PUBLIC_URL');
  });

  test('the JWKS keeps its own caching (60 s), and is nosniff', async () => {
    const r = await h.req({ url: '/.well-known/jwks.json' });
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers['cache-control'], 'public, max-age=60');
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
  });

  test('Swagger UI at /docs keeps its own CSP (it runs scripts), and is nosniff', async () => {
    const r = await h.req({ url: '/docs/' });
    assert.equal(r.statusCode, 200);
    assert.match(r.headers['content-security-policy'] as string, /script-src 'self'/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
  });
});

onEveryDatabase('security headers behind https', (h: Harness) => {
  test('HSTS for a year on this host (subdomains are the operator\'s to decide)', async () => {
    const r = await h.req({ url: '/healthz' });
    assert.equal(r.headers['strict-transport-security'], 'max-age=31536000');
  });
}, { PUBLIC_URL: 'https://auth.example.com' });

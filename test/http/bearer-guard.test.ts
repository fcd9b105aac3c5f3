import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, base64url } from 'jose';
import { onEveryDatabase, TEST_SECRET } from '../support/harness.ts';

const key = new TextEncoder().encode(TEST_SECRET);

onEveryDatabase('the bearer guard (RFC 6750)', (h) => {
  let user: { id: string; token: string };
  let claims: Record<string, unknown>;
  const sign = (payload: Record<string, unknown>, header: Record<string, unknown> = { alg: 'HS256' }, secret = key) =>
    new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(secret);
  const me = (token: string, extra: Record<string, string> = {}) => h.req({ url: '/users/me', headers: { authorization: `Bearer ${token}`, ...extra } });

  test('a token from login opens /users/me', async () => {
    user = await h.user('guard@example.com');
    claims = JSON.parse(new TextDecoder().decode(base64url.decode(user.token.split('.')[1]!)));
    assert.deepEqual(Object.keys(claims).sort(), ['amr', 'aud', 'auth_time', 'exp', 'iat', 'iss', 'jti', 'sid', 'sub']);
    assert.equal(claims.sub, user.id);
    assert.equal(claims.aud, 'gatehouse:auth');
    assert.equal((claims.exp as number) - (claims.iat as number), 900);
    assert.equal((await me(user.token)).statusCode, 200);
  });

  test('no credentials: 401 with a bare Bearer challenge and fastapi-users\' body', async () => {
    const r = await h.req({ url: '/users/me' });
    assert.equal(r.statusCode, 401);
    assert.equal(r.headers['www-authenticate'], 'Bearer');
    assert.deepEqual(r.json(), { detail: 'Unauthorized' });
  });

  test('the auth scheme is case-insensitive (RFC 7235 §2.1)', async () => {
    const r = await h.req({ url: '/users/me', headers: { authorization: `bearer ${user.token}` } });
    assert.equal(r.statusCode, 200);
  });

  test('an expired token: 401 that says "expired" in the challenge', async () => {
    const now = Math.floor(Date.now() / 1000);
    const r = await me(await sign({ ...claims, iat: now - 3600, exp: now - 60 }));
    assert.equal(r.statusCode, 401);
    assert.equal(r.headers['www-authenticate'], 'Bearer error="invalid_token", error_description="The access token expired"');
    assert.deepEqual(r.json(), { detail: 'Unauthorized' });
  });

  const now = () => Math.floor(Date.now() / 1000);
  const forged: [string, () => Promise<string>][] = [
    ['alg "none"', async () => `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url.encode(JSON.stringify(claims))}.`],
    ['an algorithm that is not configured (HS512)', () => sign(claims, { alg: 'HS512' })],
    ['another secret', () => sign(claims, { alg: 'HS256' }, new TextEncoder().encode('another-secret-0123456789abcdef0123456789'))],
    ['a wrong audience', () => sign({ ...claims, aud: 'fastapi-users:auth' })],
    ['another purpose\'s audience', () => sign({ ...claims, aud: 'gatehouse:reset' })],
    ['a wrong issuer', () => sign({ ...claims, iss: 'https://evil.example' })],
    ['no exp', async () => { const { exp: _e, ...rest } = claims; return sign(rest); }],
    ['no sid (a session-less token)', async () => { const { sid: _s, ...rest } = claims; return sign(rest); }],
    ['nbf in the future', () => sign({ ...claims, nbf: now() + 3600 })],
    ['a session id that does not exist', () => sign({ ...claims, sid: crypto.randomUUID() })],
    ['a subject that is not the session\'s user', () => sign({ ...claims, sub: crypto.randomUUID() })],
    ['a sub that is not a UUID', () => sign({ ...claims, sub: "1' or '1'='1" })],
    ['a tampered payload', async () => {
      const [head, , sig] = user.token.split('.');
      return `${head}.${base64url.encode(JSON.stringify({ ...claims, sub: crypto.randomUUID() }))}.${sig}`;
    }],
    ['garbage', async () => 'not.a.jwt'],
    ['a token of 6 KB', async () => `${'a'.repeat(6000)}.b.c`],
  ];
  for (const [what, make] of forged) {
    test(`refuses a token with ${what}: 401 invalid_token`, async () => {
      const r = await me(await make());
      assert.equal(r.statusCode, 401);
      assert.equal(r.headers['www-authenticate'], 'Bearer error="invalid_token", error_description="The access token is invalid"');
      assert.deepEqual(r.json(), { detail: 'Unauthorized' });
    });
  }

  test('a 100 KB Authorization header is refused with a 4xx before any work', async () => {
    await h.g.app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const port = (h.g.app.server.address() as { port: number }).port;
      const r = await fetch(`http://127.0.0.1:${port}/users/me`, { headers: { authorization: `Bearer ${'a'.repeat(100_000)}` } });
      assert.ok(r.status >= 400 && r.status < 500, String(r.status));
    } finally {
      await h.g.app.server.close();
    }
  });

  test('ignores a token in the query string (RFC 6750 §2.3 is not offered)', async () => {
    const r = await h.req({ url: `/users/me?access_token=${user.token}` });
    assert.equal(r.statusCode, 401);
  });

  test('ignores credentials of another scheme', async () => {
    const r = await h.req({ url: '/users/me', headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } });
    assert.equal(r.statusCode, 401);
    assert.equal(r.headers['www-authenticate'], 'Bearer');
  });

  test('after logout the same token is refused at once', async () => {
    const u = await h.user('logout@example.com');
    const out = await h.req({ method: 'POST', url: '/auth/jwt/logout', token: u.token });
    assert.equal(out.statusCode, 204);
    assert.equal(out.body, '');
    assert.equal((await me(u.token)).statusCode, 401);
    assert.equal((await h.req({ method: 'POST', url: '/auth/jwt/logout', token: u.token })).statusCode, 401);
  });

  test('a deactivated user\'s token is refused', async () => {
    const u = await h.user('deactivated@example.com');
    await h.g.db.kysely.updateTable('users').set({ is_active: 0 }).where('id', '=', u.id).execute();
    assert.equal((await me(u.token)).statusCode, 401);
  });

  test('a deleted user\'s token is refused', async () => {
    const u = await h.user('deleted@example.com');
    await h.g.db.kysely.deleteFrom('users').where('id', '=', u.id).execute();
    assert.equal((await me(u.token)).statusCode, 401);
  });
});

onEveryDatabase('audience fastapi-users:auth', (h) => {
  test('tokens carry the configured audience, so a fastapi-users service with the same secret reads them', async () => {
    const u = await h.user('compat@example.com');
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(u.token.split('.')[1]!)));
    assert.equal(claims.aud, 'fastapi-users:auth');
    assert.equal(claims.sub, u.id);
    assert.equal((await h.req({ url: '/users/me', token: u.token })).statusCode, 200);
  });
}, { JWT_AUDIENCE: 'fastapi-users:auth' });

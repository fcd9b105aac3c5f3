import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { onEveryDatabase, PASSWORD, type Harness } from '../support/harness.ts';
import { RefreshTokens } from '../../src/auth/refresh-token.ts';

const ORIGIN = 'http://127.0.0.1:8000'; // PUBLIC_URL's origin in the test configuration
const SPA = 'http://localhost:5173';     // CORS_ORIGINS below

type Jar = Record<string, string>;
const jarOf = (r: LightMyRequestResponse, jar: Jar = {}): Jar => {
  for (const c of r.cookies as { name: string; value: string; maxAge?: number }[]) {
    if (c.value === '' || c.maxAge === 0) delete jar[c.name]; else jar[c.name] = c.value;
  }
  return jar;
};

async function csrf(h: Harness): Promise<{ jar: Jar; token: string }> {
  const r = await h.g.app.inject({ url: '/auth/csrf' });
  assert.equal(r.statusCode, 200);
  return { jar: jarOf(r), token: r.json().csrf_token };
}

async function cookieLogin(h: Harness, email: string, headers: Record<string, string> = {}) {
  const { jar, token } = await csrf(h);
  const r = await h.g.app.inject({
    method: 'POST', url: '/auth/cookie/login', cookies: jar, payload: `username=${encodeURIComponent(email)}&password=${encodeURIComponent(PASSWORD)}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, 'x-csrf-token': token, ...headers },
  });
  return { r, jar: jarOf(r, jar), token };
}

onEveryDatabase('the cookie backend', (h) => {
  test('login sets an HttpOnly, SameSite=Lax access cookie for / and a refresh cookie for /auth/cookie only, and answers 204', async () => {
    await h.register('cookie@example.com');
    const { r } = await cookieLogin(h, 'cookie@example.com');
    assert.equal(r.statusCode, 204, r.body);
    assert.equal(r.headers['cache-control'], 'no-store');
    type Cookie = { name: string; httpOnly: boolean; sameSite: string; path: string; maxAge: number };
    const cookies = Object.fromEntries((r.cookies as Cookie[]).map((c) => [c.name, c]));
    assert.deepEqual(Object.keys(cookies).sort(), ['gatehouse_access', 'gatehouse_refresh']);
    const access = cookies.gatehouse_access!;
    assert.deepEqual([access.httpOnly, access.sameSite, access.path, access.maxAge], [true, 'Lax', '/', 900]);
    const refresh = cookies.gatehouse_refresh!;
    assert.deepEqual([refresh.httpOnly, refresh.path], [true, '/auth/cookie']);
  });

  test('the access cookie authenticates reads without a CSRF token', async () => {
    await h.register('cookie-read@example.com');
    const { jar } = await cookieLogin(h, 'cookie-read@example.com');
    const me = await h.g.app.inject({ url: '/users/me', cookies: jar });
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().email, 'cookie-read@example.com');
  });

  const refusedLogins: [string, (t: string) => Record<string, string>, string | null][] = [
    ['no CSRF token', () => ({ origin: ORIGIN }), 'missing or wrong X-CSRF-Token header'],
    ['a CSRF token that is not the cookie\'s', () => ({ origin: ORIGIN, 'x-csrf-token': 'abc.def' }), 'missing or wrong X-CSRF-Token header'],
    ['a foreign Origin', (t) => ({ origin: 'https://evil.example', 'x-csrf-token': t }), 'origin https://evil.example is not trusted'],
    ['another port on the same host (same site, other origin)', (t) => ({ origin: 'http://127.0.0.1:9999', 'x-csrf-token': t }), 'origin http://127.0.0.1:9999 is not trusted'],
    ['a cross-site fetch without Origin', (t) => ({ 'sec-fetch-site': 'cross-site', 'x-csrf-token': t }), 'a cross-site request'],
  ];
  for (const [what, headers, reason] of refusedLogins) {
    test(`refuses a cookie login with ${what} (login CSRF): 403 CSRF_FAILED, no cookie set`, async () => {
      await h.register(`csrf-${refusedLogins.findIndex(([w]) => w === what)}@example.com`);
      const { jar, token } = await csrf(h);
      const r = await h.g.app.inject({
        method: 'POST', url: '/auth/cookie/login', cookies: jar,
        payload: `username=csrf-${refusedLogins.findIndex(([w]) => w === what)}%40example.com&password=${encodeURIComponent(PASSWORD)}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers(token) },
      });
      assert.equal(r.statusCode, 403);
      assert.deepEqual(r.json(), { detail: { code: 'CSRF_FAILED', reason } });
      assert.equal(r.cookies.length, 0);
    });
  }

  test('a configured SPA origin may log in with the cookie backend', async () => {
    await h.register('spa@example.com');
    const { r } = await cookieLogin(h, 'spa@example.com', { origin: SPA });
    assert.equal(r.statusCode, 204);
  });

  test('a state-changing request on the cookie needs the CSRF token; the same request with a bearer token does not', async () => {
    await h.register('cookie-write@example.com');
    const { jar, token } = await cookieLogin(h, 'cookie-write@example.com');
    const without = await h.g.app.inject({ method: 'PATCH', url: '/users/me', cookies: jar, payload: { full_name: 'X' }, headers: { origin: ORIGIN } });
    assert.equal(without.statusCode, 403);
    assert.equal(without.json().detail.code, 'CSRF_FAILED');
    const withToken = await h.g.app.inject({ method: 'PATCH', url: '/users/me', cookies: jar, payload: { full_name: 'X' }, headers: { origin: ORIGIN, 'x-csrf-token': token } });
    assert.equal(withToken.statusCode, 200);
    const bearer = await h.req({ method: 'PATCH', url: '/users/me', token: await h.login('cookie-write@example.com'), json: { full_name: 'Y' }, headers: { origin: 'https://anything.example' } });
    assert.equal(bearer.statusCode, 200);
  });

  test('refresh rotates both cookies; the old refresh cookie, replayed, ends the session and clears the cookies', async () => {
    await h.register('cookie-refresh@example.com');
    const { jar, token } = await cookieLogin(h, 'cookie-refresh@example.com');
    const old = { ...jar };
    const r = await h.g.app.inject({ method: 'POST', url: '/auth/cookie/refresh', cookies: jar, headers: { origin: ORIGIN, 'x-csrf-token': token } });
    assert.equal(r.statusCode, 204, r.body);
    const next = jarOf(r, { ...jar });
    assert.notEqual(next.gatehouse_refresh, old.gatehouse_refresh);
    assert.equal((await h.g.app.inject({ url: '/users/me', cookies: next })).statusCode, 200);
    // Past REFRESH_REUSE_GRACE (within it, the old cookie would get the same successor: see sessions.test.ts).
    await h.g.db.kysely.updateTable('refresh_tokens').set({ used_at: new Date(Date.now() - 60_000).toISOString() }).where('token_hash', '=', RefreshTokens.hash(old.gatehouse_refresh!)).execute();
    const replay = await h.g.app.inject({ method: 'POST', url: '/auth/cookie/refresh', cookies: old, headers: { origin: ORIGIN, 'x-csrf-token': token } });
    assert.equal(replay.statusCode, 401);
    assert.deepEqual(replay.json(), { detail: 'REFRESH_TOKEN_INVALID' });
    assert.ok((replay.cookies as { name: string; value: string }[]).some((c) => c.name === 'gatehouse_refresh' && c.value === ''));
    assert.equal((await h.g.app.inject({ url: '/users/me', cookies: next })).statusCode, 401);
  });

  test('refresh without the CSRF token is refused', async () => {
    await h.register('cookie-refresh-csrf@example.com');
    const { jar } = await cookieLogin(h, 'cookie-refresh-csrf@example.com');
    const r = await h.g.app.inject({ method: 'POST', url: '/auth/cookie/refresh', cookies: jar, headers: { origin: ORIGIN } });
    assert.equal(r.statusCode, 403);
  });

  test('logout ends the session and clears both cookies', async () => {
    await h.register('cookie-logout@example.com');
    const { jar, token } = await cookieLogin(h, 'cookie-logout@example.com');
    const r = await h.g.app.inject({ method: 'POST', url: '/auth/cookie/logout', cookies: jar, headers: { origin: ORIGIN, 'x-csrf-token': token } });
    assert.equal(r.statusCode, 204);
    const cleared = (r.cookies as { name: string; value: string }[]).filter((c) => c.value === '').map((c) => c.name).sort();
    assert.deepEqual(cleared, ['gatehouse_access', 'gatehouse_refresh']);
    assert.equal((await h.g.app.inject({ url: '/users/me', cookies: jar })).statusCode, 401, 'the old cookie value is dead too');
  });

  test('CORS answers only the configured origin, with credentials, never "*"', async () => {
    const pre = (origin: string) => h.g.app.inject({ method: 'OPTIONS', url: '/users/me', headers: { origin, 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'x-csrf-token,content-type' } });
    const ok = await pre(SPA);
    assert.equal(ok.headers['access-control-allow-origin'], SPA);
    assert.equal(ok.headers['access-control-allow-credentials'], 'true');
    assert.match(String(ok.headers['access-control-allow-headers']), /x-csrf-token/);
    const evil = await pre('https://evil.example');
    assert.equal(evil.headers['access-control-allow-origin'], undefined);
  });
}, { CORS_ORIGINS: SPA });

onEveryDatabase('the cookie backend behind https', (h) => {
  test('cookies are Secure and carry the __Host- / __Secure- prefixes', async () => {
    await h.register('secure-cookie@example.com');
    const { jar, token } = await csrf(h);
    assert.ok(Object.keys(jar).includes('__Host-gatehouse_csrf'));
    const r = await h.g.app.inject({
      method: 'POST', url: '/auth/cookie/login', cookies: jar, payload: `username=secure-cookie%40example.com&password=${encodeURIComponent(PASSWORD)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://auth.example.com', 'x-csrf-token': token },
    });
    assert.equal(r.statusCode, 204, r.body);
    const byName = Object.fromEntries((r.cookies as { name: string; secure: boolean; path: string }[]).map((c) => [c.name, c]));
    assert.deepEqual(Object.keys(byName).sort(), ['__Host-gatehouse_access', '__Secure-gatehouse_refresh']);
    assert.ok(byName['__Host-gatehouse_access']!.secure && byName['__Host-gatehouse_access']!.path === '/');
    assert.ok(byName['__Secure-gatehouse_refresh']!.secure);
  });
}, { PUBLIC_URL: 'https://auth.example.com' });

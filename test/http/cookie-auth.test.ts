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

/** Logs in with a fresh pre-login CSRF token; `token` is the one the login set (bound to the new session). */
async function cookieLogin(h: Harness, email: string, headers: Record<string, string> = {}, start?: { jar: Jar; token: string }) {
  const { jar, token: preLogin } = start ?? await csrf(h);
  const r = await h.g.app.inject({
    method: 'POST', url: '/auth/cookie/login', cookies: jar, payload: `username=${encodeURIComponent(email)}&password=${encodeURIComponent(PASSWORD)}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, 'x-csrf-token': preLogin, ...headers },
  });
  const after = jarOf(r, { ...jar });
  return { r, jar: after, token: after.gatehouse_csrf!, preLogin };
}

/** A cookie-authenticated write with `csrfToken` in both the CSRF cookie and the header. */
const patchMe = (h: Harness, jar: Jar, csrfToken: string) => h.g.app.inject({
  method: 'PATCH', url: '/users/me', cookies: { ...jar, gatehouse_csrf: csrfToken }, payload: { full_name: 'Bound' },
  headers: { origin: ORIGIN, 'x-csrf-token': csrfToken },
});

onEveryDatabase('the cookie backend', (h) => {
  test('login sets an HttpOnly, SameSite=Lax access cookie for / and a refresh cookie for /auth/cookie only, a new script-readable CSRF cookie, the device cookie, and answers 204', async () => {
    await h.register('cookie@example.com');
    const { r, token, preLogin } = await cookieLogin(h, 'cookie@example.com');
    assert.equal(r.statusCode, 204, r.body);
    assert.equal(r.headers['cache-control'], 'no-store');
    type Cookie = { name: string; httpOnly: boolean; sameSite: string; path: string; maxAge: number };
    const cookies = Object.fromEntries((r.cookies as Cookie[]).map((c) => [c.name, c]));
    assert.deepEqual(Object.keys(cookies).sort(), ['gatehouse_access', 'gatehouse_csrf', 'gatehouse_device', 'gatehouse_refresh']);
    const csrfCookie = cookies.gatehouse_csrf!;
    assert.deepEqual([csrfCookie.httpOnly ?? false, csrfCookie.path], [false, '/']);
    assert.notEqual(token, preLogin);
    const access = cookies.gatehouse_access!;
    assert.deepEqual([access.httpOnly, access.sameSite, access.path, access.maxAge], [true, 'Lax', '/', 900]);
    const refresh = cookies.gatehouse_refresh!;
    assert.deepEqual([refresh.httpOnly, refresh.path], [true, '/auth/cookie']);
    const device = cookies.gatehouse_device!; // the login lockout's device cookie (test/http/device-cookie.test.ts)
    assert.deepEqual([device.httpOnly, device.sameSite, device.path], [true, 'Strict', '/']);
  });

  test('GET /auth/cookie/session answers 200 whoever asks: the user, or null and whether a refresh is worth trying', async () => {
    const session = async (cookies: Jar) => {
      const r = await h.g.app.inject({ url: '/auth/cookie/session', cookies });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.headers['cache-control'], 'no-store');
      return r.json() as { user: { email: string } | null; refreshable: boolean };
    };
    assert.deepEqual(await session({}), { user: null, refreshable: false }, 'a signed-out visitor: one request, no 401');
    const { id } = await h.register('cookie-session@example.com');
    const { jar } = await cookieLogin(h, 'cookie-session@example.com');
    const signedIn = await session(jar);
    assert.equal(signedIn.user?.email, 'cookie-session@example.com');
    assert.equal(signedIn.refreshable, false);
    const { gatehouse_access: _gone, ...refreshOnly } = jar;
    assert.deepEqual(await session(refreshOnly), { user: null, refreshable: true }, 'the access cookie expired: refresh, then ask again');
    assert.deepEqual(await session({ ...jar, gatehouse_access: 'not.a.token' }), { user: null, refreshable: true });
    await h.g.db.kysely.updateTable('users').set({ is_active: 0 }).where('id', '=', id).execute();
    // Changed behind the server's back: its session cache may answer for SESSION_CACHE_MS; wait for it, boundedly.
    const deadline = Date.now() + 10_000;
    while ((await session(jar)).user !== null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal((await session(jar)).user, null, 'an inactive user is nobody');
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
    assert.ok(!(r.cookies as { name: string }[]).some((c) => c.name === 'gatehouse_csrf'), 'the CSRF cookie, bound to the session, is kept');
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

  // Cookie and header equal and well shaped (a nonce and a 43-character MAC), but the MAC is not the server's: only
  // the signature check can refuse it (a cookie planted by someone without the key, OWASP's signed double submit).
  const forged = (token: string) => `${token.split('.').slice(0, 2).join('.')}.${'A'.repeat(43)}`;
  test('a CSRF token with a forged signature, equal in cookie and header, is refused: on a cookie login and on a cookie-authenticated write', async () => {
    await h.register('csrf-forged@example.com');
    const { jar: fresh, token: real } = await csrf(h);
    const fake = forged(real);
    assert.notEqual(fake, real);
    assert.equal(fake.length, real.length);
    const login = await h.g.app.inject({
      method: 'POST', url: '/auth/cookie/login', cookies: { ...fresh, gatehouse_csrf: fake },
      payload: `username=csrf-forged%40example.com&password=${encodeURIComponent(PASSWORD)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, 'x-csrf-token': fake },
    });
    assert.equal(login.statusCode, 403);
    assert.deepEqual(login.json(), { detail: { code: 'CSRF_FAILED', reason: 'missing or wrong X-CSRF-Token header' } });
    assert.equal(login.cookies.length, 0);
    const { jar, token } = await cookieLogin(h, 'csrf-forged@example.com');
    const refused = await patchMe(h, jar, forged(token));
    assert.equal(refused.statusCode, 403);
    assert.deepEqual(refused.json(), { detail: { code: 'CSRF_FAILED', reason: 'missing or wrong X-CSRF-Token header' } });
    assert.equal((await patchMe(h, jar, token)).statusCode, 200, 'the token the server signed passes');
  });

  // OWASP's signed double submit bound to the session: a token is good for the session it was issued in, and only there.
  const CSRF_FAILED = { detail: { code: 'CSRF_FAILED', reason: 'missing or wrong X-CSRF-Token header' } };

  test('the CSRF token a login sets works for that session; the pre-login token it replaced is refused in the session', async () => {
    await h.register('csrf-prelogin@example.com');
    const { r, jar, token, preLogin } = await cookieLogin(h, 'csrf-prelogin@example.com');
    assert.equal(r.statusCode, 204);
    const stale = await patchMe(h, jar, preLogin);
    assert.deepEqual([stale.statusCode, stale.json()], [403, CSRF_FAILED]);
    assert.equal((await patchMe(h, jar, token)).statusCode, 200);
  });

  test('a CSRF token bound to one session is refused with another session\'s cookies, even the same user\'s', async () => {
    await h.register('csrf-a@example.com');
    await h.register('csrf-b@example.com');
    const a = await cookieLogin(h, 'csrf-a@example.com');
    const b = await cookieLogin(h, 'csrf-b@example.com');
    const a2 = await cookieLogin(h, 'csrf-a@example.com');
    for (const [other, token] of [[b.jar, a.token], [a.jar, b.token], [a2.jar, a.token]] as const) {
      const r = await patchMe(h, other, token);
      assert.deepEqual([r.statusCode, r.json()], [403, CSRF_FAILED]);
    }
    assert.equal((await patchMe(h, b.jar, b.token)).statusCode, 200);
  });

  test('GET /auth/csrf with a live session cookie gives a bound token that works, and keeps a cookie already bound to it', async () => {
    await h.register('csrf-get@example.com');
    const { jar, token, preLogin } = await cookieLogin(h, 'csrf-get@example.com');
    const withStale = await h.g.app.inject({ url: '/auth/csrf', cookies: { ...jar, gatehouse_csrf: preLogin } });
    const bound = withStale.json().csrf_token as string;
    assert.ok(bound !== preLogin && bound !== token);
    assert.equal(jarOf(withStale).gatehouse_csrf, bound);
    assert.equal((await patchMe(h, jar, bound)).statusCode, 200);
    const again = await h.g.app.inject({ url: '/auth/csrf', cookies: { ...jar, gatehouse_csrf: bound } });
    assert.equal(again.json().csrf_token, bound, 'another tab\'s copy of the token stays valid');
    const anonymous = (await h.g.app.inject({ url: '/auth/csrf', cookies: { gatehouse_csrf: bound } })).json().csrf_token as string;
    assert.notEqual(anonymous, bound, 'without a session: a new, unbound token');
    assert.deepEqual((await patchMe(h, jar, anonymous)).json(), CSRF_FAILED);
  });

  test('after logout and a new login, the new session has a new token and the old session\'s token is refused', async () => {
    await h.register('csrf-relogin@example.com');
    const first = await cookieLogin(h, 'csrf-relogin@example.com');
    const out = await h.g.app.inject({ method: 'POST', url: '/auth/cookie/logout', cookies: first.jar, headers: { origin: ORIGIN, 'x-csrf-token': first.token } });
    assert.equal(out.statusCode, 204);
    const second = await cookieLogin(h, 'csrf-relogin@example.com', {}, { jar: jarOf(out, { ...first.jar }), token: first.token });
    assert.equal(second.r.statusCode, 204, 'with no live session, login takes any token the server signed');
    assert.notEqual(second.token, first.token);
    assert.deepEqual((await patchMe(h, second.jar, first.token)).json(), CSRF_FAILED);
    assert.equal((await patchMe(h, second.jar, second.token)).statusCode, 200);
  });

  test('login and refresh take an unbound token only when no live session cookie comes with it; refresh then sets a bound one', async () => {
    await h.register('csrf-refresh@example.com');
    const { jar, preLogin } = await cookieLogin(h, 'csrf-refresh@example.com');
    const post = (url: string, cookies: Jar, payload?: string) => h.g.app.inject({
      method: 'POST', url, cookies: { ...cookies, gatehouse_csrf: preLogin }, payload,
      headers: { origin: ORIGIN, 'x-csrf-token': preLogin, ...(payload ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    });
    const form = `username=csrf-refresh%40example.com&password=${encodeURIComponent(PASSWORD)}`;
    assert.deepEqual((await post('/auth/cookie/refresh', jar)).json(), CSRF_FAILED, 'refresh with a live access cookie');
    assert.deepEqual((await post('/auth/cookie/login', jar, form)).json(), CSRF_FAILED, 'login with a live access cookie');
    const { gatehouse_access: _, ...withoutAccess } = jar; // as when the access cookie has expired
    const r = await post('/auth/cookie/refresh', withoutAccess);
    assert.equal(r.statusCode, 204, r.body);
    const next = jarOf(r, { ...withoutAccess });
    assert.ok(next.gatehouse_csrf && next.gatehouse_csrf !== preLogin, 'a new CSRF cookie, bound to the session');
    assert.equal((await patchMe(h, next, next.gatehouse_csrf)).statusCode, 200);
    assert.deepEqual((await patchMe(h, next, preLogin)).json(), CSRF_FAILED);
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
    assert.deepEqual(Object.keys(byName).sort(), ['__Host-gatehouse_access', '__Host-gatehouse_csrf', '__Host-gatehouse_device', '__Secure-gatehouse_refresh']);
    assert.ok(byName['__Host-gatehouse_access']!.secure && byName['__Host-gatehouse_access']!.path === '/');
    assert.ok(byName['__Host-gatehouse_device']!.secure && byName['__Host-gatehouse_device']!.path === '/');
    assert.ok(byName['__Secure-gatehouse_refresh']!.secure);
  });
}, { PUBLIC_URL: 'https://auth.example.com' });

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onEveryDatabase, PASSWORD, type Harness } from '../support/harness.ts';
import type { LightMyRequestResponse } from 'fastify';
import { RefreshTokenStore } from '../../src/store/refresh-token-store.ts';
import { RefreshTokens } from '../../src/auth/refresh-token.ts';

async function loginPair(h: Harness, email: string, headers: Record<string, string> = {}) {
  const r = await h.req({ method: 'POST', url: '/auth/jwt/login', form: { username: email, password: PASSWORD }, headers });
  assert.equal(r.statusCode, 200, r.body);
  return r.json() as { access_token: string; refresh_token: string; expires_in: number };
}
const refresh = (h: Harness, refresh_token: string) => h.req({ method: 'POST', url: '/auth/jwt/refresh', json: { refresh_token } });
const me = (h: Harness, token: string) => h.req({ url: '/users/me', token });

/** Moves the token's use back past REFRESH_REUSE_GRACE: presenting it now is a replay, not a race (no sleeping). */
async function usedLongAgo(h: Harness, token: string): Promise<void> {
  const at = new Date(Date.now() - (h.config.session.reuseGrace + 1) * 1000).toISOString();
  const r = await h.g.db.kysely.updateTable('refresh_tokens').set({ used_at: at }).where('token_hash', '=', RefreshTokens.hash(token)).where('used_at', 'is not', null).executeTakeFirst();
  assert.equal(r.numUpdatedRows, 1n, 'the token was used');
}

/** The user's live sessions and the unused refresh tokens of those sessions (a family has at most one). */
async function liveOf(h: Harness, userId: string): Promise<{ sessions: number; unusedTokens: number }> {
  const unused = await h.g.db.kysely.selectFrom('refresh_tokens').innerJoin('sessions', 'sessions.id', 'refresh_tokens.session_id')
    .select('token_hash').where('sessions.user_id', '=', userId).where('used_at', 'is', null).where('revoked_at', 'is', null).execute();
  return { sessions: (await h.g.sessions.list(userId)).length, unusedTokens: unused.length };
}

const ORIGIN = 'http://127.0.0.1:8000'; // PUBLIC_URL's origin in the test configuration
type Jar = Record<string, string>;
const cookiesOf = (r: LightMyRequestResponse, jar: Jar = {}): Jar => {
  for (const c of r.cookies as { name: string; value: string; maxAge?: number }[]) {
    if (c.value === '' || c.maxAge === 0) delete jar[c.name]; else jar[c.name] = c.value;
  }
  return jar;
};

async function reuseAudits(h: Harness, userId: string): Promise<number> {
  return (await h.g.db.kysely.selectFrom('audit_events').select('id').where('user_id', '=', userId).where('type', '=', 'refresh.reuse').execute()).length;
}

onEveryDatabase('refresh tokens', (h) => {
  test('login answers an opaque refresh token next to the access token', async () => {
    await h.register('pair@example.com');
    const pair = await loginPair(h, 'pair@example.com');
    assert.match(pair.refresh_token, /^[\w-]{43}$/);
    assert.equal(pair.expires_in, 900);
  });

  test('the refresh token is stored only as a hash', async () => {
    await h.register('hashed@example.com');
    const pair = await loginPair(h, 'hashed@example.com');
    const rows = await h.g.db.kysely.selectFrom('refresh_tokens').select('token_hash').execute();
    assert.ok(rows.length > 0);
    assert.ok(rows.every((r) => r.token_hash !== pair.refresh_token && /^[0-9a-f]{64}$/.test(r.token_hash)));
  });

  test('a session and its first refresh token are written together or not at all', async () => {
    const user = await h.register('atomic@example.com');
    const store = new RefreshTokenStore(h.g.db.kysely);
    const at = new Date().toISOString();
    const session = (id: string) => ({ id, userId: user.id, createdAt: at, expiresAt: at, userAgent: null, ip: null, amr: [], authTime: at });
    const tokenHash = 'ab'.repeat(32);
    const first = '00000000-0000-4000-8000-000000000001';
    const second = '00000000-0000-4000-8000-000000000002';
    await store.open(session(first), tokenHash);
    // The same token hash again: its insert fails after the second session's insert, inside the one transaction.
    await assert.rejects(store.open(session(second), tokenHash));
    const ids = (await h.g.db.kysely.selectFrom('sessions').select('id').where('id', 'in', [first, second]).execute()).map((r) => r.id);
    assert.deepEqual(ids, [first], 'the second session was rolled back with its token');
  });

  test('of 10 concurrent claims of one token exactly one rotates; the others read the winner\'s use and its unused successor', async () => {
    const user = await h.register('claims@example.com');
    const store = new RefreshTokenStore(h.g.db.kysely);
    const at = new Date().toISOString();
    const sessionId = '00000000-0000-4000-8000-000000000003';
    const [token, successor] = ['cd'.repeat(32), 'ef'.repeat(32)];
    await store.open({ id: sessionId, userId: user.id, createdAt: at, expiresAt: new Date(Date.now() + 60_000).toISOString(), userAgent: null, ip: null, amr: [], authTime: at }, token);
    // Straight to the claim, as when every request read the token unused before the winner committed.
    const claims = await Promise.all(Array.from({ length: 10 }, () => store.rotate(token, successor, sessionId, at, { ip: null, userAgent: null })));
    assert.equal(claims.filter((c) => c === true).length, 1);
    for (const c of claims.filter((x) => x !== true)) assert.deepEqual(c, { usedAt: at, successorUsedAt: null });
  });

  test('a refresh answers a new pair for the same session, not cacheable', async () => {
    await h.register('rotate@example.com');
    const first = await loginPair(h, 'rotate@example.com');
    const r = await refresh(h, first.refresh_token);
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.headers['cache-control'], 'no-store');
    const next = r.json();
    assert.notEqual(next.refresh_token, first.refresh_token);
    assert.equal((await me(h, next.access_token)).statusCode, 200);
    assert.equal((await refresh(h, next.refresh_token)).statusCode, 200, 'the successor works too');
  });

  test('a used refresh token presented after the grace window ends the whole session: the thief\'s and the victim\'s tokens all die', async () => {
    const { id } = await h.register('reuse@example.com');
    const stolen = await loginPair(h, 'reuse@example.com');
    const victim = (await refresh(h, stolen.refresh_token)).json();
    await usedLongAgo(h, stolen.refresh_token);
    const replay = await refresh(h, stolen.refresh_token);
    assert.equal(replay.statusCode, 401);
    assert.deepEqual(replay.json(), { detail: 'REFRESH_TOKEN_INVALID' });
    assert.equal((await refresh(h, victim.refresh_token)).statusCode, 401);
    assert.equal((await me(h, victim.access_token)).statusCode, 401);
    assert.equal((await me(h, stolen.access_token)).statusCode, 401);
    assert.equal(await reuseAudits(h, id), 1, 'the reuse is audited');
  });

  test('by default the token just replaced, presented again, gets the same successor; once that successor is used, it ends the session', async () => {
    const { id } = await h.register('grace@example.com');
    const a = await loginPair(h, 'grace@example.com');
    const b = (await refresh(h, a.refresh_token)).json();
    const again = await refresh(h, a.refresh_token);
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().refresh_token, b.refresh_token);
    assert.equal((await me(h, again.json().access_token)).statusCode, 200);
    assert.deepEqual(await liveOf(h, id), { sessions: 1, unusedTokens: 1 });
    const c = (await refresh(h, b.refresh_token)).json();
    assert.equal((await refresh(h, a.refresh_token)).statusCode, 401, 'a is two generations old');
    assert.equal((await refresh(h, c.refresh_token)).statusCode, 401, 'and the family is gone');
    assert.equal(await reuseAudits(h, id), 1);
  });

  test('10 parallel refreshes with one token all answer the same successor, and the session lives on with one live refresh token', async () => {
    const { id } = await h.register('race@example.com');
    const pair = await loginPair(h, 'race@example.com');
    const rs = await Promise.all(Array.from({ length: 10 }, () => refresh(h, pair.refresh_token)));
    assert.deepEqual(rs.map((r) => r.statusCode), Array(10).fill(200), rs.map((r) => r.body).join());
    const successors = new Set(rs.map((r) => r.json().refresh_token as string));
    assert.equal(successors.size, 1, 'one successor for all');
    const [successor] = successors;
    assert.notEqual(successor, pair.refresh_token);
    for (const r of rs) assert.equal((await me(h, r.json().access_token)).statusCode, 200, 'every answer\'s access token works, the winner\'s too');
    assert.deepEqual(await liveOf(h, id), { sessions: 1, unusedTokens: 1 });
    const rows = await h.g.db.kysely.selectFrom('refresh_tokens').innerJoin('sessions', 'sessions.id', 'refresh_tokens.session_id').select('token_hash').where('sessions.user_id', '=', id).execute();
    assert.equal(rows.length, 2, 'one rotation: the login\'s token and its successor');
    const next = await refresh(h, successor!);
    assert.equal(next.statusCode, 200, 'the successor works once more');
    assert.equal((await me(h, next.json().access_token)).statusCode, 200);
    assert.deepEqual(await liveOf(h, id), { sessions: 1, unusedTokens: 1 });
    assert.equal(await reuseAudits(h, id), 0, 'a race is not reuse');
  });

  test('10 parallel cookie refreshes with one refresh cookie all set the same successor, and the session lives on', async () => {
    const { id } = await h.register('cookie-race@example.com');
    const csrf = await h.g.app.inject({ url: '/auth/csrf' });
    const jar = cookiesOf(csrf);
    const headers = { origin: ORIGIN, 'x-csrf-token': csrf.json().csrf_token as string };
    const login = await h.g.app.inject({
      method: 'POST', url: '/auth/cookie/login', cookies: jar, payload: new URLSearchParams({ username: 'cookie-race@example.com', password: PASSWORD }).toString(),
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(login.statusCode, 204, login.body);
    const session = cookiesOf(login, jar);
    // The login set a CSRF cookie bound to the new session; the pre-login token is refused from now on.
    assert.ok(session.gatehouse_csrf && session.gatehouse_csrf !== headers['x-csrf-token']);
    headers['x-csrf-token'] = session.gatehouse_csrf;
    const rs = await Promise.all(Array.from({ length: 10 }, () => h.g.app.inject({ method: 'POST', url: '/auth/cookie/refresh', cookies: session, headers })));
    assert.deepEqual(rs.map((r) => r.statusCode), Array(10).fill(204), rs.map((r) => r.body).join());
    const jars = rs.map((r) => cookiesOf(r, { ...session }));
    assert.equal(new Set(jars.map((j) => j.gatehouse_refresh)).size, 1, 'one successor for all');
    assert.notEqual(jars[0]!.gatehouse_refresh, session.gatehouse_refresh);
    for (const j of jars) assert.equal((await h.g.app.inject({ url: '/users/me', cookies: j })).statusCode, 200);
    assert.equal((await h.g.app.inject({ method: 'POST', url: '/auth/cookie/refresh', cookies: jars[0]!, headers })).statusCode, 204, 'the successor works once more');
    assert.deepEqual(await liveOf(h, id), { sessions: 1, unusedTokens: 1 });
  });

  const wrong: [string, (p: { access_token: string; refresh_token: string }) => string][] = [
    ['an access token', (p) => p.access_token],
    ['garbage', () => 'x'.repeat(43)],
    ['an empty string', () => ''],
  ];
  for (const [what, token] of wrong) {
    test(`refuses ${what} as a refresh token`, async () => {
      const email = `wrong-${what.replace(/\W/g, '')}@example.com`;
      await h.register(email);
      const r = await refresh(h, token(await loginPair(h, email)));
      assert.equal(r.statusCode, 401);
      assert.deepEqual(r.json(), { detail: 'REFRESH_TOKEN_INVALID' });
    });
  }

  test('refuses a refresh token used as an access token', async () => {
    await h.register('as-access@example.com');
    const pair = await loginPair(h, 'as-access@example.com');
    assert.equal((await me(h, pair.refresh_token)).statusCode, 401);
  });

  test('after logout neither the access token nor the refresh token works', async () => {
    await h.register('logout-pair@example.com');
    const pair = await loginPair(h, 'logout-pair@example.com');
    assert.equal((await h.req({ method: 'POST', url: '/auth/jwt/logout', token: pair.access_token })).statusCode, 204);
    assert.equal((await me(h, pair.access_token)).statusCode, 401);
    assert.equal((await refresh(h, pair.refresh_token)).statusCode, 401);
  });

  test('a password change ends the other devices\' refresh tokens too', async () => {
    await h.register('pw-devices@example.com');
    const laptop = await loginPair(h, 'pw-devices@example.com');
    const phone = await loginPair(h, 'pw-devices@example.com');
    const r = await h.req({ method: 'PATCH', url: '/users/me', token: laptop.access_token, json: { password: 'a different password', current_password: PASSWORD } });
    assert.equal(r.statusCode, 200);
    assert.equal((await refresh(h, phone.refresh_token)).statusCode, 401);
    assert.equal((await me(h, phone.access_token)).statusCode, 401);
    assert.equal((await refresh(h, laptop.refresh_token)).statusCode, 200);
  });

  test('a deactivated user cannot refresh', async () => {
    const { id } = await h.register('inactive-refresh@example.com');
    const pair = await loginPair(h, 'inactive-refresh@example.com');
    await h.g.db.kysely.updateTable('users').set({ is_active: 0 }).where('id', '=', id).execute();
    assert.equal((await refresh(h, pair.refresh_token)).statusCode, 401);
  });

  test('a session past its absolute lifetime refuses both tokens', async () => {
    const { id } = await h.register('expired-session@example.com');
    const pair = await loginPair(h, 'expired-session@example.com');
    await h.g.db.kysely.updateTable('sessions').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('user_id', '=', id).execute();
    assert.equal((await me(h, pair.access_token)).statusCode, 401);
    assert.equal((await refresh(h, pair.refresh_token)).statusCode, 401);
  });

  test('a session idle for longer than SESSION_IDLE_TTL cannot be refreshed', async () => {
    const { id } = await h.register('idle@example.com');
    const pair = await loginPair(h, 'idle@example.com');
    await h.g.db.kysely.updateTable('sessions').set({ last_used_at: new Date(Date.now() - 8 * 86_400_000).toISOString() }).where('user_id', '=', id).execute();
    assert.equal((await refresh(h, pair.refresh_token)).statusCode, 401);
    assert.equal((await me(h, pair.access_token)).statusCode, 401, 'and the session is over');
  });

  test('sessions that ended more than a day ago are purged, with their refresh tokens', async () => {
    const { id } = await h.register('purge@example.com');
    await loginPair(h, 'purge@example.com');
    const live = await loginPair(h, 'purge@example.com');
    const [old] = await h.g.db.kysely.selectFrom('sessions').select('id').where('user_id', '=', id).orderBy('created_at').execute();
    await h.g.db.kysely.updateTable('sessions').set({ revoked_at: new Date(Date.now() - 2 * 86_400_000).toISOString() }).where('id', '=', old!.id).execute();
    assert.ok((await h.g.sessions.purge()) >= 1);
    const left = await h.g.db.kysely.selectFrom('sessions').select('id').where('user_id', '=', id).execute();
    assert.equal(left.length, 1);
    assert.equal((await h.g.db.kysely.selectFrom('refresh_tokens').select('token_hash').where('session_id', '=', old!.id).execute()).length, 0);
    assert.equal((await me(h, live.access_token)).statusCode, 200);
  });
});

onEveryDatabase('refresh tokens without a grace window (REFRESH_REUSE_GRACE=0)', (h) => {
  test('the token just replaced, presented again at once, ends the session', async () => {
    const { id } = await h.register('strict@example.com');
    const a = await loginPair(h, 'strict@example.com');
    const b = (await refresh(h, a.refresh_token)).json();
    assert.equal((await refresh(h, a.refresh_token)).statusCode, 401);
    assert.equal((await refresh(h, b.refresh_token)).statusCode, 401);
    assert.equal((await me(h, b.access_token)).statusCode, 401);
    assert.equal(await reuseAudits(h, id), 1);
  });

  test('20 parallel refreshes with one token: exactly one succeeds, the others are reuse, and the session ends', async () => {
    const { id } = await h.register('strict-race@example.com');
    const pair = await loginPair(h, 'strict-race@example.com');
    const rs = await Promise.all(Array.from({ length: 20 }, () => refresh(h, pair.refresh_token)));
    assert.equal(rs.filter((r) => r.statusCode === 200).length, 1);
    assert.equal(rs.filter((r) => r.statusCode === 401).length, 19);
    const winner = rs.find((r) => r.statusCode === 200)!.json();
    assert.equal((await refresh(h, winner.refresh_token)).statusCode, 401);
    assert.deepEqual(await liveOf(h, id), { sessions: 0, unusedTokens: 0 });
  });
}, { REFRESH_REUSE_GRACE: '0' });

onEveryDatabase('/users/me/sessions', (h) => {
  test('lists my live sessions with device and IP, the current one marked', async () => {
    await h.register('devices@example.com');
    const phone = await loginPair(h, 'devices@example.com', { 'user-agent': 'Phone/1.0' });
    await loginPair(h, 'devices@example.com', { 'user-agent': 'Laptop/2.0' });
    const r = await h.req({ url: '/users/me/sessions', token: phone.access_token });
    assert.equal(r.statusCode, 200);
    const list = r.json() as { user_agent: string; current: boolean; ip: string }[];
    assert.equal(list.length, 2);
    assert.deepEqual(list.filter((s) => s.current).map((s) => s.user_agent), ['Phone/1.0']);
    assert.ok(list.every((s) => s.ip === '127.0.0.1'));
  });

  test('ends one device: its tokens stop working, mine keep working; someone else\'s session is a 404', async () => {
    await h.register('end-one@example.com');
    const mine = await loginPair(h, 'end-one@example.com');
    const other = await loginPair(h, 'end-one@example.com');
    const list = (await h.req({ url: '/users/me/sessions', token: mine.access_token })).json() as { id: string; current: boolean }[];
    const otherId = list.find((s) => !s.current)!.id;
    assert.equal((await h.req({ method: 'DELETE', url: `/users/me/sessions/${otherId}`, token: mine.access_token })).statusCode, 204);
    assert.equal((await me(h, other.access_token)).statusCode, 401);
    assert.equal((await refresh(h, other.refresh_token)).statusCode, 401);
    assert.equal((await me(h, mine.access_token)).statusCode, 200);
    const stranger = await h.user('stranger@example.com');
    const theirs = await h.req({ method: 'DELETE', url: `/users/me/sessions/${list.find((s) => s.current)!.id}`, token: stranger.token });
    assert.equal(theirs.statusCode, 404);
    assert.equal((await me(h, mine.access_token)).statusCode, 200);
  });

  test('"log out everywhere else" ends every other session', async () => {
    await h.register('everywhere@example.com');
    const keep = await loginPair(h, 'everywhere@example.com');
    const others = [await loginPair(h, 'everywhere@example.com'), await loginPair(h, 'everywhere@example.com')];
    const r = await h.req({ method: 'DELETE', url: '/users/me/sessions', token: keep.access_token });
    assert.deepEqual(r.json(), { revoked: 2 });
    for (const o of others) assert.equal((await me(h, o.access_token)).statusCode, 401);
    assert.equal((await me(h, keep.access_token)).statusCode, 200);
  });

  test('an admin lists and ends an ordinary user\'s sessions, but not another admin\'s', async () => {
    const admin = await h.withRole('sessions-admin@example.com', 'admin');
    const user = await h.withRole('sessions-user@example.com', 'user');
    const peer = await h.withRole('sessions-peer@example.com', 'admin');
    const list = await h.req({ url: `/users/${user.id}/sessions`, token: admin.token });
    assert.equal(list.statusCode, 200);
    assert.equal(list.json().length, 1);
    assert.equal((await h.req({ method: 'DELETE', url: `/users/${user.id}/sessions/${list.json()[0].id}`, token: admin.token })).statusCode, 204);
    assert.equal((await me(h, user.token)).statusCode, 401);
    assert.equal((await h.req({ url: `/users/${peer.id}/sessions`, token: admin.token })).statusCode, 403);
    assert.equal((await h.req({ method: 'DELETE', url: `/users/${peer.id}/sessions`, token: admin.token })).statusCode, 403);
    assert.equal((await h.req({ url: `/users/${admin.id}/sessions`, token: user.token })).statusCode, 401, 'the user was logged out');
  });
});

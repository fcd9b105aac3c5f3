// The session cache: a burst of requests costs one lookup, yet every way a session ends or a user changes is seen
// by the very next request, and a change made behind the server's back is seen within SESSION_CACHE_MS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onEveryDatabase, PASSWORD, type Harness } from '../support/harness.ts';

const me = (h: Harness, token: string) => h.req({ url: '/users/me', token });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Logs in and makes one request, so the session sits in the cache when the change comes. */
async function cachedUser(h: Harness, email: string) {
  const u = await h.user(email);
  assert.equal((await me(h, u.token)).statusCode, 200);
  return u;
}

onEveryDatabase('with a session cache of one minute, the change is seen by the next request', (h) => {
  let n = 0;
  const email = () => `cached-${++n}@example.com`;
  // Each row: what is done through the API, and what the cached session's next request must see.
  const changes: [string, (u: { id: string; token: string }) => Promise<void>, number][] = [
    ['logout', async (u) => { await h.req({ method: 'POST', url: '/auth/jwt/logout', token: u.token }); }, 401],
    ['revoking the session from another device', async (u) => {
      const other = await h.login((await me(h, u.token)).json().email);
      const sid = (await h.req({ url: '/users/me/sessions', token: u.token })).json().find((s: { current: boolean }) => s.current).id;
      assert.equal((await h.req({ method: 'DELETE', url: `/users/me/sessions/${sid}`, token: other })).statusCode, 204);
    }, 401],
    ['"log out everywhere else" from another device', async (u) => {
      const other = await h.login((await me(h, u.token)).json().email);
      assert.equal((await h.req({ method: 'DELETE', url: '/users/me/sessions', token: other })).json().revoked, 1);
    }, 401],
    ['a password change on another device', async (u) => {
      const other = await h.login((await me(h, u.token)).json().email);
      assert.equal((await h.req({ method: 'PATCH', url: '/users/me', token: other, json: { password: `${PASSWORD} 2`, current_password: PASSWORD } })).statusCode, 200);
    }, 401],
    ['deactivation by an admin', async (u) => {
      const admin = await h.withRole(email(), 'super_admin');
      assert.equal((await h.req({ method: 'PATCH', url: `/users/${u.id}`, token: admin.token, json: { is_active: false } })).statusCode, 200);
    }, 401],
    ['a role change by an admin', async (u) => {
      const admin = await h.withRole(email(), 'super_admin');
      assert.equal((await h.req({ method: 'PATCH', url: `/users/${u.id}`, token: admin.token, json: { role: 'admin' } })).statusCode, 200);
    }, 401],
    ['deletion by an admin', async (u) => {
      const admin = await h.withRole(email(), 'super_admin');
      assert.equal((await h.req({ method: 'DELETE', url: `/users/${u.id}`, token: admin.token })).statusCode, 204);
    }, 401],
  ];
  for (const [what, change, status] of changes) {
    test(`${what}: the cached session's next request gets ${status}`, async () => {
      const u = await cachedUser(h, email());
      await change(u);
      assert.equal((await me(h, u.token)).statusCode, status);
    });
  }

  test('a profile change shows in the next /users/me of every session of the user', async () => {
    const u = await cachedUser(h, email());
    const other = await h.login((await me(h, u.token)).json().email);
    assert.equal((await h.req({ method: 'PATCH', url: '/users/me', token: other, json: { full_name: 'New Name' } })).statusCode, 200);
    assert.equal((await me(h, u.token)).json().full_name, 'New Name');
  });

  test('an admin marking the user verified shows at once (a verified-only route lets them in)', async () => {
    const u = await cachedUser(h, email());
    const admin = await h.withRole(email(), 'super_admin');
    assert.equal((await h.req({ method: 'PATCH', url: `/users/${u.id}`, token: admin.token, json: { is_verified: true } })).statusCode, 200);
    assert.equal((await me(h, u.token)).json().is_verified, true);
  });
}, { SESSION_CACHE_MS: '60000' });

onEveryDatabase('a change made behind the server\'s back', (h) => {
  test('is seen within SESSION_CACHE_MS (here 300 ms), and the cache did answer meanwhile', async () => {
    const u = await cachedUser(h, 'behind-the-back@example.com');
    await h.g.db.kysely.updateTable('users').set({ is_active: 0 }).where('id', '=', u.id).execute();
    // Nothing told this instance: it may answer from its cache until the entry's time is up.
    assert.equal((await me(h, u.token)).statusCode, 200, 'the request was answered from the cache');
    await sleep(350);
    assert.equal((await me(h, u.token)).statusCode, 401);
  });
}, { SESSION_CACHE_MS: '300' });

onEveryDatabase('SESSION_CACHE_MS=0', (h) => {
  test('reads the database on every request: a change behind the server\'s back shows at once', async () => {
    const u = await cachedUser(h, 'uncached@example.com');
    await h.g.db.kysely.updateTable('users').set({ is_active: 0 }).where('id', '=', u.id).execute();
    assert.equal((await me(h, u.token)).statusCode, 401);
  });
}, { SESSION_CACHE_MS: '0' });

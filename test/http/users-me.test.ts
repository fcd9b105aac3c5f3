import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onEveryDatabase, PASSWORD } from '../support/harness.ts';

onEveryDatabase('GET and PATCH /users/me', (h) => {
  const patch = (token: string, json: unknown) => h.req({ method: 'PATCH', url: '/users/me', token, json });

  test('GET answers the current user, and 401 without a token', async () => {
    const u = await h.user('me@example.com');
    const r = await h.req({ url: '/users/me', token: u.token });
    assert.equal(r.statusCode, 200);
    assert.equal(r.json().id, u.id);
    assert.equal(r.json().email, 'me@example.com');
    assert.equal((await h.req({ url: '/users/me' })).statusCode, 401);
  });

  test('changes username and full name', async () => {
    const u = await h.user('profile@example.com');
    const r = await patch(u.token, { username: 'prof', full_name: 'Pro File' });
    assert.equal(r.statusCode, 200);
    assert.deepEqual([r.json().username, r.json().full_name], ['prof', 'Pro File']);
    const cleared = await patch(u.token, { username: null });
    assert.equal(cleared.json().username, null);
    assert.equal(cleared.json().full_name, 'Pro File');
  });

  test('a new email must be verified again', async () => {
    const u = await h.user('verified-email@example.com');
    await h.g.db.kysely.updateTable('users').set({ is_verified: 1 }).where('id', '=', u.id).execute();
    const same = await patch(u.token, { email: 'VERIFIED-EMAIL@example.com' });
    assert.equal(same.json().is_verified, true, 'only the case changed');
    const r = await patch(u.token, { email: 'new-address@example.com', current_password: PASSWORD });
    assert.equal(r.statusCode, 200);
    assert.deepEqual([r.json().email, r.json().is_verified], ['new-address@example.com', false]);
    await h.login('new-address@example.com');
  });

  test('refuses an email another user has, whatever its case', async () => {
    await h.register('taken@example.com');
    const u = await h.user('wants-taken@example.com');
    const r = await patch(u.token, { email: 'TAKEN@example.com', current_password: PASSWORD });
    assert.equal(r.statusCode, 400);
    assert.deepEqual(r.json(), { detail: 'UPDATE_USER_EMAIL_ALREADY_EXISTS' });
  });

  test('refuses a password that breaks the policy, saying why', async () => {
    const u = await h.user('pw-policy@example.com');
    const r = await patch(u.token, { password: 'short', current_password: PASSWORD });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().detail.code, 'UPDATE_USER_INVALID_PASSWORD');
    assert.match(r.json().detail.reason, /at least 8/);
  });

  test('a password change keeps this session, ends the others, and the old password stops working', async () => {
    const u = await h.user('change-pw@example.com');
    const other = await h.login('change-pw@example.com');
    const r = await patch(u.token, { password: 'a brand new password', current_password: PASSWORD });
    assert.equal(r.statusCode, 200);
    assert.equal((await h.req({ url: '/users/me', token: u.token })).statusCode, 200);
    assert.equal((await h.req({ url: '/users/me', token: other })).statusCode, 401);
    const old = await h.req({ method: 'POST', url: '/auth/jwt/login', form: { username: 'change-pw@example.com', password: PASSWORD } });
    assert.equal(old.statusCode, 400);
    await h.login('change-pw@example.com', 'a brand new password');
  });

  test('ignores privileged fields', async () => {
    const u = await h.user('privileged@example.com');
    const r = await patch(u.token, { is_superuser: true, is_active: false, is_verified: true, role: 'super_admin', full_name: 'Still User' });
    assert.equal(r.statusCode, 200);
    const b = r.json();
    assert.deepEqual([b.is_superuser, b.is_active, b.is_verified, b.role, b.full_name], [false, true, false, 'user', 'Still User']);
  });

  const invalid: [string, unknown][] = [
    ['a null email (fastapi-users answers 500)', { email: null }],
    ['a malformed email', { email: 'nope' }],
    ['a numeric full name', { full_name: 42 }],
    ['a username with spaces', { username: 'a b' }],
    ['a JSON string as the body', '"hello"'],
  ];
  for (const [what, json] of invalid) {
    test(`answers 422, never 500, to ${what}`, async () => {
      const u = await h.user(`invalid-${invalid.findIndex(([w]) => w === what)}@example.com`);
      const r = await h.req({ method: 'PATCH', url: '/users/me', token: u.token, json, headers: { 'content-type': 'application/json' } });
      assert.equal(r.statusCode, 422, r.body);
      assert.ok(Array.isArray(r.json().detail));
    });
  }
});

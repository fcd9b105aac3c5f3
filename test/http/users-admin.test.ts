import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onEveryDatabase } from '../support/harness.ts';

type Role = 'user' | 'admin' | 'super_admin';

onEveryDatabase('/users/{id} under the role policy', (h) => {
  let n = 0;
  const someone = (role: Role) => h.withRole(`${role}-${++n}@example.com`, role);
  const get = (token: string, id: string) => h.req({ url: `/users/${id}`, token });
  const patch = (token: string, id: string, json: unknown) => h.req({ method: 'PATCH', url: `/users/${id}`, token, json });
  const del = (token: string, id: string) => h.req({ method: 'DELETE', url: `/users/${id}`, token });

  test('401 without a token, 403 for an ordinary user', async () => {
    const target = await someone('user');
    const user = await someone('user');
    assert.equal((await h.req({ url: `/users/${target.id}` })).statusCode, 401);
    for (const r of [await get(user.token, target.id), await patch(user.token, target.id, { full_name: 'x' }), await del(user.token, target.id)]) {
      assert.equal(r.statusCode, 403);
      assert.deepEqual(r.json(), { detail: 'Forbidden' });
    }
  });

  test('404 for an unknown id and for one that is not a UUID', async () => {
    const admin = await someone('admin');
    for (const id of [crypto.randomUUID(), 'not-a-uuid', '1%27%20or%201=1']) {
      const r = await get(admin.token, id);
      assert.equal(r.statusCode, 404, id);
      assert.deepEqual(r.json(), { detail: 'Not Found' });
    }
  });

  // Who may do what to whom (model/roles.ts POLICY): [actor, target, may edit]
  const manage: [Role, Role, boolean][] = [
    ['admin', 'user', true], ['admin', 'admin', false], ['admin', 'super_admin', false],
    ['super_admin', 'user', true], ['super_admin', 'admin', true], ['super_admin', 'super_admin', true],
  ];
  for (const [actorRole, targetRole, allowed] of manage) {
    test(`a ${actorRole} ${allowed ? 'may' : 'may not'} edit a ${targetRole}, and may read them`, async () => {
      const actor = await someone(actorRole);
      const target = await someone(targetRole);
      assert.equal((await get(actor.token, target.id)).statusCode, 200);
      const r = await patch(actor.token, target.id, { full_name: 'Edited' });
      assert.equal(r.statusCode, allowed ? 200 : 403, r.body);
      if (allowed) assert.equal(r.json().full_name, 'Edited');
    });
  }

  // Who may grant which role: [actor, role, allowed]
  const grants: [Role, Role, boolean][] = [
    ['admin', 'admin', true], ['admin', 'super_admin', false], ['super_admin', 'admin', true], ['super_admin', 'super_admin', true],
  ];
  for (const [actorRole, role, allowed] of grants) {
    test(`a ${actorRole} ${allowed ? 'may' : 'may not'} make a user ${role}`, async () => {
      const actor = await someone(actorRole);
      const target = await someone('user');
      const r = await patch(actor.token, target.id, { role });
      assert.equal(r.statusCode, allowed ? 200 : 403, r.body);
      if (allowed) assert.equal(r.json().role, role);
      else assert.equal(r.json().detail.code, 'ROLE_CHANGE_NOT_ALLOWED');
    });
  }

  test('is_superuser is fastapi-users\' view of super_admin, readable and writable by a super admin', async () => {
    const root = await someone('super_admin');
    const target = await someone('user');
    const up = await patch(root.token, target.id, { is_superuser: true });
    assert.deepEqual([up.json().is_superuser, up.json().role], [true, 'super_admin']);
    const down = await patch(root.token, target.id, { is_superuser: false });
    assert.deepEqual([down.json().is_superuser, down.json().role], [false, 'user']);
    const conflict = await patch(root.token, target.id, { is_superuser: true, role: 'admin' });
    assert.equal(conflict.statusCode, 400);
    assert.deepEqual(conflict.json(), { detail: 'INVALID_ROLE_UPDATE' });
  });

  test('an admin sets is_active, is_verified, email and password of a user', async () => {
    const admin = await someone('admin');
    const target = await someone('user');
    const r = await patch(admin.token, target.id, { is_verified: true, email: 'renamed@example.com', password: 'set by the admin' });
    assert.equal(r.statusCode, 200);
    assert.deepEqual([r.json().is_verified, r.json().email], [true, 'renamed@example.com']);
    assert.equal((await h.req({ url: '/users/me', token: target.token })).statusCode, 401, 'a new password ends the user\'s sessions');
    await h.login('renamed@example.com', 'set by the admin');
  });

  test('deactivation and a role change end the user\'s sessions at once', async () => {
    const root = await someone('super_admin');
    const a = await someone('user');
    assert.equal((await patch(root.token, a.id, { role: 'admin' })).statusCode, 200);
    assert.equal((await h.req({ url: '/users/me', token: a.token })).statusCode, 401);
    const b = await someone('user');
    assert.equal((await patch(root.token, b.id, { is_active: false })).statusCode, 200);
    assert.equal((await h.req({ url: '/users/me', token: b.token })).statusCode, 401);
    const again = await h.req({ method: 'POST', url: '/auth/jwt/login', form: { username: `user-${n}@example.com`, password: 'correct horse battery' } });
    assert.deepEqual(again.json(), { detail: 'LOGIN_BAD_CREDENTIALS' });
  });

  test('DELETE removes the user and their sessions: 204, then 404', async () => {
    const admin = await someone('admin');
    const target = await someone('user');
    const r = await del(admin.token, target.id);
    assert.equal(r.statusCode, 204);
    assert.equal((await get(admin.token, target.id)).statusCode, 404);
    assert.equal((await h.req({ url: '/users/me', token: target.token })).statusCode, 401);
    const sessions = await h.g.db.kysely.selectFrom('sessions').select('id').where('user_id', '=', target.id).execute();
    assert.equal(sessions.length, 0);
  });

  test('refuses a change that leaves no active super admin', async () => {
    // Make this suite's super admins a known set: demote all but one.
    const root = await someone('super_admin');
    await h.g.db.kysely.updateTable('users').set({ role: 'user' }).where('role', '=', 'super_admin').where('id', '!=', root.id).execute();
    for (const json of [{ is_superuser: false }, { role: 'admin' }, { is_active: false }]) {
      const r = await patch(root.token, root.id, json);
      assert.equal(r.statusCode, 400, JSON.stringify(json));
      assert.deepEqual(r.json(), { detail: 'LAST_SUPERUSER' });
    }
    assert.deepEqual((await del(root.token, root.id)).json(), { detail: 'LAST_SUPERUSER' });
    const second = await someone('super_admin');
    assert.equal((await patch(second.token, root.id, { role: 'admin' })).statusCode, 200, 'with two, one may step down');
  });

  test('answers 422 to a bad role or a null flag', async () => {
    const root = await someone('super_admin');
    const target = await someone('user');
    assert.equal((await patch(root.token, target.id, { role: 'god' })).statusCode, 422);
    assert.equal((await patch(root.token, target.id, { is_active: null })).statusCode, 422);
  });
});

onEveryDatabase('GET /users', (h) => {
  test('a user manager lists users newest first, pages through them, and searches without regard to case', async () => {
    const admin = await h.withRole('list-admin@example.com', 'admin');
    for (const [email, extra] of [['alpha@example.com', { full_name: 'Ada Lovelace' }], ['beta@example.com', { username: 'Beta_Tester' }], ['gamma@other.org', {}]] as const) {
      await h.register(email, undefined, extra);
    }
    const all = await h.req({ url: '/users?limit=2', token: admin.token });
    assert.equal(all.statusCode, 200);
    assert.equal(all.json().total, 4);
    assert.deepEqual(all.json().items.map((u: { email: string }) => u.email), ['gamma@other.org', 'beta@example.com']);
    const next = await h.req({ url: '/users?limit=2&offset=2', token: admin.token });
    assert.deepEqual(next.json().items.map((u: { email: string }) => u.email), ['alpha@example.com', 'list-admin@example.com']);
    const search = async (q: string) => (await h.req({ url: `/users?q=${encodeURIComponent(q)}`, token: admin.token })).json().items.map((u: { email: string }) => u.email);
    assert.deepEqual(await search('LOVELACE'), ['alpha@example.com']);
    assert.deepEqual(await search('beta_t'), ['beta@example.com']);
    assert.deepEqual(await search('OTHER.ORG'), ['gamma@other.org']);
    assert.deepEqual(await search('%'), [], 'a % is a character, not a wildcard');
    assert.deepEqual(await search('_'), ['beta@example.com'], 'an _ is a character, not a wildcard');
    const admins = (await h.req({ url: '/users?role=admin', token: admin.token })).json();
    assert.deepEqual(admins.items.map((u: { email: string }) => u.email), ['list-admin@example.com']);
  });

  test('ordinary users may not list users; bad paging is a 422', async () => {
    const user = await h.withRole('list-user@example.com', 'user');
    assert.equal((await h.req({ url: '/users', token: user.token })).statusCode, 403);
    const admin = await h.withRole('list-admin2@example.com', 'admin');
    for (const q of ['limit=0', 'limit=101', 'offset=-1', 'limit=abc', 'role=god']) {
      assert.equal((await h.req({ url: `/users?${q}`, token: admin.token })).statusCode, 422, q);
    }
  });
});

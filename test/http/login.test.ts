import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { onEveryDatabase, PASSWORD } from '../support/harness.ts';

onEveryDatabase('POST /auth/jwt/login', (h) => {
  test('answers a bearer token to the OAuth2 password form, not cacheable (RFC 6749 §5.1)', async () => {
    await h.register('login@example.com');
    const r = await h.req({ method: 'POST', url: '/auth/jwt/login', form: { username: 'login@example.com', password: PASSWORD } });
    assert.equal(r.statusCode, 200);
    const body = r.json();
    assert.equal(body.token_type, 'bearer');
    assert.match(body.access_token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.equal(body.expires_in, 900);
    assert.equal(r.headers['cache-control'], 'no-store');
  });

  test('takes the email in any case, or the username, as "username"', async () => {
    await h.register('Mixed.Case@Example.com', PASSWORD, { username: 'mixed_case' });
    for (const username of ['Mixed.Case@Example.com', 'mixed.case@example.com', 'mixed_case', 'MIXED_CASE']) {
      const r = await h.req({ method: 'POST', url: '/auth/jwt/login', form: { username, password: PASSWORD } });
      assert.equal(r.statusCode, 200, username);
    }
  });

  test('accepts the extra fields Swagger UI and OAuth2 clients send (grant_type, scope, client_id)', async () => {
    await h.register('swagger@example.com');
    const r = await h.req({ method: 'POST', url: '/auth/jwt/login', form: { grant_type: 'password', username: 'swagger@example.com', password: PASSWORD, scope: '', client_id: 'x' } });
    assert.equal(r.statusCode, 200);
  });

  test('POST /token is the same login (the cookbook\'s OAuth2PasswordRequestForm endpoint)', async () => {
    await h.register('token-alias@example.com');
    const r = await h.req({ method: 'POST', url: '/token', form: { username: 'token-alias@example.com', password: PASSWORD } });
    assert.equal(r.statusCode, 200);
    const me = await h.req({ url: '/users/me', token: r.json().access_token });
    assert.equal(me.json().email, 'token-alias@example.com');
  });

  test('a wrong password, an unknown user and an inactive user get the same answer', async () => {
    const { id } = await h.register('inactive@example.com');
    await h.register('known@example.com');
    await h.g.db.kysely.updateTable('users').set({ is_active: 0 }).where('id', '=', id).execute();
    const cases = [
      { username: 'known@example.com', password: 'wrong password!' },
      { username: 'nobody@example.com', password: PASSWORD },
      { username: 'nobody_at_all', password: PASSWORD },
      { username: 'inactive@example.com', password: PASSWORD },
    ];
    for (const form of cases) {
      const r = await h.req({ method: 'POST', url: '/auth/jwt/login', form });
      assert.equal(r.statusCode, 400, form.username);
      assert.deepEqual(r.json(), { detail: 'LOGIN_BAD_CREDENTIALS' });
    }
  });

  test('a user who logs in again gets a second, independent session', async () => {
    await h.register('twice@example.com');
    const a = await h.login('twice@example.com');
    const b = await h.login('twice@example.com');
    assert.notEqual(a, b);
    await h.req({ method: 'POST', url: '/auth/jwt/logout', token: a });
    assert.equal((await h.req({ url: '/users/me', token: a })).statusCode, 401);
    assert.equal((await h.req({ url: '/users/me', token: b })).statusCode, 200);
  });

  const invalid: [string, Record<string, string>, (string | number)[]][] = [
    ['no username', { password: PASSWORD }, ['body', 'username']],
    ['no password', { username: 'a@example.com' }, ['body', 'password']],
    ['a grant_type other than password', { grant_type: 'client_credentials', username: 'a@example.com', password: PASSWORD }, ['body', 'grant_type']],
  ];
  for (const [what, form, loc] of invalid) {
    test(`answers 422 to ${what}`, async () => {
      const r = await h.req({ method: 'POST', url: '/auth/jwt/login', form });
      assert.equal(r.statusCode, 422);
      assert.ok(r.json().detail.some((d: { loc: unknown[] }) => JSON.stringify(d.loc) === JSON.stringify(loc)), r.body);
    });
  }

  test('verifies a legacy bcrypt hash (fastapi-users/passlib) and replaces it with argon2id', async () => {
    const { id } = await h.register('legacy@example.com');
    // passlib writes "$2b$"; @node-rs/bcrypt writes "$2y$": the same algorithm under another name.
    const legacy = (await bcryptHash(PASSWORD, 4)).replace(/^\$2y\$/, '$2b$');
    await h.g.db.kysely.updateTable('users').set({ hashed_password: legacy }).where('id', '=', id).execute();
    await h.login('legacy@example.com');
    const row = await h.g.db.kysely.selectFrom('users').select('hashed_password').where('id', '=', id).executeTakeFirstOrThrow();
    assert.match(row.hashed_password!, /^\$argon2id\$v=19\$m=256,t=1,p=1\$/);
    await h.login('legacy@example.com'); // and the new hash works
  });

  test('rehashes an argon2 hash made with other parameters on the next successful login', async () => {
    const { id } = await h.register('params@example.com');
    const { hash } = await import('@node-rs/argon2');
    const old = await hash(PASSWORD, { memoryCost: 512, timeCost: 2, parallelism: 1 });
    await h.g.db.kysely.updateTable('users').set({ hashed_password: old }).where('id', '=', id).execute();
    const bad = await h.req({ method: 'POST', url: '/auth/jwt/login', form: { username: 'params@example.com', password: 'not the password' } });
    assert.equal(bad.statusCode, 400);
    const unchanged = await h.g.db.kysely.selectFrom('users').select('hashed_password').where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(unchanged.hashed_password, old, 'a failed login changes nothing');
    await h.login('params@example.com');
    const row = await h.g.db.kysely.selectFrom('users').select('hashed_password').where('id', '=', id).executeTakeFirstOrThrow();
    assert.match(row.hashed_password!, /^\$argon2id\$v=19\$m=256,t=1,p=1\$/);
  });
});

onEveryDatabase('POST /auth/jwt/login with REQUIRE_VERIFIED_LOGIN', (h) => {
  test('refuses an unverified user whose password is right with LOGIN_USER_NOT_VERIFIED', async () => {
    await h.register('unverified@example.com');
    const r = await h.req({ method: 'POST', url: '/auth/jwt/login', form: { username: 'unverified@example.com', password: PASSWORD } });
    assert.equal(r.statusCode, 400);
    assert.deepEqual(r.json(), { detail: 'LOGIN_USER_NOT_VERIFIED' });
  });

  test('still answers LOGIN_BAD_CREDENTIALS to a wrong password, so it reveals nothing', async () => {
    await h.register('unverified2@example.com');
    const r = await h.req({ method: 'POST', url: '/auth/jwt/login', form: { username: 'unverified2@example.com', password: 'wrong password!' } });
    assert.deepEqual(r.json(), { detail: 'LOGIN_BAD_CREDENTIALS' });
  });

  test('lets a verified user in', async () => {
    const { id } = await h.register('verified@example.com');
    await h.g.db.kysely.updateTable('users').set({ is_verified: 1 }).where('id', '=', id).execute();
    await h.login('verified@example.com');
  });
}, { REQUIRE_VERIFIED_LOGIN: 'true' });

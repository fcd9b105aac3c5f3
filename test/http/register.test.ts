import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onEveryDatabase, PASSWORD } from '../support/harness.ts';

onEveryDatabase('POST /auth/register', (h) => {
  test('creates an active, unverified, ordinary user and answers 201 with it (seed 004)', async () => {
    const r = await h.req({ method: 'POST', url: '/auth/register', json: { email: 'first@user.com', password: 'blurp-blurp' } });
    assert.equal(r.statusCode, 201);
    const body = r.json();
    assert.match(body.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(
      { email: body.email, is_active: body.is_active, is_superuser: body.is_superuser, is_verified: body.is_verified, role: body.role },
      { email: 'first@user.com', is_active: true, is_superuser: false, is_verified: false, role: 'user' },
    );
    assert.equal(body.hashed_password, undefined);
    assert.equal(body.password, undefined);
  });

  test('stores an argon2id hash with the configured parameters, never the password', async () => {
    const { id } = await h.register('hash@example.com');
    const row = await h.g.db.kysely.selectFrom('users').select('hashed_password').where('id', '=', id).executeTakeFirstOrThrow();
    assert.match(row.hashed_password!, /^\$argon2id\$v=19\$m=256,t=1,p=1\$/);
    assert.ok(!row.hashed_password!.includes(PASSWORD));
  });

  test('refuses an email that exists, whatever its case', async () => {
    await h.register('Case@Example.com');
    for (const email of ['Case@Example.com', 'case@example.com', 'CASE@EXAMPLE.COM']) {
      const r = await h.req({ method: 'POST', url: '/auth/register', json: { email, password: PASSWORD } });
      assert.equal(r.statusCode, 400, email);
      assert.deepEqual(r.json(), { detail: 'REGISTER_USER_ALREADY_EXISTS' });
    }
  });

  test('the database itself refuses a second user with the same email in another case', async () => {
    await h.register('unique@example.com');
    const now = new Date().toISOString();
    await assert.rejects(h.g.db.kysely.insertInto('users').values({
      id: crypto.randomUUID(), email: 'UNIQUE@example.com', email_key: 'unique@example.com', username: null, username_key: null,
      full_name: null, hashed_password: null, is_active: 1, is_verified: 0, role: 'user', created_at: now, updated_at: now,
    }).execute());
  });

  test('refuses a username that exists, whatever its case', async () => {
    await h.register('u1@example.com', PASSWORD, { username: 'Alice' });
    const r = await h.req({ method: 'POST', url: '/auth/register', json: { email: 'u2@example.com', password: PASSWORD, username: 'alice' } });
    assert.equal(r.statusCode, 400);
    assert.deepEqual(r.json(), { detail: 'REGISTER_USER_ALREADY_EXISTS' });
  });

  const badPasswords: [string, (email: string) => string, RegExp][] = [
    ['too short', () => 'short', /at least 8 characters/],
    ['too long', () => 'x'.repeat(1025), /at most 1024 characters/],
    ['only spaces', () => ' '.repeat(12), /whitespace/],
    ['the email itself', (email) => email.toUpperCase(), /same as the email/],
  ];
  for (const [what, password, reason] of badPasswords) {
    test(`refuses a password that is ${what}, saying why`, async () => {
      const email = `pw-${what.replace(/\W/g, '')}@example.com`;
      const r = await h.req({ method: 'POST', url: '/auth/register', json: { email, password: password(email) } });
      assert.equal(r.statusCode, 400);
      const body = r.json();
      assert.equal(body.detail.code, 'REGISTER_INVALID_PASSWORD');
      assert.match(body.detail.reason, reason);
    });
  }

  test('ignores privileged fields in the body', async () => {
    const r = await h.req({
      method: 'POST', url: '/auth/register',
      json: { email: 'sneaky@example.com', password: PASSWORD, id: '00000000-0000-4000-8000-000000000000', is_superuser: true, is_active: false, is_verified: true, role: 'super_admin', hashed_password: 'x' },
    });
    assert.equal(r.statusCode, 201);
    const u = r.json();
    assert.notEqual(u.id, '00000000-0000-4000-8000-000000000000');
    assert.deepEqual([u.is_superuser, u.is_active, u.is_verified, u.role], [false, true, false, 'user']);
  });

  const invalid: [string, unknown, string, (string | number)[]][] = [
    ['no email', { password: PASSWORD }, 'missing', ['body', 'email']],
    ['no password', { email: 'a@example.com' }, 'missing', ['body', 'password']],
    ['a malformed email', { email: 'not-an-email', password: PASSWORD }, 'value_error', ['body', 'email']],
    ['a null email', { email: null, password: PASSWORD }, 'string_type', ['body', 'email']],
    ['a numeric password', { email: 'a@example.com', password: 12345678 }, 'string_type', ['body', 'password']],
    ['a bad username', { email: 'a@example.com', password: PASSWORD, username: 'has space' }, 'string_pattern_mismatch', ['body', 'username']],
    ['an array body', [1, 2], 'model_attributes_type', ['body']],
  ];
  for (const [what, json, type, loc] of invalid) {
    test(`answers 422 in FastAPI's shape to ${what}`, async () => {
      const r = await h.req({ method: 'POST', url: '/auth/register', json });
      assert.equal(r.statusCode, 422, r.body);
      const issue = r.json().detail.find((d: { loc: unknown[] }) => JSON.stringify(d.loc) === JSON.stringify(loc));
      assert.ok(issue, r.body);
      assert.equal(issue.type, type);
      assert.equal(typeof issue.msg, 'string');
    });
  }

  test('answers 422 json_invalid to malformed JSON, and 422 missing to an empty JSON body', async () => {
    const bad = await h.req({ method: 'POST', url: '/auth/register', headers: { 'content-type': 'application/json' }, json: '{"email": ' });
    assert.equal(bad.statusCode, 422);
    assert.equal(bad.json().detail[0].type, 'json_invalid');
    const empty = await h.g.app.inject({ method: 'POST', url: '/auth/register', headers: { 'content-type': 'application/json' } });
    assert.equal(empty.statusCode, 422);
    assert.deepEqual(empty.json().detail[0].loc, ['body']);
  });

  test('answers 415 to a body type it does not take, and 413 to a body over the limit', async () => {
    const text = await h.req({ method: 'POST', url: '/auth/register', headers: { 'content-type': 'text/plain' }, json: 'hello' });
    assert.equal(text.statusCode, 415);
    assert.deepEqual(text.json(), { detail: 'UNSUPPORTED_MEDIA_TYPE' });
    const huge = await h.req({ method: 'POST', url: '/auth/register', json: { email: 'big@example.com', password: 'x'.repeat(70_000) } });
    assert.equal(huge.statusCode, 413);
    assert.deepEqual(huge.json(), { detail: 'PAYLOAD_TOO_LARGE' });
  });

  test('50 concurrent registrations with distinct emails all succeed', async () => {
    const rs = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      h.req({ method: 'POST', url: '/auth/register', json: { email: `many-${i}@example.com`, password: PASSWORD } })));
    assert.deepEqual(rs.map((r) => r.statusCode), Array(50).fill(201));
  });

  test('50 concurrent registrations of one email make exactly one user and 49 REGISTER_USER_ALREADY_EXISTS', async () => {
    const rs = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      h.req({ method: 'POST', url: '/auth/register', json: { email: i % 2 ? 'race@example.com' : 'RACE@example.com', password: PASSWORD } })));
    assert.equal(rs.filter((r) => r.statusCode === 201).length, 1);
    const refused = rs.filter((r) => r.statusCode === 400);
    assert.equal(refused.length, 49);
    assert.ok(refused.every((r) => r.json().detail === 'REGISTER_USER_ALREADY_EXISTS'));
    const n = await h.g.db.kysely.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).where('email_key', '=', 'race@example.com').executeTakeFirstOrThrow();
    assert.equal(Number(n.n), 1);
  });
});

onEveryDatabase('NUL characters', (h) => {
  const cases: [string, { method: string; url: string; json?: unknown; form?: Record<string, string> }, (string | number)[]][] = [
    ['a registration email', { method: 'POST', url: '/auth/register', json: { email: 'a\u0000@example.com', password: PASSWORD } }, ['body', 'email']],
    ['a login username', { method: 'POST', url: '/auth/jwt/login', form: { username: 'x\u0000y', password: PASSWORD } }, ['body', 'username']],
    ['a verify token', { method: 'POST', url: '/auth/verify', json: { token: '\u0000' } }, ['body', 'token']],
    ['a nested value', { method: 'POST', url: '/auth/register', json: { email: 'n@example.com', password: PASSWORD, extra: [{ deep: 'a\u0000' }] } }, ['body', 'extra', 0, 'deep']],
    ['a query string', { method: 'GET', url: '/users?q=%00' }, ['query', 'q']],
  ];
  for (const [what, req, loc] of cases) {
    test(`refuses a NUL character in ${what} with 422, on every database`, async () => {
      const admin = req.method === 'GET' ? await h.withRole(`nul-admin-${Date.now()}@example.com`, 'admin') : undefined;
      const r = await h.req({ ...req, token: admin?.token });
      assert.equal(r.statusCode, 422, r.body);
      assert.deepEqual(r.json().detail[0].loc, loc);
    });
  }
});

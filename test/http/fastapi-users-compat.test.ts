// What a front end written for fastapi-users notices: each difference a replay of a recorded fastapi-users session
// found, answered as fastapi-users (FastAPI) answers it — or, where Gatehouse keeps its own answer on purpose, that
// answer (README, "Moving from fastapi-users" → "What changes for the front end").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onEveryDatabase, PASSWORD, type Harness } from '../support/harness.ts';

type Answer = { statusCode: number; json(): unknown; headers: Record<string, unknown>; body: string };

function multipart(fields: Record<string, string>): { headers: Record<string, string>; payload: string } {
  const b = 'gatehouse-compat-boundary';
  const parts = Object.entries(fields).map(([k, v]) => `--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  return { headers: { 'content-type': `multipart/form-data; boundary=${b}` }, payload: `${parts.join('')}--${b}--\r\n` };
}

onEveryDatabase('what a fastapi-users front end expects', (h) => {
  let admin: { id: string; token: string };
  let user: { id: string; token: string };
  const ready = (async () => {})();
  const setup = async () => {
    await ready;
    admin ??= await h.withRole('compat-admin@example.com', 'admin');
    user ??= await h.user('compat-user@example.com');
  };

  const cases: [string, (h: Harness) => Promise<Answer>, (r: Answer) => void][] = [
    ['multipart/form-data login (FormData) → 200 and tokens', (h) => h.g.app.inject({ method: 'POST', url: '/auth/jwt/login', ...multipart({ username: 'compat-user@example.com', password: PASSWORD }) }),
      (r) => { assert.equal(r.statusCode, 200, r.body); assert.equal((r.json() as { token_type: string }).token_type, 'bearer'); }],
    ['"  spaced@user.com  " at register → trimmed', (h) => h.req({ method: 'POST', url: '/auth/register', json: { email: '  spaced@user.com  ', password: PASSWORD } }),
      (r) => { assert.equal(r.statusCode, 201, r.body); assert.equal((r.json() as { email: string }).email, 'spaced@user.com'); }],
    ['Mixed.Case@Example.COM at register → the domain lower-cased, the local part kept', (h) => h.req({ method: 'POST', url: '/auth/register', json: { email: 'Mixed.Case@Example.COM', password: PASSWORD } }),
      (r) => { assert.equal(r.statusCode, 201, r.body); assert.equal((r.json() as { email: string }).email, 'Mixed.Case@example.com'); }],
    ['PATCH /users/me {"password": null} → ignored, 200', (h) => h.req({ method: 'PATCH', url: '/users/me', token: user.token, json: { password: null, full_name: 'Null Password' } }),
      (r) => { assert.equal(r.statusCode, 200, r.body); assert.equal((r.json() as { full_name: string }).full_name, 'Null Password'); }],
    ['PATCH /users/{id} {"password": null} → ignored, 200', (h) => h.req({ method: 'PATCH', url: `/users/${user.id}`, token: admin.token, json: { password: null } }),
      (r) => assert.equal(r.statusCode, 200, r.body)],
    ['an empty password at login → 422 missing (FastAPI reads an empty form field as absent)', (h) => h.req({ method: 'POST', url: '/auth/jwt/login', form: { username: 'compat-user@example.com', password: '' } }),
      (r) => { assert.equal(r.statusCode, 422, r.body); const [d, ...more] = (r.json() as { detail: { type: string; loc: string[]; msg: string }[] }).detail;
        assert.deepEqual([d!.type, d!.loc, d!.msg, more.length], ['missing', ['body', 'password'], 'Field required', 0]); }],
    ['an empty username at /token → 422 missing', (h) => h.req({ method: 'POST', url: '/token', form: { username: '', password: PASSWORD } }),
      (r) => { assert.equal(r.statusCode, 422, r.body); assert.deepEqual((r.json() as { detail: { loc: string[] }[] }).detail.map((d) => d.loc), [['body', 'username']]); }],
    ['an empty password in a multipart login → 422 missing', (h) => h.g.app.inject({ method: 'POST', url: '/auth/jwt/login', ...multipart({ username: 'compat-user@example.com', password: '' }) }),
      (r) => assert.equal(r.statusCode, 422, r.body)],
    ['GET /users/{ID in upper case} → 200, the id as stored', (h) => h.req({ url: `/users/${user.id.toUpperCase()}`, token: admin.token }),
      (r) => { assert.equal(r.statusCode, 200, r.body); assert.equal((r.json() as { id: string }).id, user.id); }],
    ['GET /users/{id without dashes} → 200', (h) => h.req({ url: `/users/${user.id.replace(/-/g, '')}`, token: admin.token }),
      (r) => { assert.equal(r.statusCode, 200, r.body); assert.equal((r.json() as { id: string }).id, user.id); }],
    ['GET /users/urn:uuid:{id} and /users/%7B{id}%7D → 200 (Python\'s UUID() reads both)', async (h) => {
      const braces = await h.req({ url: `/users/%7B${user.id}%7D`, token: admin.token });
      assert.equal(braces.statusCode, 200, braces.body);
      return h.req({ url: `/users/urn:uuid:${user.id}`, token: admin.token });
    }, (r) => assert.equal(r.statusCode, 200, r.body)],
    ['PATCH /users/{ID in upper case} → 200', (h) => h.req({ method: 'PATCH', url: `/users/${user.id.toUpperCase()}`, token: admin.token, json: { full_name: 'Upper' } }),
      (r) => { assert.equal(r.statusCode, 200, r.body); assert.equal((r.json() as { full_name: string }).full_name, 'Upper'); }],
    ['GET /users/{not an id} → 404', (h) => h.req({ url: `/users/${user.id.slice(0, -1)}g`, token: admin.token }),
      (r) => assert.deepEqual([r.statusCode, r.json()], [404, { detail: 'Not Found' }])],
    ['GET /users/me/ → 307 to /users/me', (h) => h.req({ url: '/users/me/', token: user.token }),
      (r) => { assert.equal(r.statusCode, 307); assert.equal(r.headers.location, '/users/me'); }],
    ['GET /users/?limit=5 → 307 to /users?limit=5 (the query kept)', (h) => h.req({ url: '/users/?limit=5', token: admin.token }),
      (r) => { assert.equal(r.statusCode, 307); assert.equal(r.headers.location, '/users?limit=5'); }],
    ['POST /auth/register/ → 307 to /auth/register, before the body is judged', (h) => h.req({ method: 'POST', url: '/auth/register/', headers: { 'content-type': 'application/json' }, json: '{"broken' }),
      (r) => { assert.equal(r.statusCode, 307); assert.equal(r.headers.location, '/auth/register'); }],
    ['GET /nothing/ → 404 (no route without the slash either)', (h) => h.req({ url: '/nothing/' }),
      (r) => assert.deepEqual([r.statusCode, r.json()], [404, { detail: 'Not Found' }])],
    ['PUT /users/me → 405 with Allow', (h) => h.req({ method: 'PUT', url: '/users/me', token: user.token, json: {} }),
      (r) => { assert.deepEqual([r.statusCode, r.json()], [405, { detail: 'Method Not Allowed' }]); assert.equal(r.headers.allow, 'DELETE, GET, HEAD, PATCH'); }],
    ['GET /auth/jwt/login → 405, Allow: POST', (h) => h.req({ url: '/auth/jwt/login' }),
      (r) => { assert.equal(r.statusCode, 405); assert.equal(r.headers.allow, 'POST'); }],
    ['DELETE /auth/register → 405, Allow: POST', (h) => h.req({ method: 'DELETE', url: '/auth/register' }),
      (r) => { assert.equal(r.statusCode, 405); assert.equal(r.headers.allow, 'POST'); }],
    ['PUT /users/{id} → 405 (a path with a parameter)', (h) => h.req({ method: 'PUT', url: `/users/${user.id}`, token: admin.token, json: {} }),
      (r) => { assert.equal(r.statusCode, 405); assert.equal(r.headers.allow, 'DELETE, GET, HEAD, PATCH'); }],
    // Kept on purpose (README says why).
    ['kept: "John <john@user.com>" at register → 422, not a silently different address', (h) => h.req({ method: 'POST', url: '/auth/register', json: { email: 'John <john@user.com>', password: PASSWORD } }),
      (r) => { assert.equal(r.statusCode, 422, r.body); assert.deepEqual((r.json() as { detail: { loc: string[] }[] }).detail[0]!.loc, ['body', 'email']); }],
    ['kept: a numeric password at register → 422, not a number turned into text', (h) => h.req({ method: 'POST', url: '/auth/register', json: { email: 'numeric@user.com', password: 12345678901234567890 } }),
      (r) => { assert.equal(r.statusCode, 422, r.body); assert.equal((r.json() as { detail: { type: string }[] }).detail[0]!.type, 'string_type'); }],
    ['kept: PATCH /users/me with one\'s own email in another case → 200, the case changed', (h) => h.req({ method: 'PATCH', url: '/users/me', token: user.token, json: { email: 'Compat-User@example.com' } }),
      (r) => { assert.equal(r.statusCode, 200, r.body); assert.equal((r.json() as { email: string }).email, 'Compat-User@example.com'); }],
  ];

  for (const [what, send, expect] of cases) {
    test(what, async () => {
      await setup();
      expect(await send(h));
    });
  }

  test('a session id in the path is read like a user id: DELETE /users/me/sessions/{SID in upper case} → 204', async () => {
    await setup();
    await h.login('compat-user@example.com');
    const sessions = (await h.req({ url: '/users/me/sessions', token: user.token })).json() as { id: string; current: boolean }[];
    const other = sessions.find((s) => !s.current)!;
    const r = await h.req({ method: 'DELETE', url: `/users/me/sessions/${other.id.toUpperCase().replace(/-/g, '')}`, token: user.token });
    assert.equal(r.statusCode, 204, r.body);
    assert.ok(!((await h.req({ url: '/users/me/sessions', token: user.token })).json() as { id: string }[]).some((s) => s.id === other.id));
  });

  test('a password sent as null left the password as it was', async () => {
    await setup();
    await h.login('compat-user@example.com', PASSWORD);
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onEveryDatabase, PASSWORD, type Harness } from '../support/harness.ts';

const ORIGIN = 'http://127.0.0.1:8000'; // PUBLIC_URL's origin in the test configuration

/** A body as a browser's `fetch(url, {body: new FormData(…)})` sends it: multipart/form-data with its boundary. */
async function multipart(fields: Record<string, string | Blob>): Promise<{ payload: Buffer; contentType: string }> {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  const r = new Response(fd);
  return { payload: Buffer.from(await r.arrayBuffer()), contentType: r.headers.get('content-type')! };
}

/** The same fields in each of the body types an HTML form can send cross-site without a CORS preflight. */
async function formBodies(fields: Record<string, string>): Promise<[string, { payload: string | Buffer; contentType: string }][]> {
  return [
    ['an urlencoded form', { payload: new URLSearchParams(fields).toString(), contentType: 'application/x-www-form-urlencoded' }],
    ['a multipart form', await multipart(fields)],
    ['a text/plain form', { payload: Object.entries(fields).map(([k, v]) => `${k}=${v}`).join('\r\n'), contentType: 'text/plain' }],
  ];
}

const send = (h: Harness, method: string, url: string, body: { payload: string | Buffer; contentType: string }, headers: Record<string, string> = {}) =>
  h.g.app.inject({ method: method as 'POST', url, payload: body.payload, headers: { 'content-type': body.contentType, ...headers } });

async function csrf(h: Harness): Promise<Record<string, string>> {
  const r = await h.g.app.inject({ url: '/auth/csrf' });
  const cookies = (r.cookies as { name: string; value: string }[]).map((c) => `${c.name}=${c.value}`).join('; ');
  return { cookie: cookies, 'x-csrf-token': r.json().csrf_token, origin: ORIGIN };
}

onEveryDatabase('body media types: JSON routes take only JSON', (h) => {
  const EVIL = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };

  test('a cross-site HTML form cannot register an account: 415, and no user exists', async () => {
    for (const [what, body] of await formBodies({ email: 'victim@example.com', password: PASSWORD })) {
      const r = await send(h, 'POST', '/auth/register', body, EVIL);
      assert.equal(r.statusCode, 415, what);
      assert.deepEqual(r.json(), { detail: 'UNSUPPORTED_MEDIA_TYPE' }, what);
    }
    const users = await h.g.db.kysely.selectFrom('users').select('id').where('email', '=', 'victim@example.com').execute();
    assert.deepEqual(users, []);
  });

  // Each JSON route, with a body that would be accepted as JSON: only the media type is wrong.
  const routes: [string, string, Record<string, string>, 'user' | 'admin' | undefined][] = [
    ['POST', '/auth/register', { email: 'form@example.com', password: PASSWORD }, undefined],
    ['POST', '/auth/forgot-password', { email: 'someone@example.com' }, undefined],
    ['POST', '/auth/request-verify-token', { email: 'someone@example.com' }, undefined],
    ['POST', '/auth/verify', { token: 'a-token' }, undefined],
    ['POST', '/auth/reset-password', { token: 'a-token', password: PASSWORD }, undefined],
    ['POST', '/auth/github/authorize', { code: 'c', state: 's' }, undefined],
    ['POST', '/auth/github/token', { access_token: 't' }, undefined],
    ['PATCH', '/users/me', { full_name: 'Changed By A Form' }, 'user'],
    ['PATCH', '/users/00000000-0000-4000-8000-000000000000', { full_name: 'Changed By A Form' }, 'admin'],
  ];
  for (const [method, url, fields, role] of routes) {
    test(`${method} ${url} answers 415 to an urlencoded, a multipart and a text/plain body`, async () => {
      const token = role && (await h.withRole(`${role}-${Math.random().toString(36).slice(2)}@example.com`, role)).token;
      for (const [what, body] of await formBodies(fields)) {
        const r = await send(h, method, url, body, token ? { authorization: `Bearer ${token}` } : {});
        assert.equal(r.statusCode, 415, `${what}: ${r.body}`);
      }
    });
  }

  test('a JSON Content-Type with parameters, or in capitals, is still JSON', async () => {
    for (const [i, type] of ['application/json; charset=utf-8', 'Application/JSON', 'application/json;charset="UTF-8"'].entries()) {
      const r = await send(h, 'POST', '/auth/register', { payload: JSON.stringify({ email: `params-${i}@example.com`, password: PASSWORD }), contentType: type });
      assert.equal(r.statusCode, 201, `${type}: ${r.body}`);
    }
  });

  test('a JSON route without a body answers 422 (body missing), not 415', async () => {
    const r = await h.g.app.inject({ method: 'POST', url: '/auth/register' });
    assert.equal(r.statusCode, 422);
    assert.deepEqual(r.json().detail[0].loc, ['body']);
  });

  test('a route that takes no body works without one, and refuses one with 415', async () => {
    const { token } = await h.user('logout@example.com');
    const other = await h.login('logout@example.com');
    const withBody = await send(h, 'POST', '/auth/jwt/logout', { payload: 'x=1', contentType: 'application/x-www-form-urlencoded' }, { authorization: `Bearer ${other}` });
    assert.equal(withBody.statusCode, 415);
    const r = await h.g.app.inject({ method: 'POST', url: '/auth/jwt/logout', headers: { authorization: `Bearer ${token}` } });
    assert.equal(r.statusCode, 204, r.body);
  });
});

onEveryDatabase('body media types: the OAuth2 password form', (h) => {
  const logins: [string, (h: Harness) => Promise<Record<string, string>>, number][] = [
    ['/auth/jwt/login', async () => ({}), 200],
    ['/token', async () => ({}), 200],
    ['/auth/cookie/login', csrf, 204],
  ];
  for (const [url, headers, status] of logins) {
    test(`${url} takes a multipart form, as fetch() sends a FormData: ${status}`, async () => {
      const email = `multipart-${url.replace(/\W/g, '')}@example.com`;
      await h.register(email);
      const r = await send(h, 'POST', url, await multipart({ username: email, password: PASSWORD }), await headers(h));
      assert.equal(r.statusCode, status, r.body);
      if (status === 200) assert.equal(r.json().token_type, 'bearer');
      else assert.ok((r.cookies as { name: string }[]).some((c) => c.name === 'gatehouse_access'));
    });

    test(`${url} refuses JSON and text/plain with 415`, async () => {
      const email = `json-${url.replace(/\W/g, '')}@example.com`;
      await h.register(email);
      for (const body of [
        { payload: JSON.stringify({ username: email, password: PASSWORD }), contentType: 'application/json' },
        { payload: `username=${email}\r\npassword=${PASSWORD}`, contentType: 'text/plain' },
      ]) {
        const r = await send(h, 'POST', url, body, await headers(h));
        assert.equal(r.statusCode, 415, `${body.contentType}: ${r.body}`);
      }
    });
  }

  test('a multipart login with a file part is refused (415), whatever its fields', async () => {
    await h.register('file-part@example.com');
    const r = await send(h, 'POST', '/auth/jwt/login', await multipart({ username: 'file-part@example.com', password: PASSWORD, avatar: new File(['GIF89a'], 'a.gif', { type: 'image/gif' }) }));
    assert.equal(r.statusCode, 415);
    assert.deepEqual(r.json(), { detail: { code: 'UNSUPPORTED_MEDIA_TYPE', reason: 'file parts are not accepted' } });
  });

  const bad: [string, () => Promise<{ payload: string | Buffer; contentType: string }>, number][] = [
    ['a NUL in a field', () => multipart({ username: 'a\u0000b@example.com', password: PASSWORD }), 422],
    ['a body over BODY_LIMIT', () => multipart({ username: 'big@example.com', password: 'x'.repeat(70_000) }), 413],
    ['more than 32 fields', () => multipart(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}`, 'x']))), 413],
    ['a malformed body', async () => ({ payload: '--x\r\n\r\n', contentType: 'multipart/form-data; boundary=x' }), 400],
    ['no boundary', async () => ({ payload: 'username=a', contentType: 'multipart/form-data' }), 400],
  ];
  for (const [what, body, status] of bad) {
    test(`a multipart login with ${what} answers ${status}`, async () => {
      const r = await send(h, 'POST', '/auth/jwt/login', await body());
      assert.equal(r.statusCode, status, r.body);
    });
  }

  test('a repeated multipart field is a list, as in an urlencoded form (422, not a silent pick)', async () => {
    const fd = new FormData();
    fd.append('username', 'a@example.com');
    fd.append('username', 'b@example.com');
    fd.append('password', PASSWORD);
    const res = new Response(fd);
    const r = await send(h, 'POST', '/auth/jwt/login', { payload: Buffer.from(await res.arrayBuffer()), contentType: res.headers.get('content-type')! });
    assert.equal(r.statusCode, 422);
  });

  test('/auth/jwt/refresh takes its refresh_token as JSON or as an urlencoded form', async () => {
    await h.register('refresh-types@example.com');
    const pair = async () => (await h.req({ method: 'POST', url: '/auth/jwt/login', form: { username: 'refresh-types@example.com', password: PASSWORD } })).json();
    const json = await h.req({ method: 'POST', url: '/auth/jwt/refresh', json: { refresh_token: (await pair()).refresh_token } });
    assert.equal(json.statusCode, 200, json.body);
    const form = await h.req({ method: 'POST', url: '/auth/jwt/refresh', form: { refresh_token: (await pair()).refresh_token } });
    assert.equal(form.statusCode, 200, form.body);
    const text = await send(h, 'POST', '/auth/jwt/refresh', { payload: 'x', contentType: 'text/plain' });
    assert.equal(text.statusCode, 415);
  });
});

onEveryDatabase('body media types: /openapi.json says what each route takes', (h) => {
  const CANDIDATES = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];
  const bodyOf = async (type: string) => (type === 'multipart/form-data' ? multipart({ x: '1' })
    : { payload: type === 'application/json' ? '{}' : 'x=1', contentType: type });

  test('every POST, PUT, PATCH and DELETE route answers 415 exactly to the media types its requestBody does not declare', async () => {
    const spec = (await h.req({ url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> } }>> };
    const admin = await h.withRole('walker@example.com', 'super_admin');
    const headers = { authorization: `Bearer ${admin.token}`, ...(await csrf(h)) };
    const mismatches: string[] = [];
    let checked = 0;
    for (const [path, ops] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (!['post', 'put', 'patch', 'delete'].includes(method)) continue;
        const declared = Object.keys(op.requestBody?.content ?? {});
        for (const d of declared) assert.ok(CANDIDATES.includes(d), `${method} ${path} declares ${d}, which this test does not try`);
        const url = path.replace('{provider}', 'github').replace('{id}', '00000000-0000-4000-8000-000000000000').replace('{sid}', '00000000-0000-4000-8000-000000000001');
        for (const type of CANDIDATES) {
          const r = await send(h, method.toUpperCase(), url, await bodyOf(type), headers);
          const accepted = r.statusCode !== 415;
          if (accepted !== declared.includes(type)) mismatches.push(`${method.toUpperCase()} ${path} ${type}: declared ${declared.includes(type)}, answered ${r.statusCode}`);
          checked++;
        }
      }
    }
    assert.deepEqual(mismatches, []);
    assert.ok(checked >= 4 * 20, `only ${checked} checks`);
  });

  test('the login routes declare the urlencoded and the multipart form, and nothing else', async () => {
    const spec = (await h.req({ url: '/openapi.json' })).json();
    for (const path of ['/auth/jwt/login', '/token', '/auth/cookie/login']) {
      assert.deepEqual(Object.keys(spec.paths[path].post.requestBody.content).sort(), ['application/x-www-form-urlencoded', 'multipart/form-data'], path);
    }
    assert.deepEqual(Object.keys(spec.paths['/auth/jwt/refresh'].post.requestBody.content).sort(), ['application/json', 'application/x-www-form-urlencoded']);
    assert.deepEqual(Object.keys(spec.paths['/auth/register'].post.requestBody.content), ['application/json']);
  });
});

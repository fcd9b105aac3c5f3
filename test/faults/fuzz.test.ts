// Malformed requests against every route (property-based, fast-check): the answer is a 4xx (or a 2xx when the
// input happens to be valid), never a 5xx, never a stack trace, and the server keeps serving.
// Reproduce a failure with the seed it prints: FUZZ_SEED=<seed> FUZZ_RUNS=<n> node --test test/faults/fuzz.test.ts
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { onEveryDatabase, PASSWORD, type Harness } from '../support/harness.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20_250_707);
const RUNS = Number(process.env.FUZZ_RUNS ?? 2500);

/** Routes that are not in /openapi.json. */
const EXTRA_ROUTES = [
  { method: 'GET', path: '/docs' }, { method: 'GET', path: '/docs/json' }, { method: 'GET', path: '/docs/static/{file}' },
  { method: 'GET', path: '/openapi.json' }, { method: 'GET', path: '/metrics' }, { method: 'GET', path: '/{anything}' },
];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
type Method = (typeof METHODS)[number];

/** A stack frame, a source path or a driver message in a body means internals leaked. */
const LEAK = /\n\s+at [^\n]*:\d+:\d+|node_modules|\/src\/[\w/-]+\.ts|SQLITE_|ECONNREFUSED|syntax error at or near/;

const ascii = (maxLength = 40) => fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength });
/** Strings that tend to break parsers: NUL, lone surrogates, encodings, traversal, prototype keys, numbers as text. */
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom('', '\u0000', 'a\u0000b', '%00', '%', '%zz', '%ff%fe', '..', '../../etc/passwd', '\ud800', '\uffff', '😀', '<script>', "' or 1=1 --",
    '__proto__', 'constructor', 'prototype', 'null', '-1', '1e999', 'NaN', 'a'.repeat(300), 'a@b.c', 'x'.repeat(5000)),
  fc.uuid(),
);
/** Percent-encodes every byte of the UTF-8 form (lone surrogates become U+FFFD), so the URL is valid on the wire. */
const encode = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`)).join('');
const segment = fc.oneof(nasty.map(encode), fc.constantFrom('%zz', '%ff', '%c0%af', '..', '.', '%2e%2e', '%00', ';a=b', '%2f'));

const query = fc.oneof(
  fc.constant(''),
  fc.array(fc.tuple(fc.oneof(nasty, fc.constantFrom('redirect_uri', 'code', 'state', 'limit', 'offset', 'type', 'user_id', 'token', 'access_token'))
    .map(encode), nasty.map(encode)), { maxLength: 6 }).map((pairs) => `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`),
  fc.constantFrom('?', '?&&==&', '?a[b]=c&a[]=d', '?%', '?limit=-1', '?limit=1e9', '?offset=abc', '?__proto__[x]=1', '?a=%ff%fe', '?x=%00'),
);

/** Keys the routes read, so wrong types reach the validators. */
const FIELD = fc.constantFrom('email', 'password', 'username', 'full_name', 'refresh_token', 'token', 'is_active', 'is_superuser', 'is_verified', 'role',
  'current_password', 'redirect_uri', 'code', 'state', 'code_verifier', 'id_token', 'access_token', 'grant_type', 'scope', 'client_id', '__proto__', 'constructor');
const jsonValue = fc.jsonValue({ maxDepth: 4 });

type Body = { payload?: string | Buffer; contentType?: string };
const body: fc.Arbitrary<Body> = fc.oneof(
  fc.constant({}),
  jsonValue.map((v) => ({ payload: JSON.stringify(v), contentType: 'application/json' })),
  fc.dictionary(FIELD, fc.oneof(jsonValue, nasty), { maxKeys: 5 }).map((o) => ({ payload: JSON.stringify(o), contentType: 'application/json' })),
  fc.record({ email: fc.oneof(nasty, fc.emailAddress()), password: fc.oneof(nasty, fc.constant(PASSWORD)) }).map((o) => ({ payload: JSON.stringify(o), contentType: 'application/json' })),
  fc.dictionary(FIELD, nasty, { maxKeys: 5 }).map((o) => ({ payload: new URLSearchParams(o).toString(), contentType: 'application/x-www-form-urlencoded' })),
  fc.integer({ min: 60_000, max: 70_000 }).map((n) => ({ payload: JSON.stringify({ email: 'a@b.c', password: 'p'.repeat(n) }), contentType: 'application/json' })),
  fc.integer({ min: 1, max: 30_000 }).map((d) => ({ payload: '['.repeat(d) + ']'.repeat(d), contentType: 'application/json' })),
  fc.integer({ min: 1, max: 10_000 }).map((d) => ({ payload: '{"email":'.repeat(d) + '1' + '}'.repeat(d), contentType: 'application/json' })),
  fc.uint8Array({ maxLength: 200 }).map((b) => ({ payload: Buffer.from(b), contentType: 'application/json' })),
  fc.uint8Array({ maxLength: 50 }).map((b) => ({ payload: Buffer.concat([Buffer.from('{"email":"'), Buffer.from(b), Buffer.from('@x.io","password":"correct horse battery"}')]), contentType: 'application/json' })),
  fc.uint8Array({ maxLength: 50 }).map((b) => ({ payload: Buffer.concat([Buffer.from('username=a%ff%fe'), Buffer.from(b), Buffer.from('&password=%00')]), contentType: 'application/x-www-form-urlencoded' })),
  fc.constantFrom<Body>(
    { payload: '', contentType: 'application/json' }, { payload: 'null', contentType: 'application/json' }, { payload: '{"__proto__":{"x":1}}', contentType: 'application/json' },
    { payload: '{"constructor":{"prototype":{"x":1}}}', contentType: 'application/json' }, { payload: '{"email":"a\u0000@b.c","password":"a\u0000b"}', contentType: 'application/json' },
    { payload: '{"email": "a@b.c", "password": 1e999}', contentType: 'application/json' }, { payload: '{', contentType: 'application/json' },
    { payload: 'email=a@b.c&email=c@d.e&password=x', contentType: 'application/x-www-form-urlencoded' }, { payload: '--x\r\n\r\n', contentType: 'multipart/form-data; boundary=x' },
  ),
  fc.tuple(ascii(200), ascii(60)).map(([payload, contentType]) => ({ payload, contentType })),
);
const contentType = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/json; charset=latin1', 'application/x-www-form-urlencoded', 'text/plain',
    'multipart/form-data; boundary=x', 'application/xml', '*/*', ';;;', 'application/json; charset', 'APPLICATION/JSON', 'application/vnd.api+json'),
  ascii(60),
);

/** Placeholders for the live tokens and user ids, filled in at run time (so shrinking still works). */
const USER = '{{user}}';
const ADMIN = '{{admin}}';
const ID = '{{id}}';
const authorization = fc.oneof(
  fc.constant(undefined), fc.constant(`Bearer ${USER}`), fc.constant(`Bearer ${ADMIN}`), fc.constant(`Bearer ${USER}x`), fc.constant('Bearer'),
  fc.constant('Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'), ascii(80).map((s) => `Bearer ${s}`), ascii(80).map((s) => `Basic ${Buffer.from(s).toString('base64')}`),
  fc.array(fc.base64String({ maxLength: 60 }), { minLength: 3, maxLength: 3 }).map((p) => `Bearer ${p.join('.').replace(/=/g, '')}`), ascii(80),
);
const cookie = fc.oneof(
  fc.constant(undefined), fc.constant(`gatehouse_access=${USER}`), fc.constant(`gatehouse_access=${ADMIN}; gatehouse_csrf=${ADMIN}`),
  ascii(40).map((s) => `gatehouse_access=${s}; gatehouse_refresh=${s}; gatehouse_csrf=${s}; gatehouse_oauth=${s}`), ascii(120),
);

interface Attempt {
  method: Method;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

function attempts(routes: { method: string; path: string }[]): fc.Arbitrary<Attempt> {
  const path = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...routes), fc.array(fc.oneof(segment, fc.constant(ID)), { minLength: 4, maxLength: 4 }))
      .map(([r, fill]) => ({ method: r.method as Method, path: r.path.replace(/\{[^}]+\}/g, () => fill.shift() ?? 'x') })) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...METHODS), fc.array(segment, { minLength: 1, maxLength: 5 })).map(([method, segs]) => ({ method, path: `/${segs.join('/')}` })) },
  );
  return fc.record({
    target: path, otherMethod: fc.option(fc.constantFrom(...METHODS), { freq: 8 }), query, body, contentType,
    authorization, cookie,
    extra: fc.dictionary(fc.constantFrom('x-csrf-token', 'origin', 'sec-fetch-site', 'x-request-id', 'accept', 'x-forwarded-for', 'content-encoding', 'content-length', 'transfer-encoding', 'accept-encoding'), ascii(60), { maxKeys: 3 }),
  }).map((a) => {
    const headers: Record<string, string> = { ...a.extra };
    const type = a.contentType ?? a.body.contentType;
    if (type !== undefined) headers['content-type'] = type;
    if (a.authorization !== undefined) headers.authorization = a.authorization;
    if (a.cookie !== undefined) headers.cookie = a.cookie;
    return { method: a.otherMethod ?? a.target.method, url: `${a.target.path}${a.query}`, headers, payload: a.body.payload };
  });
}

/** A logged-in user and a logged-in super admin, created again whenever a fuzzed request logged them out, renamed or deleted them. */
function actors(h: Harness) {
  let n = 0;
  const tokens = { user: '', admin: '' };
  const ids: string[] = [];
  const create = async (role: 'user' | 'super_admin') => {
    const email = `fuzz-${role}-${n++}@example.com`;
    const r = await h.req({ method: 'POST', url: '/auth/register', json: { email, password: PASSWORD } });
    assert.equal(r.statusCode, 201, r.body);
    const id = r.json().id as string;
    if (role !== 'user') await h.g.db.kysely.updateTable('users').set({ role }).where('id', '=', id).execute();
    ids.push(id);
    return h.login(email);
  };
  const alive = async (token: string) => token !== '' && (await h.req({ url: '/users/me', token })).statusCode === 200;
  return {
    tokens, ids,
    async refresh() {
      if (!(await alive(tokens.user))) tokens.user = await create('user');
      if (!(await alive(tokens.admin))) tokens.admin = await create('super_admin');
    },
  };
}

onEveryDatabase('fuzzing every route with malformed requests', (h) => {
  let routes: { method: string; path: string }[];
  let who: ReturnType<typeof actors>;

  before(async () => {
    const doc = (await h.req({ url: '/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    routes = [...Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => ({ method: m.toUpperCase(), path }))), ...EXTRA_ROUTES];
    assert.ok(routes.length > 30, `only ${routes.length} routes in /openapi.json`);
    who = actors(h);
    await who.refresh();
  });

  test('a JSON body nested 30,000 deep is answered 422 with the echoed input cut short, not 500 (found by this fuzzer)', async () => {
    for (const payload of ['['.repeat(30_000) + ']'.repeat(30_000), '{"token":'.repeat(6_000) + '1' + '}'.repeat(6_000)]) {
      const r = await h.g.app.inject({ method: 'POST', url: '/auth/verify', headers: { 'content-type': 'application/json' }, payload });
      assert.equal(r.statusCode, 422, r.body.slice(0, 300));
      assert.ok(r.body.length < 1000, `echoed ${r.body.length} bytes`);
    }
  });

  test('a NUL byte in a login\'s username or in full_name is a 422, not a 500 on PostgreSQL (found by this fuzzer)', async () => {
    for (const url of ['/auth/jwt/login', '/token']) {
      const r = await h.req({ method: 'POST', url, form: { grant_type: 'password', username: 'a\u0000b@example.com', password: PASSWORD } });
      assert.equal(r.statusCode, 422, r.body);
      assert.deepEqual(r.json().detail[0].loc, ['body', 'username']);
    }
    const r = await h.req({ method: 'POST', url: '/auth/register', json: { email: 'nul@example.com', password: PASSWORD, full_name: 'a\u0000b' } });
    assert.equal(r.statusCode, 422, r.body);
    assert.deepEqual(r.json().detail[0].loc, ['body', 'full_name']);
  });

  test(`${RUNS} malformed requests (seed ${SEED}): never a 5xx, never a stack trace; the server keeps serving`, { timeout: 60_000 }, async () => {
    const statuses = new Map<number, number>();
    const started = Date.now();
    const property = fc.asyncProperty(attempts(routes), async (a) => {
      // The tokens are filled in at run time: an earlier run may have logged them out.
      const fill = (s: string) => s.replaceAll(USER, who.tokens.user).replaceAll(ADMIN, who.tokens.admin).replaceAll(ID, who.ids.at(-1)!);
      const sample = { ...a, url: fill(a.url), headers: Object.fromEntries(Object.entries(a.headers).map(([k, v]) => [k, fill(v)])) };
      let r: LightMyRequestResponse;
      try {
        r = await h.g.app.inject({ method: sample.method, url: sample.url, headers: sample.headers, ...(sample.payload !== undefined ? { payload: sample.payload } : {}) });
      } catch (err) {
        // light-my-request refuses some inputs before they reach the server (as a real client would): not a server fault.
        if ((err as { code?: string }).code?.startsWith('ERR_') || err instanceof TypeError) return;
        throw err;
      }
      statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
      const what = `${sample.method} ${sample.url.slice(0, 300)} ${JSON.stringify(sample.headers).slice(0, 500)} body=${String(sample.payload ?? '').slice(0, 300)}`;
      assert.ok(r.statusCode < 500, `${r.statusCode} ${r.body.slice(0, 500)}\nfor ${what}`);
      assert.doesNotMatch(r.body, LEAK, `internals leaked for ${what}`);
      if (sample.method !== 'GET' && sample.method !== 'HEAD' && sample.headers.authorization?.startsWith('Bearer ') || sample.headers.cookie?.startsWith('gatehouse_access=')) await who.refresh();
    });
    const out = await fc.check(property, { seed: SEED, numRuns: RUNS, interruptAfterTimeLimit: 25_000 });
    if (out.failed) {
      assert.fail(`fuzzing failed (FUZZ_SEED=${SEED}, path ${out.counterexamplePath}, run ${out.numRuns}): ${(out.errorInstance as Error)?.message ?? out.errorInstance}`);
    }
    assert.equal((await h.req({ url: '/healthz' })).statusCode, 200);
    assert.equal((await h.req({ url: '/readyz' })).statusCode, 200);
    process.stderr.write(`# fuzz [${h.db}] ${RUNS} runs in ${Date.now() - started} ms, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}\n`);
  });
}, { METRICS: 'true' });

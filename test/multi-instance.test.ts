// Two real server processes on one PostgreSQL database, as behind a load balancer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtectedHeader } from 'jose';
import { testDatabases, type TestDatabase, describeOn } from './support/databases.ts';
import { PASSWORD } from './support/harness.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';
import { loadConfig } from '../src/config/config.ts';
import { openDatabase } from '../src/store/database.ts';
import { createKeyRing } from '../src/gatehouse.ts';
import { StoredKeyRing } from '../src/auth/keys/key-ring.ts';
import { TEST_SECRET } from './support/harness.ts';
import { within } from './support/within.ts';

const postgres = (await testDatabases()).find((d) => d.name === 'postgres');

const call = async (base: string, path: string, init: RequestInit & { token?: string } = {}) => {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  const r = await fetch(`${base}${path}`, { ...init, headers, signal: AbortSignal.timeout(10_000) });
  return { status: r.status, body: r.status === 204 ? null : await r.json() };
};

describeOn(postgres!, 'two instances on one PostgreSQL database', {}, () => {
  let a: ServerProcess;
  let b: ServerProcess;
  let db: Awaited<ReturnType<TestDatabase['create']>>;
  // Behind one load balancer: one public URL (and so one token issuer), one database. Each instance may answer
  // from its session cache for a minute: only the change feed (LISTEN/NOTIFY) can make the other one see a change.
  const env = () => ({ DATABASE_URL: db.url, JWT_ALGORITHM: 'EdDSA', PUBLIC_URL: 'http://127.0.0.1:8000', SESSION_CACHE_MS: '60000' });

  before(async () => {
    db = await postgres!.create();
    // Both start at once: migrations and the first signing key must not trip over each other.
    [a, b] = await Promise.all([startServerProcess(env()), startServerProcess(env())]);
  }, { timeout: 150_000 });

  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  test('register on A, log in on B, refresh on A, log out on B: the access token is refused on A within 1 s', { timeout: 30_000 }, async () => {
    assert.equal((await call(a.url, '/auth/register', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'roam@example.com', password: PASSWORD }) })).status, 201);
    const login = await call(b.url, '/auth/jwt/login', { method: 'POST', body: new URLSearchParams({ username: 'roam@example.com', password: PASSWORD }) });
    assert.equal(login.status, 200);
    const refreshed = await call(a.url, '/auth/jwt/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: login.body.refresh_token }) });
    assert.equal(refreshed.status, 200);
    const token = refreshed.body.access_token as string;
    assert.equal((await call(a.url, '/users/me', { token })).status, 200);
    assert.equal((await call(b.url, '/users/me', { token })).status, 200);
    assert.equal((await call(b.url, '/auth/jwt/logout', { method: 'POST', token })).status, 204);
    const took = await within(1000, async () => (await call(a.url, '/users/me', { token })).status === 401);
    assert.ok(took <= 1000, `still accepted on A after 1 s`);
    assert.equal((await call(a.url, '/auth/jwt/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: refreshed.body.refresh_token }) })).status, 401);
  });

  test('a profile change on B shows on A within 1 s, though A had the user cached', { timeout: 30_000 }, async () => {
    assert.equal((await call(a.url, '/auth/register', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'rename@example.com', password: PASSWORD }) })).status, 201);
    const login = await call(a.url, '/auth/jwt/login', { method: 'POST', body: new URLSearchParams({ username: 'rename@example.com', password: PASSWORD }) });
    const token = login.body.access_token as string;
    assert.equal((await call(a.url, '/users/me', { token })).body.full_name, null);
    const patched = await call(b.url, '/users/me', { method: 'PATCH', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ full_name: 'Renamed On B' }) });
    assert.equal(patched.status, 200);
    const took = await within(1000, async () => (await call(a.url, '/users/me', { token })).body.full_name === 'Renamed On B');
    assert.ok(took <= 1000, 'A still shows the old profile after 1 s');
  });

  test('a password change on A ends the other device\'s session on B within 1 s', { timeout: 30_000 }, async () => {
    assert.equal((await call(a.url, '/auth/register', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'two-devices@example.com', password: PASSWORD }) })).status, 201);
    const form = () => new URLSearchParams({ username: 'two-devices@example.com', password: PASSWORD });
    const laptop = (await call(a.url, '/auth/jwt/login', { method: 'POST', body: form() })).body.access_token as string;
    const phone = (await call(b.url, '/auth/jwt/login', { method: 'POST', body: form() })).body.access_token as string;
    assert.equal((await call(b.url, '/users/me', { token: phone })).status, 200);
    const changed = await call(a.url, '/users/me', { method: 'PATCH', token: laptop, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: `${PASSWORD} changed`, current_password: PASSWORD }) });
    assert.equal(changed.status, 200);
    const took = await within(1000, async () => (await call(b.url, '/users/me', { token: phone })).status === 401);
    assert.ok(took <= 1000, 'the phone is still logged in on B after 1 s');
  });

  test('both instances started at once agree on one signing key', async () => {
    const jwksA = (await call(a.url, '/.well-known/jwks.json')).body.keys.map((k: { kid: string }) => k.kid).sort();
    const jwksB = (await call(b.url, '/.well-known/jwks.json')).body.keys.map((k: { kid: string }) => k.kid).sort();
    assert.deepEqual(jwksA, jwksB);
  });

  test('a key rotated by `gatehouse keys rotate` signs on one instance and verifies on the other', { timeout: 30_000 }, async () => {
    await call(a.url, '/auth/register', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'rotate@example.com', password: PASSWORD }) });
    const conn = openDatabase(db.url);
    try {
      const ring = createKeyRing(loadConfig({ APP_SECRET: TEST_SECRET, JWT_ALGORITHM: 'EdDSA', DATABASE_URL: db.url, NODE_ENV: 'test' }, { dotenv: false }), conn) as StoredKeyRing;
      const kid = await ring.rotate();
      // B learns of the new key when it meets its kid; A would within a minute. Log in on a fresh instance C to sign with it.
      const c = await startServerProcess(env());
      try {
        const login = await call(c.url, '/auth/jwt/login', { method: 'POST', body: new URLSearchParams({ username: 'rotate@example.com', password: PASSWORD }) });
        assert.equal(decodeProtectedHeader(login.body.access_token).kid, kid);
        assert.equal((await call(b.url, '/users/me', { token: login.body.access_token })).status, 200);
      } finally {
        await c.stop();
      }
    } finally {
      await conn.close();
    }
  });

  test('SIGTERM: each instance stops cleanly with exit code 0', { timeout: 30_000 }, async () => {
    assert.deepEqual(await Promise.all([a.stop(), b.stop()]), [0, 0]);
  });
});

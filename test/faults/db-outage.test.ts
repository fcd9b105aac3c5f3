// The database goes away under a running server and comes back: the same process recovers without a restart.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD } from '../support/harness.ts';
import { pgBinariesAvailable, startPgCluster, type PgCluster } from '../support/pg-cluster.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { within } from '../support/within.ts';

const call = async (base: string, path: string, init: RequestInit & { token?: string; json?: unknown } = {}) => {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  if (init.json !== undefined) headers.set('content-type', 'application/json');
  const body = init.json !== undefined ? JSON.stringify(init.json) : init.body;
  const r = await fetch(`${base}${path}`, { ...init, body, headers, signal: AbortSignal.timeout(10_000) });
  const text = await r.text();
  return { status: r.status, retryAfter: r.headers.get('retry-after'), text, body: text ? JSON.parse(text) : null };
};

describe('PostgreSQL stops under a running server and starts again', { skip: !pgBinariesAvailable() && 'PostgreSQL binaries are not installed', timeout: 120_000 }, () => {
  let cluster: PgCluster;
  let server: ServerProcess;
  let token: string;

  before(async () => {
    cluster = await startPgCluster();
    server = await startServerProcess({ DATABASE_URL: cluster.url, DB_POOL_SIZE: '4' });
    assert.equal((await call(server.url, '/auth/register', { method: 'POST', json: { email: 'outage@example.com', password: PASSWORD } })).status, 201);
    const login = await call(server.url, '/auth/jwt/login', { method: 'POST', body: new URLSearchParams({ username: 'outage@example.com', password: PASSWORD }) });
    assert.equal(login.status, 200);
    token = login.body.access_token;
  }, { timeout: 90_000 });

  after(async () => {
    await server?.stop();
    await cluster?.destroy();
  });

  test('while it is down: liveness 200, readiness and data routes 503 SERVICE_UNAVAILABLE with Retry-After, no stack trace', { timeout: 60_000 }, async () => {
    await cluster.stop();
    assert.equal((await call(server.url, '/healthz')).status, 200);
    const down = [
      await call(server.url, '/readyz'),
      await call(server.url, '/users/me', { token }),
      await call(server.url, '/auth/register', { method: 'POST', json: { email: 'during@example.com', password: PASSWORD } }),
      await call(server.url, '/auth/jwt/login', { method: 'POST', body: new URLSearchParams({ username: 'outage@example.com', password: PASSWORD }) }),
    ];
    for (const r of down) {
      assert.equal(r.status, 503, r.text);
      assert.ok(Number(r.retryAfter) > 0, `Retry-After is ${r.retryAfter}`);
      assert.deepEqual(r.body, { detail: 'SERVICE_UNAVAILABLE' });
      assert.doesNotMatch(r.text, /\bat \S+ \(|ECONNREFUSED|stack/i);
    }
    assert.equal(server.child.exitCode, null, 'the server process is still running');
  });

  test('once it is back: the same process answers 200 again within 5 s, for readiness and for data', { timeout: 60_000 }, async () => {
    const pid = server.child.pid;
    await cluster.start();
    const took = await within(5_000, async () => (await call(server.url, '/readyz')).status === 200);
    assert.ok(took <= 5_000, 'still not ready 5 s after PostgreSQL came back');
    assert.equal((await call(server.url, '/users/me', { token })).status, 200);
    assert.equal((await call(server.url, '/auth/register', { method: 'POST', json: { email: 'after@example.com', password: PASSWORD } })).status, 201);
    assert.equal((await call(server.url, '/auth/jwt/login', { method: 'POST', body: new URLSearchParams({ username: 'after@example.com', password: PASSWORD }) })).status, 200);
    assert.equal(server.child.pid, pid);
    assert.equal(server.child.exitCode, null, 'never restarted');
  });
});

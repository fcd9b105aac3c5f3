// SIGTERM while requests are in flight: they finish, new connections are refused, the process exits 0.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { testDatabases, type TestDatabase, describeOn } from '../support/databases.ts';
import { PASSWORD } from '../support/harness.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';

/** Logins in flight when SIGTERM arrives; each one costs a default-cost argon2 verification on one hashing thread. */
const IN_FLIGHT = 12;

/** Sends a login and resolves `sent` once the whole request has been written, `done` with the status. */
function login(url: string, email: string): { sent: Promise<void>; done: Promise<number | string> } {
  const body = new URLSearchParams({ username: email, password: PASSWORD }).toString();
  let onSent!: () => void;
  const sent = new Promise<void>((r) => { onSent = r; });
  const done = new Promise<number | string>((resolve) => {
    const req = request(`${url}/auth/jwt/login`, {
      method: 'POST', agent: false, timeout: 15_000,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', (err) => resolve(`${err.message} at ${Date.now()}`));
    req.on('timeout', () => req.destroy(new Error('login timed out')));
    req.on('finish', onSent);
    req.end(body);
  });
  return { sent, done };
}

/** Resolves with the connect error code, or 'connected'. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.setTimeout(2000, () => { s.destroy(); resolve('timeout'); });
    s.once('connect', () => { s.destroy(); resolve('connected'); });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

const databases = await testDatabases();

for (const database of databases) {
  describeOn(database, `SIGTERM with requests in flight [${database.name}]`, { timeout: 90_000 }, () => {
    let db: Awaited<ReturnType<TestDatabase['create']>>;
    let server: ServerProcess;

    before(async () => {
      db = await database.create();
      server = await startServerProcess({ DATABASE_URL: db.url, ARGON2_MEMORY_KIB: '19456', ARGON2_ITERATIONS: '2', HASH_WORKERS: '1' });
      const r = await fetch(`${server.url}/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'term@example.com', password: PASSWORD }) });
      assert.equal(r.status, 201);
    }, { timeout: 60_000 });

    after(async () => {
      await server?.stop(0);
      await db?.drop();
    });

    test('every login sent before SIGTERM completes with 200, new connections are refused, and the exit code is 0', { timeout: 30_000 }, async () => {
      const port = Number(new URL(server.url).port);
      const logins = Array.from({ length: IN_FLIGHT }, () => login(server.url, 'term@example.com'));
      await Promise.all(logins.map((l) => l.sent));
      // The server accepts connections in order: once a later connection is answered, the logins have been taken in
      // (a connection still in the kernel's accept queue when the listener closes is reset: it was never received).
      await new Promise<void>((resolve, reject) => request(`${server.url}/healthz`, { agent: false }, (res) => res.resume().on('end', resolve)).on('error', reject).end());
      await new Promise((r) => setTimeout(r, 50));
      const exited = new Promise<number | null>((r) => server.child.once('exit', (code) => r(code)));
      const termAt = Date.now();
      server.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 150));
      const probe = await tryConnect(port);
      const statuses = await Promise.all(logins.map((l) => l.done));
      const code = await exited;
      assert.deepEqual(statuses, Array(IN_FLIGHT).fill(200), `exit ${code}\n${server.output()}`);
      assert.equal(probe, 'ECONNREFUSED', 'a new connection after SIGTERM');
      assert.equal(code, 0, server.output());
      assert.ok(Date.now() - termAt < 10_000, 'stopped within the grace period');
    });
  });
}

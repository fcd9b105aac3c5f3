// `gatehouse serve --workers N`: several processes behind one port (node:cluster), on one PostgreSQL database.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { testDatabases, type TestDatabase, describeOn } from './support/databases.ts';
import { PASSWORD } from './support/harness.ts';
import { startCluster, type ServerProcess } from './support/server-process.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const postgres = (await testDatabases()).find((d) => d.name === 'postgres');

function loginOnNewConnection(base: string): Promise<number> {
  const body = new URLSearchParams({ username: 'cluster@example.com', password: PASSWORD }).toString();
  return new Promise((resolve, reject) => {
    const req = request(`${base}/auth/jwt/login`, { method: 'POST', agent: false, timeout: 10_000, headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describeOn(postgres!, 'serve --workers 2', {}, () => {
  let db: Awaited<ReturnType<TestDatabase['create']>>;
  let server: ServerProcess;

  before(async () => {
    db = await postgres!.create();
    server = await startCluster({ DATABASE_URL: db.url }, 2);
  }, { timeout: 120_000 });
  after(async () => {
    await server?.stop();
    await db?.drop();
  });

  test('two worker processes serve the port; a user registered through one logs in through the other', { timeout: 30_000 }, async () => {
    const r = await fetch(`${server.url}/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'cluster@example.com', password: PASSWORD }) });
    assert.equal(r.status, 201);
    // Each login on a fresh connection (the primary hands connections to the workers in turn); every one must work.
    for (let i = 0; i < 8; i++) assert.equal(await loginOnNewConnection(server.url), 200);
    const pids = new Set([...server.output().matchAll(/"pid":(\d+)[^\n]*"msg":"request"/g)].map((m) => m[1]));
    assert.equal(pids.size, 2, `requests were served by ${pids.size} process(es)`);
    assert.doesNotMatch(server.output(), /SQLite with --workers/, 'PostgreSQL carries changes between workers: no warning');
  });

  test('SIGTERM stops the workers and the primary with exit code 0', { timeout: 30_000 }, async () => {
    assert.equal(await server.stop(20_000), 0);
    assert.match(server.output(), /all workers stopped/);
  });
});

describe('serve --workers 2 on SQLite', () => {
  test('warns at start that a revocation reaches the other workers only after SESSION_CACHE_MS', { timeout: 150_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-workers-'));
    const server = await startCluster({ DATABASE_URL: `sqlite:///${join(dir, 'g.db')}` }, 2);
    try {
      const warning = server.output().split('\n').find((l) => l.includes('SQLite with --workers'));
      assert.ok(warning, server.output());
      assert.equal(JSON.parse(warning).level, 40, 'a warning');
      assert.match(JSON.parse(warning).msg, /only after SESSION_CACHE_MS \(500 ms\); use PostgreSQL, or SESSION_CACHE_MS=0/);
    } finally {
      assert.equal(await server.stop(20_000), 0);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

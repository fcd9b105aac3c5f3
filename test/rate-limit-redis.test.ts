// Rate limits shared by two real server processes through Redis (REDIS_URL), against per-process counters.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';
import { PASSWORD } from './support/harness.ts';

const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

async function redisReachable(): Promise<string | undefined> {
  const r = new Redis(REDIS, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000, enableOfflineQueue: false });
  r.on('error', () => {});
  try {
    await r.connect();
    await r.ping();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  } finally {
    r.disconnect();
  }
}
const why = await redisReachable();
if (why && process.env.CI) throw new Error(`Redis at ${REDIS} is unreachable (${why}): CI requires it`);
if (why) process.stderr.write(`\n!!! Redis at ${REDIS} is unreachable (${why}): the shared rate-limit tests are SKIPPED.\n\n`);

const register = (base: string, email: string) => fetch(`${base}/auth/register`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }), signal: AbortSignal.timeout(10_000),
});

// A skipped describe() is not counted in the runner's summary; this skipped test is.
if (why) test('rate limits across two processes', { skip: `Redis at ${REDIS} is unreachable (${why})` }, () => {});
describe('rate limits across two processes', { skip: why !== undefined && 'Redis is unreachable' }, () => {
  let dir: string;
  const running: ServerProcess[] = [];
  const start = async (env: Record<string, string>) => {
    const p = await startServerProcess({ DATABASE_URL: `sqlite:///${join(dir, 'shared.db')}`, RATE_LIMITS: 'true', RATE_LIMIT_REGISTER_IP: '3/1m', ...env });
    running.push(p);
    return p;
  };

  before(() => { dir = mkdtempSync(join(tmpdir(), 'gatehouse-redis-')); });
  after(async () => {
    await Promise.all(running.map((p) => p.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  test('with REDIS_URL the two count together: the 4th registration from one IP is refused by either', { timeout: 150_000 }, async () => {
    const env = { REDIS_URL: REDIS, REDIS_KEY_PREFIX: `gatehouse-test-${randomBytes(4).toString('hex')}:` };
    const [a, b] = [await start(env), await start(env)];
    const statuses = [];
    for (const [i, p] of [a, b, a, b, a].entries()) statuses.push((await register(p!.url, `shared-${i}@example.com`)).status);
    assert.deepEqual(statuses, [201, 201, 201, 429, 429]);
    const r = await register(b.url, 'shared-9@example.com');
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
    assert.deepEqual(await r.json(), { detail: 'RATE_LIMITED' });
  });

  test('without Redis each process counts alone (which is why several instances want REDIS_URL)', { timeout: 150_000 }, async () => {
    const [a, b] = [await start({}), await start({})];
    const statuses = [];
    for (const [i, p] of [a, b, a, b, a, b, a].entries()) statuses.push((await register(p!.url, `alone-${i}@example.com`)).status);
    assert.deepEqual(statuses, [201, 201, 201, 201, 201, 201, 429]);
  });

  test('if Redis cannot be reached, requests are let through and the failure is logged', { timeout: 90_000 }, async () => {
    const p = await start({ REDIS_URL: 'redis://127.0.0.1:1/0', LOG_LEVEL: 'error' });
    assert.equal((await register(p.url, 'no-redis@example.com')).status, 201);
    await new Promise((r) => setTimeout(r, 200));
    assert.match(p.output(), /rate-limit counters unreachable/);
  });
});

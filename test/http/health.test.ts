import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { onEveryDatabase, testConfig } from '../support/harness.ts';
import { createGatehouse } from '../../src/gatehouse.ts';

onEveryDatabase('health', (h) => {
  test('/healthz answers while the process lives; /readyz when the database answers and is migrated', async () => {
    assert.deepEqual((await h.req({ url: '/healthz' })).json(), { status: 'ok' });
    const ready = await h.req({ url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { status: 'ready' });
  });
});

test('with PostgreSQL unreachable: liveness 200, readiness and data routes 503 with Retry-After, no stack trace', async () => {
  // Port 1 on loopback: nothing listens there, so connections are refused at once.
  const g = await createGatehouse(testConfig('postgres://gatehouse:gatehouse@127.0.0.1:1/none'), { migrate: false });
  after(() => g.close());
  assert.equal((await g.app.inject('/healthz')).statusCode, 200);
  for (const r of [
    await g.app.inject('/readyz'),
    await g.app.inject({ method: 'POST', url: '/auth/register', payload: { email: 'x@example.com', password: 'long enough password' } }),
  ]) {
    assert.equal(r.statusCode, 503);
    assert.equal(r.headers['retry-after'], '5');
    assert.deepEqual(r.json(), { detail: 'SERVICE_UNAVAILABLE' });
  }
});

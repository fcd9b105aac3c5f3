// A bounded password-hashing queue: a burst of logins larger than the queue gets some 503s with Retry-After at once,
// never a hang, and the pool keeps working afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onEveryDatabase, PASSWORD } from '../support/harness.ts';

onEveryDatabase('logins beyond the hash queue', (h) => {
  test('ten logins at once on one thread with room for two waiting: some 503 + Retry-After, the rest 200, then a login works', async () => {
    await h.register('burst@example.com');
    const login = () => h.req({ method: 'POST', url: '/auth/jwt/login', form: { username: 'burst@example.com', password: PASSWORD } });
    const answers = await Promise.all(Array.from({ length: 10 }, login));
    const statuses = answers.map((r) => r.statusCode).sort();
    assert.ok(statuses.every((s) => s === 200 || s === 503), `only 200 and 503: ${statuses}`);
    const refused = answers.filter((r) => r.statusCode === 503);
    // One hash runs, two wait, and each takes far longer than the ten requests take to arrive.
    assert.ok(refused.length >= 1 && refused.length <= 7, `${refused.length} of 10 refused`);
    for (const r of refused) {
      assert.equal(r.headers['retry-after'], '30');
      assert.deepEqual(r.json(), { detail: { code: 'SERVICE_UNAVAILABLE', reason: 'the password-hashing queue is full' } });
    }
    assert.equal((await login()).statusCode, 200, 'the queue drained');
  });
}, { HASH_WORKERS: '1', HASH_QUEUE_MAX: '2', HASH_QUEUE_TIMEOUT_MS: '30000', ARGON2_MEMORY_KIB: '65536', ARGON2_ITERATIONS: '4' });

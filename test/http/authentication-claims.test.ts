import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { onEveryDatabase, PASSWORD } from '../support/harness.ts';

onEveryDatabase('access tokens say how and when the user authenticated (RFC 8176 amr, auth_time)', (h) => {
  test('a password login carries amr ["pwd"] and auth_time = the login; a refresh carries both forward unchanged', async (t) => {
    await h.register('amr@example.com');
    const before = Math.floor(Date.now() / 1000);
    const r = await h.req({ method: 'POST', url: '/auth/jwt/login', form: { username: 'amr@example.com', password: PASSWORD } });
    const first = decodeJwt(r.json().access_token);
    assert.deepEqual(first.amr, ['pwd']);
    assert.ok(typeof first.auth_time === 'number' && first.auth_time >= before && first.auth_time <= Math.floor(Date.now() / 1000));

    // Later, a refresh: a new token, the same authentication (a refresh never renews the proof).
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() + 120_000 });
    const refreshed = await h.req({ method: 'POST', url: '/auth/jwt/refresh', json: { refresh_token: r.json().refresh_token } });
    assert.equal(refreshed.statusCode, 200);
    const second = decodeJwt(refreshed.json().access_token);
    assert.ok(second.iat! > first.iat!);
    assert.deepEqual(second.amr, ['pwd']);
    assert.equal(second.auth_time, first.auth_time);
  });

  test('the session row records the same amr and auth_time', async () => {
    const { id } = await h.register('row@example.com');
    const token = await h.login('row@example.com');
    const claims = decodeJwt(token);
    const session = (await h.g.sessions.list(id)).find((s) => s.id === claims.sid)!;
    assert.deepEqual(session.amr, ['pwd']);
    assert.equal(Math.floor(Date.parse(session.authTime) / 1000), claims.auth_time);
  });
});

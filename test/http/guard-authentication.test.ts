import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { onEveryDatabase } from '../support/harness.ts';
import type { RouteContext } from '../../src/http/context.ts';

/** An app's own routes guarded by how the user authenticated. */
async function routes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  app.get('/fresh', { onRequest: ctx.guards.user({ maxAge: 60 }) }, async () => ({ ok: true }));
  app.get('/mfa-only', { onRequest: ctx.guards.user({ mfa: true }) }, async () => ({ ok: true }));
}

onEveryDatabase('guards.user({ maxAge, mfa })', (h) => {
  test('maxAge lets a fresh login through and asks an older one to re-authenticate, with RFC 9470\'s challenge on a 403', async (t) => {
    const { token } = await h.user('fresh@example.com');
    assert.equal((await h.req({ url: '/fresh', token })).statusCode, 200);
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() + 61_000 });
    const r = await h.req({ url: '/fresh', token });
    assert.equal(r.statusCode, 403);
    assert.deepEqual(r.json(), { detail: 'REAUTHENTICATION_REQUIRED' });
    assert.match(String(r.headers['www-authenticate']), /^Bearer error="insufficient_user_authentication", .*max_age=60$/);
  });

  test('mfa refuses a password-only session', async () => {
    const { token } = await h.user('pwd-only@example.com');
    const r = await h.req({ url: '/mfa-only', token });
    assert.equal(r.statusCode, 403);
    assert.match(String(r.headers['www-authenticate']), /insufficient_user_authentication/);
  });
}, {}, { plugins: [routes] });

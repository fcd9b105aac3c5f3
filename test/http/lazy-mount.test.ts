// A plugin mounted on first use (src/http/lazy-mount.ts; Swagger UI is one: test/http/docs.test.ts): a load that fails
// answers the registry's 500, without a stack trace, and the next request loads it again; its routes' errors are
// answered by the app's error handler, as any route's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { onEveryDatabase } from '../support/harness.ts';
import { lazyMount } from '../../src/http/lazy-mount.ts';
import { AppError } from '../../src/errors.ts';

/** What the next load does; each suite (one per database) sets it before its first request. */
const next = { fail: false, loads: 0 };

async function plugin(instance: FastifyInstance): Promise<void> {
  next.loads++;
  if (next.fail) {
    next.fail = false;
    throw new Error('Cannot find module \'/srv/app/node_modules/some-plugin/index.js\'');
  }
  instance.get('/lazy/ok', async () => ({ ok: true }));
  instance.get('/lazy/forbidden', async () => { throw new AppError('Forbidden'); });
  instance.get('/lazy/broken', async () => { throw new Error('connection string postgres://user:secret@db'); });
}

const mount = async (scope: FastifyInstance) => lazyMount(scope, { name: 'a test plugin', prefix: '/lazy', urls: ['/ok', '/forbidden', '/broken'], plugin });

onEveryDatabase('A plugin mounted on first use', (h) => {
  test('a load that fails answers the registry\'s 500 without details, and the next request loads it again', async () => {
    Object.assign(next, { fail: true, loads: 0 });
    const failed = await h.req({ url: '/lazy/ok' });
    assert.equal(failed.statusCode, 500);
    assert.deepEqual(failed.json(), { detail: 'Internal Server Error' });
    assert.doesNotMatch(failed.body, /node_modules|some-plugin|\n\s+at /);
    const retried = await h.req({ url: '/lazy/ok' });
    assert.equal(retried.statusCode, 200);
    assert.deepEqual(retried.json(), { ok: true });
    assert.equal((await h.req({ url: '/lazy/ok' })).statusCode, 200);
    assert.equal(next.loads, 2, 'loaded once after the failure, then kept');
  });

  test('its routes\' errors are answered as any route\'s: a registry error as itself, anything else as a 500 without details', async () => {
    const forbidden = await h.req({ url: '/lazy/forbidden' });
    assert.equal(forbidden.statusCode, 403);
    assert.deepEqual(forbidden.json(), { detail: 'Forbidden' });
    const broken = await h.req({ url: '/lazy/broken' });
    assert.equal(broken.statusCode, 500);
    assert.deepEqual(broken.json(), { detail: 'Internal Server Error' });
  });

  test('its paths take GET and HEAD only, as the plugin\'s own routes: another method is 405', async () => {
    const r = await h.req({ method: 'POST', url: '/lazy/ok', json: {} });
    assert.equal(r.statusCode, 405);
    assert.equal(r.headers.allow, 'GET, HEAD');
  });
}, {}, { plugins: [mount] });

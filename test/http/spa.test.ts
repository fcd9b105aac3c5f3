// The web app at /: its files, index.html for its pages (reloads, links from mails), strict headers, and the API's
// JSON 404 left intact. Runs against a stand-in build in a temporary folder, so it needs no `npm run build:web`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { installErrorHandler } from '../../src/http/error-handler.ts';
import { registerSpa } from '../../src/http/spa.ts';

const INDEX = '<!doctype html><title>Gatehouse</title><div id="root"></div><script type="module" src="/assets/index-abc123.js"></script>';

describe('the web app at /', () => {
  let dir: string;
  let app: FastifyInstance;
  const get = (url: string, accept?: string) => app.inject({ method: 'GET', url, headers: accept ? { accept } : {} });
  const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'; // what a browser's navigation sends

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-spa-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), INDEX);
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(dir, '.env'), 'SECRET=1');
    app = Fastify();
    installErrorHandler(app);
    app.get('/users/me', async () => ({ id: 'me' }));
    app.get('/users/:id', async (req) => ({ id: (req.params as { id: string }).id }));
    assert.equal(await registerSpa(app, { root: dir }), true);
    await app.ready();
  });

  after(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('/ is the app, with a strict Content-Security-Policy and no caching of the page itself', async () => {
    const r = await get('/');
    assert.equal(r.statusCode, 200);
    assert.match(r.headers['content-type'] as string, /^text\/html/);
    assert.equal(r.body, INDEX);
    const csp = r.headers['content-security-policy'] as string;
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(r.headers['referrer-policy'], 'no-referrer', 'reset and verify links carry a token in the URL');
    assert.equal(r.headers['x-frame-options'], 'DENY');
    assert.equal(r.headers['cache-control'], 'no-cache');
  });

  test('the app\'s pages open from a reload or a mail link: index.html for a browser\'s GET', async () => {
    for (const url of ['/login', '/profile', '/manage/users/42', '/verify?token=abc', '/reset-password?token=x.y']) {
      const r = await get(url, HTML);
      assert.equal(r.statusCode, 200, url);
      assert.equal(r.body, INDEX, url);
      assert.ok(r.headers['content-security-policy'], url);
    }
  });

  test('hashed assets are cached for a year; other files are served as they are', async () => {
    const js = await get('/assets/index-abc123.js');
    assert.equal(js.statusCode, 200);
    assert.match(js.headers['content-type'] as string, /javascript/);
    assert.match(js.headers['cache-control'] as string, /max-age=31536000.*immutable/);
    const icon = await get('/favicon.svg');
    assert.equal(icon.statusCode, 200);
    assert.match(icon.headers['content-type'] as string, /svg/);
  });

  test('API routes win, and unknown API paths (or non-browser requests) keep the JSON 404', async () => {
    assert.deepEqual((await get('/users/me', HTML)).json(), { id: 'me' });
    assert.deepEqual((await get('/users/7', HTML)).json(), { id: '7' });
    for (const [url, accept] of [['/profile', 'application/json'], ['/profile', undefined], ['/auth/nope', HTML], ['/users/me/nope', HTML],
      ['/admin/nope', HTML], ['/.well-known/nope', HTML], ['/assets/missing.js', '*/*']] as const) {
      const r = await get(url, accept);
      assert.equal(r.statusCode, 404, `${url} ${accept}`);
      assert.deepEqual(r.json(), { detail: 'Not Found' }, `${url} ${accept}`);
    }
    const post = await app.inject({ method: 'POST', url: '/profile', headers: { accept: HTML } });
    assert.equal(post.statusCode, 404);
  });

  test('nothing outside the build, and no dot-files, is ever served', async () => {
    for (const url of ['/.env', '/assets/..%2f.env', '/..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/%00.js', '/%E0%A4%A']) {
      const r = await get(url, '*/*');
      assert.equal(r.statusCode === 404 || r.statusCode === 400, true, `${url}: ${r.statusCode}`);
      assert.doesNotMatch(r.body, /SECRET|root:/, url);
    }
  });

  test('without a build there is nothing to serve, and registerSpa says so', async () => {
    const bare = Fastify();
    try {
      assert.equal(await registerSpa(bare, { root: join(dir, 'nowhere') }), false);
    } finally {
      await bare.close();
    }
  });
});

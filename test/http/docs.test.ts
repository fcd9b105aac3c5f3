// Swagger UI at /docs is loaded by its first request, not at start (src/http/docs.ts, lazy-mount.ts); loaded, it answers
// as it did when it was registered at start. test/http/openapi.test.ts and security-headers.test.ts test the page itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import pino from 'pino';
import { parse } from 'yaml';
import { onEveryDatabase, testEnv } from '../support/harness.ts';
import { DOCS_OPTIONS, DOCS_URLS } from '../../src/http/docs.ts';

const SRC = join(import.meta.dirname, '..', '..', 'src');

/** Starts Gatehouse in a process of its own, asks it whether Swagger UI's modules are loaded, then opens /docs/. */
function startAndOpenDocs(databaseUrl: string): Promise<{ atStart: boolean; status: number; afterFirstRequest: boolean }> {
  const child = `
    import { createRequire } from 'node:module';
    import { loadConfig } from ${JSON.stringify(pathToFileURL(join(SRC, 'config', 'config.ts')).href)};
    import { createGatehouse } from ${JSON.stringify(pathToFileURL(join(SRC, 'gatehouse.ts')).href)};
    const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes('/node_modules/@fastify/swagger-ui/'));
    const g = await createGatehouse(loadConfig(JSON.parse(process.env.GATEHOUSE_TEST_ENV), { dotenv: false }));
    await g.app.ready();
    const atStart = loaded();
    const page = await g.app.inject({ url: '/docs/' });
    process.stdout.write(JSON.stringify({ atStart, status: page.statusCode, afterFirstRequest: loaded() }));
    await g.close();
  `;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', child], { env: { ...process.env, GATEHOUSE_TEST_ENV: JSON.stringify(testEnv(databaseUrl)) }, timeout: 60_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout))));
  });
}

/** One request over a real connection, its path sent as it is (fetch and inject resolve "..", as a browser does). */
function rawGet(port: number, path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString('utf8'); });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    }).on('error', reject).end();
  });
}

const lines: string[] = [];
const logger = pino({ level: 'info' }, new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } }));
const loads = () => lines.filter((l) => l.includes('"Swagger UI loaded on first use"')).length;

test('Gatehouse mounts every path Swagger UI serves under /docs, and no other', async () => {
  const app = Fastify();
  const urls: string[] = [];
  app.addHook('onRoute', (route) => { if (route.url.startsWith('/docs')) urls.push(route.url.slice('/docs'.length) || '/'); });
  await app.register(swagger, { openapi: { openapi: '3.1.0' } });
  await app.register(swaggerUi, DOCS_OPTIONS);
  await app.ready();
  assert.deepEqual(new Set(urls.map((u) => (u === '/' ? u : u.replace(/\/$/, '')))), new Set(DOCS_URLS));
  await app.close();
});

onEveryDatabase('Swagger UI, loaded on first use', (h) => {
  test('a started Gatehouse has not loaded Swagger UI; the first request to /docs loads it and gets the page', { timeout: 60_000 }, async () => {
    assert.deepEqual(await startAndOpenDocs(h.config.databaseUrl), { atStart: false, status: 200, afterFirstRequest: true });
  });

  test('two first requests at the same time both get their answer, and Swagger UI is loaded once', async () => {
    const before = loads(); // this suite's Gatehouse has not had a request to /docs yet (the one above ran in a process of its own)
    const [page, json] = await Promise.all([h.req({ url: '/docs/' }), h.req({ url: '/docs/json' })]);
    assert.equal(page.statusCode, 200);
    assert.match(page.headers['content-type'] as string, /^text\/html/);
    assert.equal(json.statusCode, 200);
    assert.equal((await h.req({ url: '/docs/static/swagger-initializer.js' })).statusCode, 200);
    assert.equal(loads() - before, 1);
  });

  test('/docs/json is the document of /openapi.json, and /docs/yaml the same document in YAML', async () => {
    const document = (await h.req({ url: '/openapi.json' })).json();
    const json = await h.req({ url: '/docs/json' });
    assert.match(json.headers['content-type'] as string, /^application\/json/);
    assert.deepEqual(json.json(), document);
    const yaml = await h.req({ url: '/docs/yaml' });
    assert.equal(yaml.headers['content-type'], 'application/x-yaml');
    assert.deepEqual(parse(yaml.body, { maxAliasCount: -1 }), document); // the document's shared schemas are YAML aliases
  });

  test('HEAD answers with the headers of GET and no body', async () => {
    for (const url of ['/docs', '/docs/', '/docs/json', '/docs/static/swagger-ui.css']) {
      const get = await h.req({ url });
      const head = await h.req({ method: 'HEAD', url });
      assert.equal(head.statusCode, 200, url);
      assert.equal(head.body, '', url);
      const omit = ({ date: _d, 'x-request-id': _id, ...rest }: Record<string, unknown>) => rest;
      assert.deepEqual(omit(head.headers), omit(get.headers), url);
      assert.equal(Number(head.headers['content-length']), get.rawPayload.length, url);
    }
  });

  test('its files keep their cache validators: a conditional request answers 304 without a body', async () => {
    const file = await h.req({ url: '/docs/static/swagger-ui.css' });
    assert.equal(file.headers['cache-control'], 'public, max-age=0');
    assert.match(file.headers['content-type'] as string, /^text\/css/);
    assert.equal(file.headers['content-security-policy'], DOCS_OPTIONS.staticCSP);
    const again = await h.req({ url: '/docs/static/swagger-ui.css', headers: { 'if-none-match': file.headers.etag as string } });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, '');
  });

  test('a file Swagger UI does not have is the API\'s 404, under the page\'s CSP', async () => {
    const r = await h.req({ url: '/docs/static/nope.js' });
    assert.equal(r.statusCode, 404);
    assert.deepEqual(r.json(), { detail: 'Not Found' });
    assert.equal(r.headers['content-security-policy'], DOCS_OPTIONS.staticCSP);
    assert.equal(r.headers['cache-control'], 'no-store');
    // A trailing slash after one of its paths: the API's 307 to that path, as for any route.
    const slash = await h.req({ url: '/docs/static/index.html/' });
    assert.equal(slash.statusCode, 307);
    assert.equal(slash.headers.location, '/docs/static/index.html');
  });

  test('a path with ".." reaches Swagger UI\'s files as the client sent it, and is refused', async () => {
    await h.g.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = h.g.app.server.address() as AddressInfo;
    for (const path of ['/docs/static/../json', '/docs/static/%2e%2e/package.json']) {
      const r = await rawGet(port, path);
      assert.equal(r.status, 403, path);
      assert.deepEqual(JSON.parse(r.body), { detail: 'BAD_REQUEST' }, path);
    }
  });
}, {}, { logger });

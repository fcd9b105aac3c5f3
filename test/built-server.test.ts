// The built server (scripts/build-server.ts) is what `npm start` and the container image run, so it is tested as a
// user meets it: built afresh into a temp folder, started as a process on SQLite and on PostgreSQL, and walked
// through the first things a user does. What the build promises for the footprint (issue #17) is checked on its
// output, never timed: `serve` loads no code it does not use, and the code is ASCII (see the build's header).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildServer, ROOT, RUNTIME_PACKAGES, type BuiltChunk, type BuiltServer } from '../scripts/build-server.ts';
import { copyRuntimeModules } from '../scripts/image/runtime-modules.ts';
import { describeOn, testDatabases } from './support/databases.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';
import { PASSWORD, TEST_SECRET } from './support/harness.ts';

const run = promisify(execFile);
const BUILD_TIMEOUT_MS = 120_000;

let dir: string;
let built: BuiltServer;
before(async () => {
  // The project's layout, in a temp folder: dist/server/ finds the web app at ../../web/dist and the packages it
  // loads from node_modules in ../../node_modules, which holds only those and their dependencies, copied as the
  // image copies them (scripts/image/runtime-modules.ts): every test below also tests that the image has enough.
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-built-'));
  copyRuntimeModules(join(dir, 'node_modules'));
  mkdirSync(join(dir, 'web'));
  if (existsSync(join(ROOT, 'web', 'dist'))) symlinkSync(join(ROOT, 'web', 'dist'), join(dir, 'web', 'dist'));
  built = await buildServer(join(dir, 'dist', 'server'));
}, { timeout: BUILD_TIMEOUT_MS });
after(() => rmSync(dir, { recursive: true, force: true }));

/** Every chunk loaded with `from` (its static imports, and theirs). */
function loadedWith(from: BuiltChunk[]): Set<BuiltChunk> {
  const byName = new Map(built.chunks.map((c) => [c.fileName, c]));
  const seen = new Set<BuiltChunk>();
  const visit = (c: BuiltChunk) => {
    if (seen.has(c)) return;
    seen.add(c);
    for (const name of c.imports) if (byName.has(name)) visit(byName.get(name)!);
  };
  from.forEach(visit);
  return seen;
}
const chunkOf = (file: string) => {
  const c = built.chunks.find((x) => x.moduleIds.some((id) => id.endsWith(file)));
  assert.ok(c, `no chunk holds ${file}`);
  return c;
};

describe('the built server', () => {
  test('serve loads none of the other commands, nor the drivers, mail, passkey and TOTP code until they are used', () => {
    // What `gatehouse serve` imports: the entry, the command line, the serve command, and what they import statically.
    const atStart = loadedWith([chunkOf('src/bin.mjs'), chunkOf('src/cli.ts'), chunkOf('src/cli/serve.ts')]);
    const modules = [...atStart].flatMap((c) => c.moduleIds);
    assert.ok(modules.some((id) => id.endsWith('src/gatehouse.ts')), 'the server itself is loaded at start');
    for (const unused of ['src/import/run.ts', 'src/import/sources/', 'src/cli/backup.ts', 'src/cli/keys.ts', 'src/cli/migrate.ts', 'src/cli/create-superuser.ts',
      'src/cli/cluster.ts', 'src/limits/redis-counters.ts', 'node_modules/pg/', 'node_modules/ioredis/', 'node_modules/nodemailer/',
      'node_modules/@simplewebauthn/', 'node_modules/otpauth/']) {
      assert.deepEqual(modules.filter((id) => id.includes(unused)), [], `${unused} is loaded by serve at start`);
    }
  });

  test('every package src/ loads with createRequire is one the image ships (RUNTIME_PACKAGES)', () => {
    // The bundler leaves createRequire(…)('x') alone, so x is loaded from node_modules at run time, which in the image
    // holds RUNTIME_PACKAGES and their dependencies only.
    const loaded = new Set<string>();
    for (const file of readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => /\.(ts|mjs)$/.test(f))) {
      const text = readFileSync(join(ROOT, 'src', file), 'utf8');
      if (!text.includes('createRequire')) continue;
      for (const m of text.matchAll(/(?:createRequire\(import\.meta\.url\)|\brequire)\(\s*'([^']+)'\s*\)/g)) {
        const spec = m[1]!;
        if (!spec.startsWith('node:')) loaded.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
      }
    }
    assert.ok(loaded.size >= 5, `found ${[...loaded].join(', ')}`);
    assert.deepEqual([...loaded].filter((p) => !RUNTIME_PACKAGES.includes(p)), []);
  });

  test('its JavaScript is ASCII only, so V8 holds each file at one byte per character', () => {
    for (const file of built.files.filter((f) => f.endsWith('.js'))) {
      const bytes = readFileSync(join(dir, 'dist', 'server', file));
      const at = bytes.findIndex((b) => b > 0x7f);
      assert.equal(at, -1, `${file} has a non-ASCII byte at ${at}: ${bytes.subarray(Math.max(0, at - 40), at + 10).toString()}`);
    }
  });

  test('it ships the licences of the packages it bundles', () => {
    const licences = readFileSync(join(dir, 'dist', 'server', 'LICENSES.txt'), 'utf8');
    for (const pkg of ['fastify@', 'kysely@', 'jose@', 'openid-client@']) assert.match(licences, new RegExp(`^${pkg}`, 'm'));
  });

  test('its commands answer: --help, config, migrate --check', { timeout: 60_000 }, async () => {
    const env = { PATH: process.env.PATH ?? '', HOME: dir, NODE_ENV: 'test', APP_SECRET: TEST_SECRET, DATABASE_URL: `sqlite:///${join(dir, 'cli.db')}` };
    const help = await run(process.execPath, [built.entry, '--help'], { env, cwd: dir });
    assert.match(help.stdout, /^Usage: gatehouse <command>/);
    const config = await run(process.execPath, [built.entry, 'config'], { env, cwd: dir });
    assert.match(config.stdout, /^DATABASE_URL=/m);
    const check = await run(process.execPath, [built.entry, 'migrate', '--check'], { env, cwd: dir }).catch((e: { code: number; stdout: string }) => e);
    assert.equal((check as { code?: number }).code, 1, 'a database that does not exist yet has every migration pending');
    assert.match(check.stdout, /^pending: 0001_users_and_sessions/);
  });
});

for (const database of await testDatabases()) {
  describeOn(database, `the built server on ${database.name}`, { timeout: 120_000 }, () => {
    let server: ServerProcess;
    let drop: () => Promise<void>;
    before(async () => {
      const db = await database.create();
      drop = db.drop;
      server = await startServerProcess({ DATABASE_URL: db.url }, 60_000, [], built.entry);
    });
    after(async () => {
      await server?.stop();
      await drop?.();
    });

    const call = (path: string, init: RequestInit & { json?: unknown; token?: string } = {}) => fetch(`${server.url}${path}`, {
      ...init,
      headers: { ...(init.json === undefined ? {} : { 'content-type': 'application/json' }), ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
      body: init.json === undefined ? init.body : JSON.stringify(init.json),
      signal: AbortSignal.timeout(20_000),
    });

    test('a user registers, logs in (the password hashed in the built hash thread), reads /users/me, refreshes and logs out', async () => {
      const email = `built-${database.name}@example.com`;
      assert.equal((await call('/auth/register', { method: 'POST', json: { email, password: PASSWORD } })).status, 201);
      const login = await call('/auth/jwt/login', { method: 'POST', body: new URLSearchParams({ username: email, password: PASSWORD }) });
      assert.equal(login.status, 200);
      const pair = await login.json() as { access_token: string; refresh_token: string };
      const me = await call('/users/me', { token: pair.access_token });
      assert.equal(me.status, 200);
      assert.equal((await me.json() as { email: string }).email, email);
      const wrong = await call('/auth/jwt/login', { method: 'POST', body: new URLSearchParams({ username: email, password: 'not the password' }) });
      assert.equal(wrong.status, 400);
      const refreshed = await call('/auth/jwt/refresh', { method: 'POST', json: { refresh_token: pair.refresh_token } });
      assert.equal(refreshed.status, 200);
      const next = await refreshed.json() as { access_token: string };
      assert.equal((await call('/auth/jwt/logout', { method: 'POST', token: next.access_token })).status, 204);
      assert.equal((await call('/users/me', { token: next.access_token })).status, 401);
    });

    test('bad input is a clear 4xx in the error body, never a stack trace', async () => {
      const r = await call('/auth/register', { method: 'POST', json: { email: 'not an email', password: 1 } });
      assert.equal(r.status, 422);
      const body = await r.text();
      assert.doesNotMatch(body, /at .*\.js:\d+/);
      assert.ok('detail' in JSON.parse(body));
    });

    test('the OpenAPI document and Swagger UI are served', async () => {
      const doc = await call('/openapi.json');
      assert.equal(doc.status, 200);
      assert.equal((await doc.json() as { openapi: string }).openapi, '3.1.0');
      const docs = await call('/docs/');
      assert.equal(docs.status, 200);
      assert.match(await docs.text(), /swagger-ui/i);
    });

    test('the web app is served at /', { skip: existsSync(join(ROOT, 'web', 'dist', 'index.html')) ? false : 'the web app is not built (npm run build:web)' }, async () => {
      const r = await fetch(`${server.url}/`, { headers: { accept: 'text/html' }, signal: AbortSignal.timeout(20_000) });
      assert.equal(r.status, 200);
      assert.match(await r.text(), /<div id="root">/);
    });
  });
}

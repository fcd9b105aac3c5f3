// The `gatehouse` command as an operator runs it: real processes (`node src/bin.ts …`), real SQLite files,
// real TCP. Children run with cwd = the repository root (the CLI resolves paths against it) but keep every file
// they write in a temp folder: DATABASE_URL points there and APP_SECRET is set, so no secret file is written.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sqlitePath } from '../src/store/database.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'src', 'bin.ts');
const SECRET = 'cli-test-secret-0123456789abcdef0123456789abcdef';
/** Longest a short command (help, migrate, create-superuser) may take before it is killed and the test fails. */
const RUN_TIMEOUT_MS = 90_000;

const dirs: string[] = [];
/** A sqlite:/// URL of a new file in a new temp folder (removed after the file's tests). */
function tempDatabaseUrl(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
  dirs.push(dir);
  return `sqlite:///${join(dir, 'gatehouse.db')}`;
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * The whole environment of a child: only what is listed here, so neither the test runner's environment
 * (NODE_TEST_CONTEXT, a developer's PORT or DATABASE_URL…) nor anything else leaks in.
 */
function childEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? tmpdir(),
    NODE_ENV: 'test', APP_SECRET: SECRET, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn',
    ARGON2_MEMORY_KIB: '256', ARGON2_ITERATIONS: '1', HASH_WORKERS: '2',
    REQUIRE_VERIFIED_LOGIN: 'false', // the children read the repository's .env too, if a developer has one
    ...extra,
  };
}

interface Exit { code: number | null; signal: NodeJS.Signals | null }
interface Finished extends Exit { stdout: string; stderr: string }

function spawnCli(args: string[], env: Record<string, string>, cwd = ROOT): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Settles once the child has exited and its output has been read to the end. Call right after spawning. */
function closed(child: ChildProcess): Promise<Exit> {
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
}

function killIfRunning(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Resolves with `promise`, or rejects after `ms` with `what` in the message. */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `gatehouse ARGS` to completion; `input` is its standard input (closed at once when there is none). */
async function gatehouse(args: string[], o: { env: Record<string, string>; input?: string; cwd?: string }): Promise<Finished> {
  const child = spawnCli(args, o.env, o.cwd);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  child.stdin!.on('error', () => {}); // the child may exit before reading its input
  child.stdin!.end(o.input);
  try {
    const exit = await within(RUN_TIMEOUT_MS, `gatehouse ${args.join(' ')}`, closed(child));
    return { ...exit, stdout, stderr };
  } finally {
    killIfRunning(child);
  }
}

/** A TCP port nobody listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Served {
  child: ChildProcess;
  url: string;
  stdout(): string;
  stderr(): string;
  exit: Promise<Exit>;
}

/** `gatehouse serve` on a free port, resolved once /healthz answers; fails if it exits or is not up in time. */
async function startServe(env: Record<string, string>, args: string[] = []): Promise<Served> {
  const port = await freePort();
  const child = spawnCli(['serve', '--port', String(port), ...args], env);
  child.stdin!.end();
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  const served: Served = { child, url: `http://127.0.0.1:${port}`, stdout: () => stdout, stderr: () => stderr, exit: closed(child) };
  try {
    const deadline = Date.now() + RUN_TIMEOUT_MS;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`gatehouse serve exited (${child.exitCode ?? child.signalCode}) before answering:\n${stdout}\n${stderr}`);
      }
      if (Date.now() > deadline) throw new Error(`gatehouse serve did not answer /healthz within ${RUN_TIMEOUT_MS} ms:\n${stdout}\n${stderr}`);
      const ok = await fetch(`${served.url}/healthz`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
      if (ok) return served;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (err) {
    killIfRunning(child);
    throw err;
  }
}

async function json(r: Response): Promise<any> {
  const text = await r.text();
  try { return JSON.parse(text); } catch { return text; }
}

describe('gatehouse (no command, help, unknown command)', { concurrency: true }, () => {
  const env = childEnv(tempDatabaseUrl());

  test('--help exits 0 and lists serve, migrate and create-superuser', async () => {
    const r = await gatehouse(['--help'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Usage: gatehouse <command>/);
    for (const command of ['serve', 'migrate', 'create-superuser']) assert.match(r.stdout, new RegExp(`^\\s+${command}\\s`, 'm'), command);
  });

  test('no command exits 2 with the usage', async () => {
    const r = await gatehouse([], { env });
    assert.equal(r.code, 2);
    assert.match(r.stdout + r.stderr, /Usage: gatehouse <command>/);
  });

  test('an unknown command exits 2, naming it, with the usage on stderr', async () => {
    const r = await gatehouse(['frobnicate'], { env });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command "frobnicate"/);
    assert.match(r.stderr, /Usage: gatehouse <command>/);
    assert.equal(r.stdout, '');
  });

  const commandHelp: [string, RegExp[]][] = [
    ['serve', [/^Usage: gatehouse serve/, /--host HOST/, /--port PORT/, /--no-migrate/, /SIGTERM/]],
    ['migrate', [/^Usage: gatehouse migrate/, /--check/]],
    ['create-superuser', [/^Usage: gatehouse create-superuser/, /--email EMAIL/, /--password-stdin/]],
  ];
  for (const [command, expected] of commandHelp) {
    test(`${command} --help exits 0 with that command's options, and does nothing else`, async () => {
      const r = await gatehouse([command, '--help'], { env: { ...env, PORT: 'not-even-read' } });
      assert.equal(r.code, 0, r.stderr);
      for (const re of expected) assert.match(r.stdout, re);
      assert.equal(r.stderr, '');
    });
  }

  test('an unknown option fails, naming it', async () => {
    const r = await gatehouse(['migrate', '--bogus'], { env });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Unknown option '--bogus'/);
  });
});

describe('gatehouse migrate', () => {
  const env = childEnv(tempDatabaseUrl());

  test('--check on a new database lists the pending migrations, exits 1 and creates nothing', async () => {
    const r = await gatehouse(['migrate', '--check'], { env });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout.trim(), /^pending: 0001_users_and_sessions(, \d{4}_\w+)* \(no SQLite database at .*gatehouse\.db\)$/);
    assert.equal(existsSync(sqlitePath(env.DATABASE_URL!)), false);
  });

  test('a DATABASE_URL that names no database is refused, naming the variable, and creates no file', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'gatehouse-cli-badurl-'));
    try {
      for (const bad of ['not a url at all', 'mysql://localhost/x']) {
        const r = await gatehouse(['migrate', '--check'], { env: { ...env, DATABASE_URL: bad }, cwd });
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /^gatehouse: configuration error: DATABASE_URL: .*expected postgres:\/\//);
        assert.deepEqual(readdirSync(cwd), []);
      }
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  test('applies every migration to a new SQLite file, 0001_users_and_sessions first', async () => {
    const r = await gatehouse(['migrate'], { env });
    assert.equal(r.code, 0, r.stderr);
    // Later migrations join the list as they are written; the first one and the format stay.
    assert.match(r.stdout.trim(), /^applied: 0001_users_and_sessions(, \d{4}_\w+)*$/);
  });

  test('a second run applies nothing and says the database is up to date', async () => {
    const r = await gatehouse(['migrate'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^sqlite:.*gatehouse\.db: up to date$/m);
    assert.doesNotMatch(r.stdout, /applied/);
  });

  test('--check exits 0 once the database is up to date', async () => {
    const r = await gatehouse(['migrate', '--check'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'up to date');
  });
});

describe('gatehouse create-superuser', () => {
  const env = childEnv(tempDatabaseUrl());

  test('creates a super admin with the password read from standard input', async () => {
    const r = await gatehouse(['create-superuser', '--email', 'admin@example.com'], { env, input: 'first admin password\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^created super admin admin@example\.com \([0-9a-f-]{36}\)$/m);
    assert.match(r.stdout, /MFA_REQUIRED_ROLES includes super_admin: at the first sign-in, set up a second factor/, 'the enrolment is announced');
    assert.ok(!r.stdout.includes('first admin password'));
    assert.doesNotMatch(r.stdout + r.stderr, /SMTP_URL/, 'a command that sends no mail says nothing about mail');
  });

  test('run again for the same email, promotes that user (same id) instead', async () => {
    const first = await gatehouse(['create-superuser', '--email', 'promoted@example.com', '--password-stdin'], { env, input: 'a first password' });
    assert.equal(first.code, 0, first.stderr);
    const id = /\(([0-9a-f-]{36})\)/.exec(first.stdout)?.[1];
    assert.ok(id, first.stdout);
    const again = await gatehouse(['create-superuser', '--email', 'promoted@example.com'], { env, input: 'a second password\n' });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`^promoted super admin promoted@example\\.com \\(${id}\\)$`, 'm'));
  });

  test('stores --email as the one rule normalises it: trimmed, the domain lower-cased, the local part as typed', async () => {
    const r = await gatehouse(['create-superuser', '--email', '  Chief.Admin@Example.COM  '], { env, input: 'a long password\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^created super admin Chief\.Admin@example\.com \(/m);
  });

  const refused: [string, string[], string | undefined, number, RegExp][] = [
    ['no --email', ['create-superuser'], 'some password\n', 2, /--email is required/],
    ['nothing on standard input', ['create-superuser', '--email', 'nopw@example.com'], '', 1, /no password on standard input/],
    ['a password that breaks the policy', ['create-superuser', '--email', 'short@example.com'], 'short\n', 2, /at least 8 characters/],
    // The one email rule (src/model/email.ts), checked before the password is read.
    ['two addresses in --email', ['create-superuser', '--email', 'a@b.com,victim@example.com'], 'a long password\n', 2, /not a valid email address: .*exactly one @-sign/],
    ['a display name in --email', ['create-superuser', '--email', 'Mallory <m@example.com>'], 'a long password\n', 2, /not a valid email address: .*not allowed/],
    ['an --email without @', ['create-superuser', '--email', 'not-an-email'], 'a long password\n', 2, /not a valid email address: .*@-sign/],
    ['a 65-octet local part in --email', ['create-superuser', '--email', `${'l'.repeat(65)}@example.com`], 'a long password\n', 2, /not a valid email address: .*too long/],
  ];
  for (const [what, args, input, code, why] of refused) {
    test(`refuses ${what}, exiting ${code} and saying why`, async () => {
      const r = await gatehouse(args, { env, input });
      assert.equal(r.code, code, r.stderr);
      assert.match(r.stderr, why);
      assert.doesNotMatch(r.stdout, /super admin/);
    });
  }
});

describe('gatehouse serve refuses a bad configuration at start', { concurrency: true }, () => {
  const env = childEnv(tempDatabaseUrl());
  const bad: [string, Record<string, string>, string[], string][] = [
    ['PORT=abc', { PORT: 'abc' }, [], 'PORT'],
    ['--port abc', {}, ['--port', 'abc'], 'PORT'],
    ['a short APP_SECRET', { APP_SECRET: 'short' }, [], 'APP_SECRET'],
    ['NODE_ENV=production without APP_SECRET', { NODE_ENV: 'production', PUBLIC_URL: 'https://auth.example.com', APP_SECRET: '' }, [], 'APP_SECRET'],
    ['NODE_ENV=production without PUBLIC_URL', { NODE_ENV: 'production' }, [], 'PUBLIC_URL'],
    ['CORS_ORIGINS=*', { CORS_ORIGINS: '*' }, [], 'CORS_ORIGINS'],
  ];
  for (const [what, extra, args, variable] of bad) {
    test(`${what}: exits non-zero, and stderr names ${variable}`, async () => {
      const e: Record<string, string> = { ...env, ...extra };
      for (const [k, v] of Object.entries(extra)) if (v === '') delete e[k];
      const r = await gatehouse(['serve', ...args], { env: e });
      assert.notEqual(r.code, 0);
      assert.equal(r.signal, null);
      assert.match(r.stderr, new RegExp(`configuration error: ${variable}: `));
    });
  }

  test('--no-migrate on a database with pending migrations exits 1, saying so', async () => {
    const r = await gatehouse(['serve', '--no-migrate', '--port', String(await freePort())], { env });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /migrations are pending/);
  });

  test('a port that is taken: exits 1, saying it cannot listen', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = blocker.address() as AddressInfo;
      const r = await gatehouse(['serve', '--port', String(port)], { env: childEnv(tempDatabaseUrl()) });
      assert.equal(r.code, 1, r.stderr);
      const fatal = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.level === 60);
      assert.equal(fatal.length, 1, r.stdout);
      assert.match(fatal[0].msg, /^cannot listen on 127\.0\.0\.1:\d+: the port is already in use \(EADDRINUSE\): stop the other server or set another PORT$/);
      assert.ok(!fatal[0].err.stack, 'no stack trace');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

describe('a database that cannot be reached is explained in one line that names DATABASE_URL', { concurrency: true }, () => {
  const cases: [string, () => Promise<string>, RegExp][] = [
    ['PostgreSQL where nothing listens', async () => `postgres://gatehouse:gatehouse@127.0.0.1:${await freePort()}/gatehouse_test`,
      /^gatehouse: DATABASE_URL: nothing accepts connections at 127\.0\.0\.1:\d+ \(ECONNREFUSED\): is PostgreSQL running and listening on that host and port\?$/],
    ['a SQLite file in a folder that does not exist', async () => `sqlite:///${join(tmpdir(), 'gatehouse-no-such-folder', 'x', 'g.db')}`,
      /^gatehouse: DATABASE_URL: the SQLite file's folder does not exist \(.*\): create the folder, or fix the path$/],
  ];
  for (const [what, url, said] of cases) {
    test(`gatehouse migrate, ${what}: exit 1, one line on stderr`, async () => {
      const r = await gatehouse(['migrate'], { env: childEnv(await url()) });
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr.trim(), said);
    });
  }

  test('gatehouse serve, PostgreSQL where nothing listens: exit 1, one fatal line without a stack', async () => {
    const r = await gatehouse(['serve', '--port', String(await freePort())], { env: childEnv(`postgres://gatehouse:gatehouse@127.0.0.1:${await freePort()}/gatehouse_test`) });
    assert.equal(r.code, 1, r.stderr);
    const fatal = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.level === 60);
    assert.equal(fatal.length, 1, r.stdout);
    assert.match(fatal[0].msg, /^cannot start: DATABASE_URL: nothing accepts connections at 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    assert.ok(!fatal[0].err.stack, 'no stack trace');
  });
});

describe('gatehouse serve', () => {
  const env = childEnv(tempDatabaseUrl(), { LOG_LEVEL: 'info' });
  const ADMIN = { email: 'root@example.com', password: 'root password from stdin' };
  const USER = { email: 'someone@example.com', password: 'a perfectly good password' };
  let server: Served;
  /** Every secret the server saw in this suite: none may appear in its output. */
  const secrets: string[] = [ADMIN.password, USER.password, SECRET];
  /** Remembers the tokens of a login answer (the access token, and a refresh token when there is one). */
  const keepTokens = (body: Record<string, unknown>) => {
    for (const value of [body.access_token, body.refresh_token]) if (typeof value === 'string') secrets.push(value);
  };

  const login = (username: string, password: string) => fetch(`${server.url}/auth/jwt/login`, {
    method: 'POST', body: new URLSearchParams({ username, password }), signal: AbortSignal.timeout(10_000),
  });
  const me = (token: string) => fetch(`${server.url}/users/me`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });

  before(async () => {
    const created = await gatehouse(['create-superuser', '--email', ADMIN.email], { env, input: `${ADMIN.password}\n` });
    assert.equal(created.code, 0, created.stderr);
    server = await startServe(env);
  });
  after(() => {
    if (server) killIfRunning(server.child);
  });

  test('answers /healthz 200 and /readyz 200', async () => {
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready' });
  });

  test('registers a user, logs them in with the password, and GET /users/me answers with them', async () => {
    const reg = await fetch(`${server.url}/auth/register`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(USER), signal: AbortSignal.timeout(10_000),
    });
    const user = await json(reg);
    assert.equal(reg.status, 201, JSON.stringify(user));
    const r = await login(USER.email, USER.password);
    const body = await json(r);
    assert.equal(r.status, 200, JSON.stringify(body));
    assert.equal(body.token_type, 'bearer');
    keepTokens(body);
    const mine = await me(body.access_token);
    assert.equal(mine.status, 200);
    assert.deepEqual(await mine.json().then((u) => [u.id, u.email, u.is_superuser]), [user.id, USER.email, false]);

    const wrong = await login(USER.email, 'not the password');
    assert.equal(wrong.status, 400);
    assert.deepEqual(await wrong.json(), { detail: 'LOGIN_BAD_CREDENTIALS' });
  });

  test('the super admin made by create-superuser logs in over HTTP, and /users/me says is_superuser', async () => {
    const r = await login(ADMIN.email, ADMIN.password);
    const body = await json(r);
    assert.equal(r.status, 200, JSON.stringify(body));
    keepTokens(body);
    const mine = await me(body.access_token);
    assert.equal(mine.status, 200);
    const u = await mine.json();
    assert.deepEqual([u.email, u.is_superuser, u.is_verified, u.is_active, u.role], [ADMIN.email, true, true, true, 'super_admin']);
  });

  test('create-superuser on a registered user, while the server runs, promotes them: new password, old sessions ended', async () => {
    const email = 'promote-me@example.com';
    const reg = await fetch(`${server.url}/auth/register`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'the old password' }),
    });
    assert.equal(reg.status, 201);
    const oldLogin = await (await login(email, 'the old password')).json();
    const old = oldLogin.access_token;
    secrets.push('the old password');
    keepTokens(oldLogin);
    assert.equal((await me(old)).status, 200);

    const promoted = await gatehouse(['create-superuser', '--email', email], { env, input: 'the new password\n' });
    secrets.push('the new password');
    assert.equal(promoted.code, 0, promoted.stderr);
    assert.match(promoted.stdout, /promoted super admin promote-me@example\.com/);

    assert.equal((await me(old)).status, 401, 'a token from before the promotion must stop working');
    assert.equal((await login(email, 'the old password')).status, 400);
    const fresh = await login(email, 'the new password');
    const freshBody = await json(fresh);
    assert.equal(fresh.status, 200, JSON.stringify(freshBody));
    keepTokens(freshBody);
    assert.equal((await (await me(freshBody.access_token)).json()).is_superuser, true);
  });

  test('logs JSON lines, one per request, with no password, token or secret in them', () => {
    const out = server.stdout();
    const lines = out.split('\n').filter((l) => l.trim() !== '');
    assert.ok(lines.length > 0, 'the server logged nothing');
    const entries = lines.map((line) => {
      try { return JSON.parse(line); } catch { assert.fail(`not a JSON log line: ${line}`); }
    });
    for (const e of entries) assert.equal(typeof e.msg, 'string', JSON.stringify(e));
    assert.ok(entries.some((e) => e.msg === 'gatehouse is serving'));
    assert.ok(entries.some((e) => e.msg === 'request' && e.path === '/auth/jwt/login' && e.status === 200), 'logins are logged');
    assert.ok(entries.some((e) => e.msg === 'request' && e.path === '/users/me' && e.status === 200), 'requests are logged');
    for (const secret of secrets) {
      assert.ok(secret.length >= 10);
      assert.ok(!out.includes(secret), `stdout contains a secret: ${secret.slice(0, 12)}…`);
      assert.ok(!server.stderr().includes(secret), `stderr contains a secret: ${secret.slice(0, 12)}…`);
    }
    // A token's signature alone is as sensitive as the whole token.
    for (const token of secrets.filter((s) => s.split('.').length === 3)) assert.ok(!out.includes(token.split('.')[2]!));
  });

  test('SIGTERM stops it: exit code 0 within a few seconds, and it says it stopped', async () => {
    server.child.kill('SIGTERM');
    const exit = await within(8000, 'exit after SIGTERM', server.exit); // under the 10 s shutdown grace
    assert.deepEqual(exit, { code: 0, signal: null }, server.stderr());
    const last = server.stdout().trim().split('\n').map((l) => JSON.parse(l).msg);
    assert.ok(last.includes('stopped'), last.join(' | '));
  });
});

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, type LoadOptions } from '../src/config/config.ts';

const GOOD_SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';

const dirs: string[] = [];
/** An empty folder to use as loadConfig's cwd, so no .env or secret file of the repository is read or written. */
function tempCwd(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** loadConfig on exactly `env` (never process.env, never a .env file), in an empty temp folder. */
function load(env: Record<string, string>, opts: LoadOptions = {}) {
  return loadConfig(env, { dotenv: false, cwd: tempCwd(), warn: () => {}, ...opts });
}

describe('loadConfig refuses a bad setting, naming the variable and saying why', () => {
  const bad: [string, Record<string, string>, string, RegExp][] = [
    ['a port that is not a number', { PORT: 'abc' }, 'PORT', /whole number from 0 to 65535.*"abc"/],
    ['a port above 65535', { PORT: '70000' }, 'PORT', /from 0 to 65535.*"70000"/],
    ['a token lifetime that is not a duration', { ACCESS_TOKEN_TTL: 'forever' }, 'ACCESS_TOKEN_TTL', /duration such as 900, 900s, 15m/],
    ['a token lifetime below the minimum', { ACCESS_TOKEN_TTL: '5' }, 'ACCESS_TOKEN_TTL', /from 30s to 86400s/],
    ['JWT_ALGORITHM=none', { JWT_ALGORITHM: 'none' }, 'JWT_ALGORITHM', /one of HS256, HS384, HS512/],
    ['an algorithm Gatehouse does not offer (PS256)', { JWT_ALGORITHM: 'PS256' }, 'JWT_ALGORITHM', /one of HS256, HS384, HS512, EdDSA, ES256, RS256.*"PS256"/],
    ['CORS_ORIGINS=*', { CORS_ORIGINS: '*' }, 'CORS_ORIGINS', /"\*" is not allowed/],
    ['an origin with a path', { CORS_ORIGINS: 'https://a.com/path' }, 'CORS_ORIGINS', /"https:\/\/a\.com\/path" is not an origin/],
    ['an origin with a trailing slash, among good ones', { CORS_ORIGINS: 'https://a.com, https://b.com/' }, 'CORS_ORIGINS', /"https:\/\/b\.com\/" is not an origin/],
    ['a boolean that is neither true nor false', { REQUIRE_VERIFIED_LOGIN: 'maybe' }, 'REQUIRE_VERIFIED_LOGIN', /must be true or false/],
    ['a secret shorter than 32 characters', { APP_SECRET: 'short' }, 'APP_SECRET', /at least 32 characters/],
    ['production without PUBLIC_URL', { NODE_ENV: 'production', APP_SECRET: GOOD_SECRET }, 'PUBLIC_URL', /required when NODE_ENV=production.*token issuer every instance must share/],
    ['production without APP_SECRET', { NODE_ENV: 'production', PUBLIC_URL: 'https://auth.example.com' }, 'APP_SECRET', /required when NODE_ENV=production/],
    ['production with a guessable secret', { NODE_ENV: 'production', PUBLIC_URL: 'https://auth.example.com', APP_SECRET: `secret${'-0123456789'.repeat(4)}` }, 'APP_SECRET', /too guessable/],
    ['production with a long secret of few distinct characters', { NODE_ENV: 'production', PUBLIC_URL: 'https://auth.example.com', APP_SECRET: 'ab'.repeat(20) }, 'APP_SECRET', /too guessable/],
    ['a minimum password length above the maximum', { PASSWORD_MIN_LENGTH: '100', PASSWORD_MAX_LENGTH: '50' }, 'PASSWORD_MIN_LENGTH', /must not exceed PASSWORD_MAX_LENGTH \(50\)/],
    ['a public URL that is not http(s)', { PUBLIC_URL: 'ftp://x' }, 'PUBLIC_URL', /http\(s\) URL/],
    ['a public URL that is not a URL', { PUBLIC_URL: 'example.com' }, 'PUBLIC_URL', /absolute http\(s\) URL/],
    ['an unknown NODE_ENV', { NODE_ENV: 'staging' }, 'NODE_ENV', /one of development, production, test/],
    ['argon2 memory below the minimum', { ARGON2_MEMORY_KIB: '8' }, 'ARGON2_MEMORY_KIB', /from 64 to/],
    ['a database scheme Gatehouse does not speak', { DATABASE_URL: 'mysql://localhost/x' }, 'DATABASE_URL', /scheme mysql:\/\/.*not support.*postgres:\/\/.*sqlite:\/\/\//],
    ['a database URL that is no URL and no database file', { DATABASE_URL: 'not a url at all' }, 'DATABASE_URL', /neither a database URL nor a SQLite file path/],
    ['a PostgreSQL URL without a host', { DATABASE_URL: 'postgres:///gatehouse' }, 'DATABASE_URL', /names no PostgreSQL host/],
    ['a PostgreSQL URL without a database', { DATABASE_URL: 'postgres://u:p@db.example.com:5432' }, 'DATABASE_URL', /names no PostgreSQL database/],
    ['a SQLite URL without a file', { DATABASE_URL: 'sqlite:///' }, 'DATABASE_URL', /names no SQLite file/],
  ];
  for (const [what, env, variable, why] of bad) {
    test(`refuses ${what} (${variable})`, () => {
      assert.throws(() => load(env), (err: unknown) => {
        assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
        assert.equal(err.variable, variable);
        assert.ok(err.message.startsWith(`${variable}: `), err.message);
        assert.match(err.message, why);
        return true;
      });
    });
  }
});

describe('loadConfig accepts good settings', () => {
  test('every documented form of DATABASE_URL', () => {
    for (const url of ['postgres://u:p@127.0.0.1:5432/gatehouse', 'postgresql://u@db.example.com/gh?sslmode=require',
      'postgres:///gatehouse?host=/var/run/postgresql', 'sqlite:///./gatehouse.db', 'sqlite:////var/lib/gatehouse/data.db',
      'sqlite://:memory:', './data/gatehouse.db', '/srv/gatehouse.sqlite3', 'gatehouse.sqlite']) {
      assert.equal(load({ APP_SECRET: GOOD_SECRET, DATABASE_URL: url }).databaseUrl, url);
    }
  });

  test('the defaults: 127.0.0.1:8000, public URL and issuer from them, OWASP argon2id parameters', () => {
    const c = load({ APP_SECRET: GOOD_SECRET });
    assert.equal(c.env, 'development');
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 8000);
    assert.equal(c.publicUrl, 'http://127.0.0.1:8000');
    assert.equal(c.jwt.issuer, c.publicUrl);
    assert.deepEqual(c.jwt, { algorithm: 'HS256', audience: 'gatehouse:auth', issuer: 'http://127.0.0.1:8000', accessTtl: 900 });
    assert.deepEqual(c.argon2, { memoryCost: 19456, timeCost: 2, parallelism: 1 });
    assert.deepEqual(c.password, { minLength: 8, maxLength: 1024, rejectCommon: true });
    assert.deepEqual(c.corsOrigins, []);
    assert.equal(c.requireVerifiedLogin, false);
    assert.equal(c.session.ttl, 30 * 86400);
    assert.equal(c.secret, GOOD_SECRET);
    assert.ok(c.hashWorkers >= 1);
  });

  test('the public URL follows HOST and PORT, and an explicit PUBLIC_URL (without its trailing slash) is the issuer', () => {
    assert.equal(load({ APP_SECRET: GOOD_SECRET, HOST: '0.0.0.0', PORT: '9000' }).publicUrl, 'http://0.0.0.0:9000');
    assert.equal(load({ APP_SECRET: GOOD_SECRET, HOST: '::1', PORT: '9000' }).publicUrl, 'http://[::1]:9000');
    const c = load({ APP_SECRET: GOOD_SECRET, PUBLIC_URL: 'https://auth.example.com/' });
    assert.equal(c.publicUrl, 'https://auth.example.com');
    assert.equal(c.jwt.issuer, 'https://auth.example.com');
    assert.equal(load({ APP_SECRET: GOOD_SECRET, PUBLIC_URL: 'https://auth.example.com', JWT_ISSUER: 'me' }).jwt.issuer, 'me');
  });

  const durations: [string, number][] = [['900', 900], ['900s', 900], ['15m', 900], ['2h', 7200], [' 1d ', 86400], ['30', 30]];
  for (const [raw, seconds] of durations) {
    test(`reads the duration ${JSON.stringify(raw)} as ${seconds} seconds`, () => {
      assert.equal(load({ APP_SECRET: GOOD_SECRET, ACCESS_TOKEN_TTL: raw }).jwt.accessTtl, seconds);
    });
  }

  const booleans: [string, boolean][] = [['true', true], ['1', true], ['YES', true], ['on', true], ['false', false], ['0', false], ['no', false], ['off', false], ['', false]];
  for (const [raw, value] of booleans) {
    test(`reads the boolean ${JSON.stringify(raw)} as ${value}`, () => {
      assert.equal(load({ APP_SECRET: GOOD_SECRET, REQUIRE_VERIFIED_LOGIN: raw }).requireVerifiedLogin, value);
    });
  }

  test('reads a comma-separated list of origins, ignoring spaces and empty items', () => {
    const c = load({ APP_SECRET: GOOD_SECRET, CORS_ORIGINS: 'https://a.com, http://localhost:3000,,' });
    assert.deepEqual(c.corsOrigins, ['https://a.com', 'http://localhost:3000']);
  });

  test('production starts with a strong secret, and warns about a plain-http origin that is not loopback', () => {
    const warnings: string[] = [];
    const c = load({ NODE_ENV: 'production', PUBLIC_URL: 'https://auth.example.com', APP_SECRET: GOOD_SECRET, CORS_ORIGINS: 'http://app.example.com,http://localhost:3000' }, { warn: (m) => warnings.push(m) });
    assert.equal(c.env, 'production');
    assert.equal(c.secret, GOOD_SECRET);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /CORS_ORIGINS.*plain-http/);
    const quiet: string[] = [];
    load({ NODE_ENV: 'production', PUBLIC_URL: 'https://auth.example.com', APP_SECRET: GOOD_SECRET, CORS_ORIGINS: 'https://app.example.com,http://localhost:3000,http://127.0.0.1:3000,http://[::1]:3000' }, { warn: (m) => quiet.push(m) });
    assert.deepEqual(quiet, []);
  });
});

describe('loadConfig reads <cwd>/.env', () => {
  test('takes settings from a .env file in cwd, and the real environment wins over it', () => {
    const cwd = tempCwd();
    writeFileSync(join(cwd, '.env'), `# a comment\nPORT=9001\nHOST=0.0.0.0\nAPP_SECRET="${GOOD_SECRET}"\nACCESS_TOKEN_TTL=2h\n`);
    const fromFile = loadConfig({}, { cwd, warn: () => {} });
    assert.deepEqual([fromFile.port, fromFile.host, fromFile.secret, fromFile.jwt.accessTtl], [9001, '0.0.0.0', GOOD_SECRET, 7200]);
    const overridden = loadConfig({ PORT: '9002', ACCESS_TOKEN_TTL: '15m' }, { cwd, warn: () => {} });
    assert.deepEqual([overridden.port, overridden.host, overridden.jwt.accessTtl], [9002, '0.0.0.0', 900]);
  });

  test('ignores the .env file when dotenv is false', () => {
    const cwd = tempCwd();
    writeFileSync(join(cwd, '.env'), 'PORT=9001\n');
    assert.equal(loadConfig({ APP_SECRET: GOOD_SECRET }, { cwd, dotenv: false }).port, 8000);
  });

  test('a bad value in .env is refused like one from the environment', () => {
    const cwd = tempCwd();
    writeFileSync(join(cwd, '.env'), 'PORT=abc\n');
    assert.throws(() => loadConfig({ APP_SECRET: GOOD_SECRET }, { cwd }), (err: unknown) => err instanceof ConfigError && /^PORT: /.test(err.message));
  });
});

describe('the development secret', () => {
  test('without APP_SECRET in development, one is generated into SECRET_FILE (mode 0600) with a warning, and kept across restarts', () => {
    const cwd = tempCwd();
    const warnings: string[] = [];
    const first = loadConfig({}, { cwd, dotenv: false, warn: (m) => warnings.push(m) });
    const file = join(cwd, '.gatehouse-secret');
    assert.match(first.secret, /^[0-9a-f]{64}$/);
    assert.equal(readFileSync(file, 'utf8').trim(), first.secret);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /APP_SECRET is not set/);
    assert.ok(warnings[0]!.includes(file), warnings[0]);

    const again: string[] = [];
    const second = loadConfig({}, { cwd, dotenv: false, warn: (m) => again.push(m) });
    assert.equal(second.secret, first.secret, 'a restart must keep the secret, or every token would stop working');
    assert.deepEqual(again, []);
  });

  test('SECRET_FILE chooses where the secret is kept, relative to cwd', () => {
    const cwd = tempCwd();
    const c = loadConfig({ SECRET_FILE: 'kept-secret' }, { cwd, dotenv: false, warn: () => {} });
    assert.equal(readFileSync(join(cwd, 'kept-secret'), 'utf8').trim(), c.secret);
  });

  test('a kept secret that is too short is refused, naming SECRET_FILE', () => {
    const cwd = tempCwd();
    writeFileSync(join(cwd, '.gatehouse-secret'), 'tooshort\n');
    assert.throws(() => loadConfig({}, { cwd, dotenv: false, warn: () => {} }),
      (err: unknown) => err instanceof ConfigError && err.variable === 'SECRET_FILE' && /shorter than 32 characters/.test(err.message));
  });

  test('an APP_SECRET that is set is used as is, and no secret file is written', () => {
    const cwd = tempCwd();
    const warnings: string[] = [];
    assert.equal(loadConfig({ APP_SECRET: GOOD_SECRET }, { cwd, dotenv: false, warn: (m) => warnings.push(m) }).secret, GOOD_SECRET);
    assert.throws(() => statSync(join(cwd, '.gatehouse-secret')), { code: 'ENOENT' });
    assert.deepEqual(warnings, []);
  });
});

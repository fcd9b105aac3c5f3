// FASTAPI_USERS_SECRET / FASTAPI_USERS_TOKENS_UNTIL at boot, and the window's clock (the HTTP side, with tokens
// minted by PyJWT, is test/http/fastapi-users-tokens.test.ts).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHmac, randomUUID } from 'node:crypto';
import { ConfigError, loadConfig } from '../src/config/config.ts';
import { FastapiUsersTokens, NotFastapiUsersToken } from '../src/auth/fastapi-users-token.ts';
import { TokenRejected } from '../src/auth/access-token.ts';

const APP_SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
const OLD = 'f0e1d2c3b4a5968778695a4b3c2d1e0ff0e1d2c3b4a5968778695a4b3c2d1e0f';
const NOW = Date.parse('2026-12-06T12:00:00Z');

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function load(env: Record<string, string>, warnings: string[] = []) {
  const cwd = mkdtempSync(join(tmpdir(), 'gatehouse-window-'));
  dirs.push(cwd);
  return loadConfig({ APP_SECRET, ...env }, { dotenv: false, cwd, now: NOW, warn: (m) => warnings.push(m) });
}

describe('the fastapi-users token window at boot', () => {
  test('off unless configured', () => {
    assert.equal(load({}).fastapiUsersTokens, undefined);
  });

  test('a date is 00:00 UTC that day; a date-time needs its offset', () => {
    assert.equal(load({ FASTAPI_USERS_SECRET: OLD, FASTAPI_USERS_TOKENS_UNTIL: '2027-01-31' }).fastapiUsersTokens?.until, Date.parse('2027-01-31T00:00:00Z'));
    assert.equal(load({ FASTAPI_USERS_SECRET: OLD, FASTAPI_USERS_TOKENS_UNTIL: '2027-01-31T18:00:00+01:00' }).fastapiUsersTokens?.until, Date.parse('2027-01-31T17:00:00Z'));
  });

  const refused: [string, Record<string, string>, string, RegExp][] = [
    ['a secret without a deadline', { FASTAPI_USERS_SECRET: OLD }, 'FASTAPI_USERS_TOKENS_UNTIL', /required with FASTAPI_USERS_SECRET/],
    ['a deadline without a secret', { FASTAPI_USERS_TOKENS_UNTIL: '2027-01-31' }, 'FASTAPI_USERS_SECRET', /required with FASTAPI_USERS_TOKENS_UNTIL/],
    ['an empty secret', { FASTAPI_USERS_SECRET: '', FASTAPI_USERS_TOKENS_UNTIL: '2027-01-31' }, 'FASTAPI_USERS_SECRET', /required/],
    ['a deadline more than 400 days ahead', { FASTAPI_USERS_SECRET: OLD, FASTAPI_USERS_TOKENS_UNTIL: '2099-01-01' }, 'FASTAPI_USERS_TOKENS_UNTIL', /at most 400 days/],
    ['a date that does not exist', { FASTAPI_USERS_SECRET: OLD, FASTAPI_USERS_TOKENS_UNTIL: '2027-02-30' }, 'FASTAPI_USERS_TOKENS_UNTIL', /not a real date/],
    ['a time without offset', { FASTAPI_USERS_SECRET: OLD, FASTAPI_USERS_TOKENS_UNTIL: '2027-01-31T10:00' }, 'FASTAPI_USERS_TOKENS_UNTIL', /offset/],
    ['not a date', { FASTAPI_USERS_SECRET: OLD, FASTAPI_USERS_TOKENS_UNTIL: 'next spring' }, 'FASTAPI_USERS_TOKENS_UNTIL', /must be a date/],
    ['a guessable secret in production', { NODE_ENV: 'production', PUBLIC_URL: 'https://auth.example.com', FASTAPI_USERS_SECRET: 'SECRET', FASTAPI_USERS_TOKENS_UNTIL: '2027-01-31' }, 'FASTAPI_USERS_SECRET', /too guessable/],
  ];
  for (const [what, env, variable, why] of refused) {
    test(`refuses ${what}, naming ${variable}`, () => {
      assert.throws(() => load(env), (err: unknown) => err instanceof ConfigError && err.variable === variable && why.test(err.message));
    });
  }

  test('a deadline that has passed starts the server with the window closed, and says so', () => {
    const warnings: string[] = [];
    const c = load({ FASTAPI_USERS_SECRET: OLD, FASTAPI_USERS_TOKENS_UNTIL: '2026-12-01' }, warnings);
    assert.ok(c.fastapiUsersTokens);
    assert.equal(new FastapiUsersTokens(c.fastapiUsersTokens, () => NOW).open(), false);
    assert.match(warnings.join('\n'), /has passed: fastapi-users tokens are refused\. Remove FASTAPI_USERS_SECRET/);
  });
});

/** A token as fastapi-users' generate_jwt writes it (HS256, {"sub", "aud": [...], "exp"}), made here with node:crypto. */
function fastapiUsersToken(sub: string, exp: number, secret = OLD): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub, aud: ['fastapi-users:auth'], exp })}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

test('the window closes at the deadline on the injected clock, whatever the token\'s exp', async () => {
  const until = NOW + 3_600_000;
  let now = NOW;
  const tokens = new FastapiUsersTokens({ secret: OLD, audience: 'fastapi-users:auth', until }, () => now);
  const sub = randomUUID();
  const token = fastapiUsersToken(sub, Math.floor(until / 1000) + 86_400);
  assert.equal((await tokens.verify(token)).sub, sub);
  now = until - 1;
  assert.equal((await tokens.verify(token)).sub, sub);
  now = until;
  await assert.rejects(tokens.verify(token), NotFastapiUsersToken);
  // exp is judged on the same clock: expired a second ago is refused as expired.
  now = NOW;
  await assert.rejects(tokens.verify(fastapiUsersToken(sub, Math.floor(NOW / 1000) - 1)), (e: unknown) => e instanceof TokenRejected && e.expired);
  // Another secret: not a fastapi-users token at all (the caller answers with its own reason).
  await assert.rejects(tokens.verify(fastapiUsersToken(sub, Math.floor(until / 1000), `${OLD}x`)), NotFastapiUsersToken);
});

// The token window of a move from fastapi-users: tokens minted exactly as its JWTStrategy does (PyJWT, Debian's
// python3-jwt) are accepted until they expire and never after FASTAPI_USERS_TOKENS_UNTIL; everything else is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { AccessTokens } from '../../src/auth/access-token.ts';
import { SecretKeyRing } from '../../src/auth/keys/key-ring.ts';
import { CookieTransport } from '../../src/http/transports/cookie.ts';
import { onEveryDatabase, PASSWORD, type Harness } from '../support/harness.ts';

const OLD_SECRET = 'the-fastapi-users-SECRET-0123456789abcdef';
const DAY = 86_400_000;
/** Midnight UTC, 30 days on: the deadline of the suites below. */
const UNTIL = new Date(Math.floor(Date.now() / DAY) * DAY + 30 * DAY);
const WINDOW = { FASTAPI_USERS_SECRET: OLD_SECRET, FASTAPI_USERS_TOKENS_UNTIL: UNTIL.toISOString().slice(0, 10) };

const PYJWT = !existsSync('/usr/lib/python3/dist-packages/jwt') && 'python3-jwt is not installed (.ci/run installs it)';

interface Spec { sub: string; secret?: string; aud?: string[]; alg?: string; lifetime?: number | null; extra?: Record<string, unknown> }

/** Tokens from test/support/fastapi-users-jwt.py: fastapi-users' generate_jwt, with PyJWT. */
function mint(specs: Spec[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = execFile('/usr/bin/python3', [join(import.meta.dirname, '..', 'support', 'fastapi-users-jwt.py')], { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout));
    });
    child.stdin!.end(JSON.stringify(specs.map((s) => ({ secret: OLD_SECRET, ...s }))));
  });
}

const me = (h: Harness, token: string) => h.req({ url: '/users/me', token });

/** The clock the window is judged by; undefined = the real one. */
let clock: number | undefined;

onEveryDatabase('fastapi-users tokens inside the window', (h) => {
  test('a token minted by fastapi-users reads and writes as its user, before the deadline', { skip: PYJWT }, async () => {
    const { id } = await h.register('moved@example.com');
    const [token] = await mint([{ sub: id }]);
    const r = await me(h, token!);
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().id, id);
    const patched = await h.req({ method: 'PATCH', url: '/users/me', token, json: { full_name: 'Moved Over' } });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json().full_name, 'Moved Over');
    // A new password still needs the current one: the token alone does not take the account over.
    const pw = await h.req({ method: 'PATCH', url: '/users/me', token, json: { password: 'another long password' } });
    assert.equal(pw.json().detail.code, 'UPDATE_USER_CURRENT_PASSWORD_INVALID');
  });

  test('refused: unknown or inactive user, wrong secret or audience, alg none/RS256/HS512, expired, no exp, a session claim', { skip: PYJWT }, async () => {
    const { id } = await h.register('refusals@example.com');
    const inactive = await h.register('inactive-moved@example.com');
    await h.g.db.kysely.updateTable('users').set({ is_active: 0 as never }).where('id', '=', inactive.id).execute();
    const cases: [string, Spec, boolean?][] = [
      ['a user that does not exist', { sub: randomUUID() }],
      ['an inactive user', { sub: inactive.id }],
      ['another secret', { sub: id, secret: `${OLD_SECRET}x` }],
      ['another audience', { sub: id, aud: ['fastapi-users:verify'] }],
      ['alg none', { sub: id, alg: 'none' }],
      ['RS256 (another key kind)', { sub: id, alg: 'RS256' }],
      ['HS512 with the right secret', { sub: id, alg: 'HS512' }],
      ['an expired token', { sub: id, lifetime: -60 }, true],
      ['a token without exp (lifetime_seconds=None)', { sub: id, lifetime: null }],
      ['a token naming a session (Gatehouse\'s shape)', { sub: id, extra: { sid: randomUUID() } }],
      ['a sub that is no user id', { sub: `${id.toUpperCase()}` }],
    ];
    const tokens = await mint(cases.map(([, spec]) => spec));
    for (const [i, [what, , expired]] of cases.entries()) {
      const r = await me(h, tokens[i]!);
      assert.equal(r.statusCode, 401, `${what}: ${r.body}`);
      assert.deepEqual(r.json(), { detail: 'Unauthorized' }, what);
      assert.match(String(r.headers['www-authenticate']), expired ? /expired/ : /is invalid/, what);
    }
    // The control: the same user with a well-made token is let in.
    const [good] = await mint([{ sub: id }]);
    assert.equal((await me(h, good!)).statusCode, 200);
  });

  test('only in the Authorization header: the access cookie does not carry one', { skip: PYJWT }, async () => {
    const { id } = await h.register('cookie-moved@example.com');
    const [token] = await mint([{ sub: id }]);
    const r = await h.req({ url: '/users/me', headers: { cookie: `${new CookieTransport(h.config.cookie).access}=${token}` } });
    assert.equal(r.statusCode, 401);
  });

  test('refused from the deadline on, whatever its exp, and the clock is all that changed', { skip: PYJWT }, async () => {
    const { id } = await h.register('deadline@example.com');
    const [token] = await mint([{ sub: id, lifetime: 60 * 86400 }]); // expires after the deadline
    try {
      clock = UNTIL.getTime() - 1;
      assert.equal((await me(h, token!)).statusCode, 200, 'a millisecond before');
      clock = UNTIL.getTime();
      const r = await me(h, token!);
      assert.equal(r.statusCode, 401, 'at the deadline');
      assert.match(String(r.headers['www-authenticate']), /is invalid/);
      clock = UNTIL.getTime() + DAY;
      assert.equal((await me(h, token!)).statusCode, 401, 'a day after');
    } finally {
      clock = undefined;
    }
    assert.equal((await me(h, token!)).statusCode, 200, 'the real clock: still inside the window');
  });

  test('logout answers 204 but cannot revoke it; deactivation ends it at once', { skip: PYJWT }, async () => {
    const { id } = await h.register('logout-moved@example.com');
    const [token] = await mint([{ sub: id }]);
    const out = await h.req({ method: 'POST', url: '/auth/jwt/logout', token });
    assert.equal(out.statusCode, 204);
    assert.equal((await me(h, token!)).statusCode, 200, 'a fastapi-users token works until it expires');
    const admin = await h.withRole('admin-moved@example.com', 'admin');
    const off = await h.req({ method: 'PATCH', url: `/users/${id}`, token: admin.token, json: { is_active: false } });
    assert.equal(off.statusCode, 200, off.body);
    assert.equal((await me(h, token!)).statusCode, 401);
  });

  test('Gatehouse\'s own tokens are unchanged: login, use, logout', async () => {
    const u = await h.user('native@example.com');
    assert.equal((await me(h, u.token)).statusCode, 200);
    assert.equal((await h.req({ method: 'POST', url: '/auth/jwt/logout', token: u.token })).statusCode, 204);
    assert.equal((await me(h, u.token)).statusCode, 401);
  });
}, WINDOW, { now: () => clock ?? Date.now() });

onEveryDatabase('fastapi-users tokens without the setting', (h) => {
  test('are refused as any foreign token', { skip: PYJWT }, async () => {
    const { id } = await h.register('not-moved@example.com');
    const [token] = await mint([{ sub: id }]);
    const r = await me(h, token!);
    assert.equal(r.statusCode, 401);
    assert.match(String(r.headers['www-authenticate']), /is invalid/);
  });
});

onEveryDatabase('fastapi-users tokens when APP_SECRET is the old secret and JWT_AUDIENCE fastapi-users:auth', (h) => {
  test('a Gatehouse token of an ended session never passes as a fastapi-users token', async () => {
    const u = await h.user('same-secret@example.com', PASSWORD);
    const sessionId = (await h.req({ url: '/users/me/sessions', token: u.token })).json()[0].id;
    // The same session's token from an instance with another issuer: this one refuses it, and it must not then
    // pass as a stateless fastapi-users token (same secret, same audience, and no session check).
    const elsewhere = await new AccessTokens({ keys: new SecretKeyRing('HS256', OLD_SECRET), audience: 'fastapi-users:auth', issuer: 'http://another.example', ttlSeconds: 900 })
      .issue(u.id, sessionId, { amr: ["pwd"], authTime: Math.floor(Date.now() / 1000) });
    assert.equal((await me(h, u.token)).statusCode, 200);
    assert.equal((await h.req({ method: 'POST', url: '/auth/jwt/logout', token: u.token })).statusCode, 204);
    assert.equal((await me(h, u.token)).statusCode, 401);
    assert.equal((await me(h, elsewhere)).statusCode, 401);
  });

  test('while fastapi-users\' own tokens are accepted', { skip: PYJWT }, async () => {
    const { id } = await h.register('same-secret-legacy@example.com');
    const [token] = await mint([{ sub: id }]);
    assert.equal((await me(h, token!)).statusCode, 200);
  });
}, { ...WINDOW, APP_SECRET: OLD_SECRET, JWT_AUDIENCE: 'fastapi-users:auth' });

onEveryDatabase('fastapi-users tokens beside EdDSA access tokens', (h) => {
  test('the window is HS256 with the old secret whatever JWT_ALGORITHM signs Gatehouse\'s own', { skip: PYJWT }, async () => {
    const u = await h.user('eddsa-moved@example.com');
    const [legacy, hs512] = await mint([{ sub: u.id }, { sub: u.id, alg: 'HS512' }]);
    assert.equal((await me(h, legacy!)).statusCode, 200);
    assert.equal((await me(h, hs512!)).statusCode, 401);
    assert.equal((await me(h, u.token)).statusCode, 200);
  });
}, { ...WINDOW, JWT_ALGORITHM: 'EdDSA' });

// The login's second step: the attacks of issue #15 on it (skipped, replayed, used as a session, moved to another
// browser or transport, guessed across fresh challenges, a factor added during the login) and the cookie flow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { onEveryDatabase, PASSWORD, type Harness } from '../support/harness.ts';
import { firstFactor, mfaUser, totpCode, wrongCode } from '../support/mfa.ts';

const ORIGIN = 'http://127.0.0.1:8000';
type Jar = Record<string, string>;
const jarOf = (r: LightMyRequestResponse, jar: Jar = {}): Jar => {
  for (const c of r.cookies as { name: string; value: string; maxAge?: number }[]) {
    if (c.value === '' || c.maxAge === 0) delete jar[c.name]; else jar[c.name] = c.value;
  }
  return jar;
};

/** A browser's cookie login of an MFA user: its cookies (with gatehouse_mfa) and the LOGIN_MFA_REQUIRED detail. */
async function cookieFirstFactor(h: Harness, email: string) {
  const start = await h.g.app.inject({ url: '/auth/csrf' });
  const jar = jarOf(start);
  const r = await h.g.app.inject({
    method: 'POST', url: '/auth/cookie/login', cookies: jar, payload: `username=${encodeURIComponent(email)}&password=${encodeURIComponent(PASSWORD)}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, 'x-csrf-token': start.json().csrf_token },
  });
  assert.equal(r.statusCode, 400, r.body);
  assert.equal(r.json().detail.code, 'LOGIN_MFA_REQUIRED');
  return { r, jar: jarOf(r, { ...jar }), detail: r.json().detail as { mfa_token: string } };
}

const cookieSecondStep = (h: Harness, jar: Jar, json: unknown) => h.g.app.inject({
  method: 'POST', url: '/auth/cookie/mfa', cookies: jar, payload: json as object, headers: { origin: ORIGIN, 'x-csrf-token': jar.gatehouse_csrf! },
});
const bearerSecondStep = (h: Harness, json: unknown) => h.req({ method: 'POST', url: '/auth/jwt/mfa', json });

onEveryDatabase('the second step of a login', (h) => {
  test('a user without a second factor logs in exactly as before (fastapi-users clients see no change)', async () => {
    await h.register('plain@example.com');
    const r = await h.req({ method: 'POST', url: '/auth/jwt/login', form: { username: 'plain@example.com', password: PASSWORD } });
    assert.equal(r.statusCode, 200);
    assert.deepEqual(Object.keys(r.json()).sort(), ['access_token', 'expires_in', 'refresh_token', 'token_type']);
  });

  test('a wrong password of an MFA user is the plain LOGIN_BAD_CREDENTIALS: no factor is revealed before the first one', async () => {
    const u = await mfaUser(h, 'noreveal@example.com');
    const r = await h.req({ method: 'POST', url: '/auth/jwt/login', form: { username: u.email, password: 'not the password' } });
    assert.deepEqual([r.statusCode, r.json()], [400, { detail: 'LOGIN_BAD_CREDENTIALS' }]);
  });

  test('/token yields no session either, only the challenge', async () => {
    const u = await mfaUser(h, 'token-alias@example.com');
    const c = await firstFactor(h, u.email, '/token');
    const r = await bearerSecondStep(h, { mfa_token: c.mfa_token, totp_code: totpCode(u.secret) });
    assert.equal(r.statusCode, 200, r.body);
  });

  test('the mfa_token is no session: as a bearer token it is 401, and it cannot enrol a factor', async () => {
    const u = await mfaUser(h, 'halfway@example.com');
    const c = await firstFactor(h, u.email);
    assert.equal((await h.req({ url: '/users/me', token: c.mfa_token })).statusCode, 401);
    assert.equal((await h.req({ method: 'POST', url: '/users/me/totp', token: c.mfa_token })).statusCode, 401);
    assert.equal((await h.req({ method: 'POST', url: '/auth/reauthenticate', token: c.mfa_token, json: { totp_code: totpCode(u.secret) } })).statusCode, 401);
  });

  test('a challenge is single use: replayed after its success it is refused', async () => {
    const u = await mfaUser(h, 'once@example.com');
    const c = await firstFactor(h, u.email);
    const rows = await h.g.db.kysely.selectFrom('mfa_challenges').selectAll().where('user_id', '=', u.id).execute();
    assert.ok(rows.length > 0 && !JSON.stringify(rows).includes(c.mfa_token), 'the token is stored as a digest only');
    assert.equal((await bearerSecondStep(h, { mfa_token: c.mfa_token, totp_code: totpCode(u.secret) })).statusCode, 200);
    const again = await bearerSecondStep(h, { mfa_token: c.mfa_token, recovery_code: u.recoveryCodes[0] });
    assert.deepEqual([again.statusCode, again.json().detail], [400, 'MFA_CHALLENGE_INVALID']);
  });

  test('an unknown or expired challenge is refused', async () => {
    const u = await mfaUser(h, 'expired@example.com');
    const unknown = await bearerSecondStep(h, { mfa_token: 'A'.repeat(43), totp_code: totpCode(u.secret) });
    assert.deepEqual([unknown.statusCode, unknown.json().detail], [400, 'MFA_CHALLENGE_INVALID']);
    const c = await firstFactor(h, u.email);
    await h.g.db.kysely.updateTable('mfa_challenges').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('user_id', '=', u.id).execute();
    const r = await bearerSecondStep(h, { mfa_token: c.mfa_token, totp_code: totpCode(u.secret) });
    assert.deepEqual([r.statusCode, r.json().detail], [400, 'MFA_CHALLENGE_INVALID']);
  });

  test('a bearer challenge is refused on the cookie route, and a cookie challenge on the bearer route', async () => {
    const u = await mfaUser(h, 'transport@example.com');
    const bearer = await firstFactor(h, u.email);
    const { jar, detail } = await cookieFirstFactor(h, u.email);
    const crossed = await cookieSecondStep(h, jar, { mfa_token: bearer.mfa_token, totp_code: totpCode(u.secret) });
    assert.deepEqual([crossed.statusCode, crossed.json().detail], [400, 'MFA_CHALLENGE_INVALID']);
    const crossed2 = await bearerSecondStep(h, { mfa_token: detail.mfa_token, totp_code: totpCode(u.secret) });
    assert.deepEqual([crossed2.statusCode, crossed2.json().detail], [400, 'MFA_CHALLENGE_INVALID']);
  });

  test('cookie login: the challenge sets an HttpOnly gatehouse_mfa cookie for /auth; the second step in that browser sets the session cookies', async () => {
    const u = await mfaUser(h, 'cookie-mfa@example.com');
    const { r, jar, detail } = await cookieFirstFactor(h, u.email);
    type Cookie = { name: string; httpOnly: boolean; sameSite: string; path: string };
    const mfaCookie = (r.cookies as Cookie[]).find((c) => c.name === 'gatehouse_mfa');
    assert.deepEqual([mfaCookie?.httpOnly, mfaCookie?.sameSite, mfaCookie?.path], [true, 'Lax', '/auth']);
    assert.ok(!(r.cookies as Cookie[]).some((c) => c.name === 'gatehouse_access'), 'no session cookie before the second step');
    const done = await cookieSecondStep(h, jar, { mfa_token: detail.mfa_token, totp_code: totpCode(u.secret) });
    assert.equal(done.statusCode, 204, done.body);
    const after = jarOf(done, { ...jar });
    assert.equal(after.gatehouse_mfa, undefined, 'the binding cookie is cleared');
    assert.equal((await h.g.app.inject({ url: '/users/me', cookies: after })).json().email, u.email);
  });

  test('cookie login: the challenge used in another browser (without its gatehouse_mfa cookie, or with another one) is refused', async () => {
    const u = await mfaUser(h, 'other-browser@example.com');
    const victim = await cookieFirstFactor(h, u.email);
    const attacker = await cookieFirstFactor(h, u.email); // the attacker's own browser, with its own binding cookie
    const noCookie = { ...victim.jar };
    delete noCookie.gatehouse_mfa;
    for (const jar of [noCookie, attacker.jar]) {
      const r = await cookieSecondStep(h, jar, { mfa_token: victim.detail.mfa_token, totp_code: totpCode(u.secret) });
      assert.deepEqual([r.statusCode, r.json().detail], [400, 'MFA_CHALLENGE_INVALID']);
    }
  });

  test('wrong codes count per account across fresh challenges: the lock (MFA_LOCKED + Retry-After) holds for the right code too', async () => {
    const u = await mfaUser(h, 'guesser@example.com');
    const bad = wrongCode(u.secret);
    for (let i = 0; i < 5; i++) {
      const r = await bearerSecondStep(h, { mfa_token: (await firstFactor(h, u.email)).mfa_token, totp_code: bad });
      assert.deepEqual([r.statusCode, r.json().detail], [400, 'MFA_CODE_INVALID'], `attempt ${i + 1}`);
    }
    const locked = await bearerSecondStep(h, { mfa_token: (await firstFactor(h, u.email)).mfa_token, totp_code: totpCode(u.secret) });
    assert.deepEqual([locked.statusCode, locked.json().detail], [429, 'MFA_LOCKED']);
    assert.ok(Number(locked.headers['retry-after']) > 0);
    const audit = await h.g.db.kysely.selectFrom('audit_events').select('type').where('user_id', '=', u.id).where('type', 'in', ['mfa.failed', 'mfa.locked']).execute();
    assert.equal(audit.filter((e) => e.type === 'mfa.failed').length, 5);
    assert.equal(audit.filter((e) => e.type === 'mfa.locked').length, 1);
  });

  test('parallel guesses on many fresh challenges get no more verifications than the threshold', async () => {
    const u = await mfaUser(h, 'parallel-guesser@example.com');
    const bad = wrongCode(u.secret);
    const challenges = [];
    for (let i = 0; i < 12; i++) challenges.push(await firstFactor(h, u.email));
    const rs = await Promise.all(challenges.map((c) => bearerSecondStep(h, { mfa_token: c.mfa_token, totp_code: bad })));
    const wrong = rs.filter((r) => r.statusCode === 400 && r.json().detail === 'MFA_CODE_INVALID').length;
    const locked = rs.filter((r) => r.statusCode === 429 && r.json().detail === 'MFA_LOCKED').length;
    assert.equal(wrong + locked, 12, rs.map((r) => r.body).join(' '));
    assert.ok(wrong <= 5, `${wrong} guesses were verified`);
  });

  test('a success clears the failure streak', async () => {
    const u = await mfaUser(h, 'clears@example.com');
    const bad = wrongCode(u.secret);
    for (let i = 0; i < 4; i++) await bearerSecondStep(h, { mfa_token: (await firstFactor(h, u.email)).mfa_token, totp_code: bad });
    assert.equal((await bearerSecondStep(h, { mfa_token: (await firstFactor(h, u.email)).mfa_token, totp_code: totpCode(u.secret) })).statusCode, 200);
    for (let i = 0; i < 4; i++) {
      const r = await bearerSecondStep(h, { mfa_token: (await firstFactor(h, u.email)).mfa_token, totp_code: bad });
      assert.equal(r.json().detail, 'MFA_CODE_INVALID');
    }
  });

  test('a factor set up while a login waits for its second step cannot finish that login', async () => {
    const u = await mfaUser(h, 'swap@example.com');
    const c = await firstFactor(h, u.email); // the attacker's login, with the stolen password
    // The account's TOTP is replaced meanwhile (here by the owner's session; any new factor is the case).
    const fresh = await h.req({ method: 'POST', url: '/auth/jwt/mfa', json: { mfa_token: (await firstFactor(h, u.email)).mfa_token, totp_code: totpCode(u.secret) } });
    const token = fresh.json().access_token;
    assert.equal((await h.req({ method: 'DELETE', url: '/users/me/totp', token })).statusCode, 204);
    const e = await h.req({ method: 'POST', url: '/users/me/totp', token });
    const confirmed = await h.req({ method: 'POST', url: '/users/me/totp/confirm', token, json: { code: totpCode(e.json().secret, Date.now(), -1) } });
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    const newCode = await bearerSecondStep(h, { mfa_token: c.mfa_token, totp_code: totpCode(e.json().secret) });
    assert.deepEqual([newCode.statusCode, newCode.json().detail], [400, 'MFA_CODE_INVALID']);
    const newRecovery = await bearerSecondStep(h, { mfa_token: c.mfa_token, recovery_code: confirmed.json().recovery_codes[0] });
    assert.deepEqual([newRecovery.statusCode, newRecovery.json().detail], [400, 'MFA_CODE_INVALID']);
  });

  test('turning on a second factor ends the other sessions: a pre-MFA session can neither be used nor refreshed', async () => {
    await h.register('pre-mfa@example.com');
    const old = (await h.req({ method: 'POST', url: '/auth/jwt/login', form: { username: 'pre-mfa@example.com', password: PASSWORD } })).json();
    const token = await h.login('pre-mfa@example.com');
    const e = await h.req({ method: 'POST', url: '/users/me/totp', token });
    const confirmed = await h.req({ method: 'POST', url: '/users/me/totp/confirm', token, json: { code: totpCode(e.json().secret) } });
    assert.equal(confirmed.statusCode, 200);
    assert.equal((await h.req({ url: '/users/me', token: old.access_token })).statusCode, 401);
    const refreshed = await h.req({ method: 'POST', url: '/auth/jwt/refresh', json: { refresh_token: old.refresh_token } });
    assert.deepEqual([refreshed.statusCode, refreshed.json().detail], [401, 'REFRESH_TOKEN_INVALID']);
    assert.equal((await h.req({ url: '/users/me', token: confirmed.json().access_token })).statusCode, 200, 'the confirming session stays');
  });

  test('exactly one factor per second step', async () => {
    const u = await mfaUser(h, 'one-factor@example.com');
    const c = await firstFactor(h, u.email);
    const none = await bearerSecondStep(h, { mfa_token: c.mfa_token });
    const both = await bearerSecondStep(h, { mfa_token: c.mfa_token, totp_code: totpCode(u.secret), recovery_code: u.recoveryCodes[0] });
    for (const r of [none, both]) assert.deepEqual([r.statusCode, r.json().detail.code], [400, 'MFA_CODE_INVALID']);
  });
});

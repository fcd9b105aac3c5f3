// The second step and step-up as sessions see them: one challenge answered twice at once, the cookie transport's
// step-up, a refresh after a step-up, and the passkey routes when no passkeys are configured.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { onEveryDatabase, PASSWORD } from '../support/harness.ts';
import { firstFactor, mfaUser, totpCode } from '../support/mfa.ts';

const ORIGIN = 'http://127.0.0.1:8000';
const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
type Jar = Record<string, string>;
const jarOf = (r: LightMyRequestResponse, jar: Jar = {}): Jar => {
  for (const c of r.cookies as { name: string; value: string; maxAge?: number }[]) {
    if (c.value === '' || c.maxAge === 0) delete jar[c.name]; else jar[c.name] = c.value;
  }
  return jar;
};

onEveryDatabase('second step and step-up, as sessions', (h) => {
  test('one challenge answered twice at once (a TOTP code and a recovery code): exactly one session', async () => {
    const u = await mfaUser(h, 'race-one-challenge@example.com');
    const c = await firstFactor(h, u.email);
    const rs = await Promise.all([
      h.req({ method: 'POST', url: '/auth/jwt/mfa', json: { mfa_token: c.mfa_token, totp_code: totpCode(u.secret) } }),
      h.req({ method: 'POST', url: '/auth/jwt/mfa', json: { mfa_token: c.mfa_token, recovery_code: u.recoveryCodes[0] } }),
    ]);
    assert.deepEqual(rs.map((r) => r.statusCode).sort(), [200, 400], rs.map((r) => r.body).join(' '));
    const sessions = await h.g.db.kysely.selectFrom('sessions').select('amr').where('user_id', '=', u.id).where('amr', 'like', '%mfa%').execute();
    assert.equal(sessions.length, 2, 'the enrolling session and exactly one new one');
  });

  test('a refresh after a step-up carries the new auth_time; the refresh token stays the same', async () => {
    const u = await mfaUser(h, 'refresh-after@example.com');
    const login = await h.req({ method: 'POST', url: '/auth/jwt/mfa', json: { mfa_token: (await firstFactor(h, u.email)).mfa_token, recovery_code: u.recoveryCodes[1] } });
    const { access_token: access, refresh_token: refresh } = login.json();
    const old = new Date(Date.now() - 600_000).toISOString();
    await h.g.db.kysely.updateTable('sessions').set({ auth_time: old }).where('id', '=', claims(access).sid).execute();
    const stale = await h.req({ method: 'POST', url: '/auth/jwt/refresh', json: { refresh_token: refresh } });
    assert.ok(claims(stale.json().access_token).auth_time < Date.now() / 1000 - 500, 'a refresh never renews auth_time');
    const up = await h.req({ method: 'POST', url: '/auth/reauthenticate', token: stale.json().access_token, json: { totp_code: totpCode(u.secret) } });
    assert.equal(up.statusCode, 200, up.body);
    assert.equal(up.json().refresh_token, undefined, 'no new refresh token: the same session');
    const next = await h.req({ method: 'POST', url: '/auth/jwt/refresh', json: { refresh_token: stale.json().refresh_token } });
    assert.equal(next.statusCode, 200, next.body);
    const c = claims(next.json().access_token);
    assert.ok(c.auth_time >= Date.now() / 1000 - 30);
    assert.deepEqual(c.amr, ['pwd', 'rec', 'otp', 'mfa']);
  });

  test('cookie step-up: 204 and a new access cookie for the same session; the refresh cookie is untouched', async () => {
    await h.register('cookie-stepup@example.com');
    const start = await h.g.app.inject({ url: '/auth/csrf' });
    let jar = jarOf(start);
    const login = await h.g.app.inject({
      method: 'POST', url: '/auth/cookie/login', cookies: jar, payload: `username=cookie-stepup%40example.com&password=${encodeURIComponent(PASSWORD)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, 'x-csrf-token': start.json().csrf_token },
    });
    assert.equal(login.statusCode, 204);
    jar = jarOf(login, jar);
    const before = jar.gatehouse_access!;
    await new Promise((r) => setTimeout(r, 1100)); // auth_time has a resolution of one second
    const noCsrf = await h.g.app.inject({ method: 'POST', url: '/auth/reauthenticate', cookies: jar, payload: { password: PASSWORD }, headers: { origin: ORIGIN } });
    assert.deepEqual([noCsrf.statusCode, noCsrf.json().detail.code], [403, 'CSRF_FAILED']);
    const r = await h.g.app.inject({ method: 'POST', url: '/auth/reauthenticate', cookies: jar, payload: { password: PASSWORD }, headers: { origin: ORIGIN, 'x-csrf-token': jar.gatehouse_csrf! } });
    assert.equal(r.statusCode, 204, r.body);
    const names = (r.cookies as { name: string }[]).map((c) => c.name);
    assert.deepEqual(names, ['gatehouse_access']);
    const after = jarOf(r, { ...jar }).gatehouse_access!;
    assert.equal(claims(after).sid, claims(before).sid);
    assert.ok(claims(after).auth_time > claims(before).auth_time);
  });

  test('without passkeys, the passkey routes answer 404 and a passkey proof is simply wrong', async () => {
    const u = await mfaUser(h, 'no-passkeys@example.com');
    const c = await firstFactor(h, u.email);
    assert.equal((await h.req({ method: 'POST', url: '/auth/mfa/passkey-options', json: { mfa_token: c.mfa_token } })).statusCode, 404);
    assert.equal((await h.req({ method: 'POST', url: '/auth/reauthenticate/passkey-options', token: u.token })).statusCode, 404);
    const r = await h.req({ method: 'POST', url: '/auth/jwt/mfa', json: { mfa_token: c.mfa_token, passkey: { id: 'x' } } });
    assert.deepEqual([r.statusCode, r.json().detail], [400, 'MFA_CODE_INVALID']);
  });
});

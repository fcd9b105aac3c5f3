// TOTP (RFC 6238) as a second factor: enrolment, the login's second step, replay, skew, sealing at rest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onEveryDatabase, PASSWORD } from '../support/harness.ts';
import { firstFactor, mfaUser, totpCode, wrongCode } from '../support/mfa.ts';

onEveryDatabase('TOTP second factor', (h) => {
  test('enrolment is pending until a first code confirms it; then logins need the second step', async () => {
    const { id } = await h.register('pending@example.com');
    const token = await h.login('pending@example.com');
    const e = await h.req({ method: 'POST', url: '/users/me/totp', token });
    assert.equal(e.statusCode, 200, e.body);
    assert.match(e.json().secret, /^[A-Z2-7]{32}$/);
    assert.ok(e.json().otpauth_uri.startsWith('otpauth://totp/Gatehouse:pending%40example.com?'), e.json().otpauth_uri);
    // Pending: the password alone still logs in.
    assert.equal((await h.req({ method: 'POST', url: '/auth/jwt/login', form: { username: 'pending@example.com', password: PASSWORD } })).statusCode, 200);
    const f1 = await h.req({ url: '/users/me/factors', token });
    assert.deepEqual([f1.json().mfa_enabled, f1.json().totp.enabled], [false, false]);
    // A wrong first code does not confirm it.
    const wrong = await h.req({ method: 'POST', url: '/users/me/totp/confirm', token, json: { code: wrongCode(e.json().secret) } });
    assert.deepEqual([wrong.statusCode, wrong.json().detail], [400, 'MFA_CODE_INVALID']);
    const ok = await h.req({ method: 'POST', url: '/users/me/totp/confirm', token, json: { code: totpCode(e.json().secret) } });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().recovery_codes.length, 10);
    assert.equal(new Set(ok.json().recovery_codes).size, 10);
    const f2 = await h.req({ url: '/users/me/factors', token: ok.json().access_token });
    assert.deepEqual([f2.json().mfa_enabled, f2.json().totp.enabled, f2.json().recovery_codes.remaining], [true, true, 10]);
    // The secret is sealed at rest: the column holds no base32 secret.
    const row = await h.g.db.kysely.selectFrom('mfa_totp').selectAll().where('user_id', '=', id).executeTakeFirstOrThrow();
    assert.ok(row.secret_sealed.startsWith('v1.') && !row.secret_sealed.includes(e.json().secret));
    // The recovery codes are stored as digests only.
    const codes = await h.g.db.kysely.selectFrom('mfa_recovery_codes').select('code_hash').where('user_id', '=', id).execute();
    assert.equal(codes.length, 10);
    for (const c of ok.json().recovery_codes) assert.ok(!codes.some((r) => r.code_hash.includes(c.replaceAll('-', ''))));
    const login = await h.req({ method: 'POST', url: '/auth/jwt/login', form: { username: 'pending@example.com', password: PASSWORD } });
    assert.deepEqual([login.statusCode, login.json().detail.code], [400, 'LOGIN_MFA_REQUIRED']);
    assert.equal(login.json().access_token, undefined);
  });

  test('the second step with the current code gives a session whose token says pwd + otp + mfa', async () => {
    const u = await mfaUser(h, 'second@example.com');
    const c = await firstFactor(h, u.email);
    assert.deepEqual(c.methods, ['totp', 'recovery_code']);
    assert.equal(c.expires_in, 300);
    const r = await h.req({ method: 'POST', url: '/auth/jwt/mfa', json: { mfa_token: c.mfa_token, totp_code: totpCode(u.secret) } });
    assert.equal(r.statusCode, 200, r.body);
    const claims = JSON.parse(Buffer.from(r.json().access_token.split('.')[1], 'base64url').toString());
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
    assert.equal((await h.req({ url: '/users/me', token: r.json().access_token })).statusCode, 200);
  });

  test('the same code is accepted once (RFC 6238 §5.2): replayed on a fresh challenge it is refused', async () => {
    const u = await mfaUser(h, 'replay@example.com');
    const code = totpCode(u.secret);
    const first = await h.req({ method: 'POST', url: '/auth/jwt/mfa', json: { mfa_token: (await firstFactor(h, u.email)).mfa_token, totp_code: code } });
    assert.equal(first.statusCode, 200, first.body);
    const again = await h.req({ method: 'POST', url: '/auth/jwt/mfa', json: { mfa_token: (await firstFactor(h, u.email)).mfa_token, totp_code: code } });
    assert.deepEqual([again.statusCode, again.json().detail], [400, 'MFA_CODE_INVALID']);
    // An older step's code after a newer one was used is refused too.
    const older = await h.req({ method: 'POST', url: '/auth/jwt/mfa', json: { mfa_token: (await firstFactor(h, u.email)).mfa_token, totp_code: totpCode(u.secret, Date.now(), -1) } });
    assert.deepEqual([older.statusCode, older.json().detail], [400, 'MFA_CODE_INVALID']);
  });

  test('two parallel second steps with the same code: exactly one succeeds', async () => {
    const u = await mfaUser(h, 'parallel-code@example.com');
    const [a, b] = [await firstFactor(h, u.email), await firstFactor(h, u.email)];
    const code = totpCode(u.secret);
    const rs = await Promise.all([a, b].map((c) => h.req({ method: 'POST', url: '/auth/jwt/mfa', json: { mfa_token: c.mfa_token, totp_code: code } })));
    assert.deepEqual(rs.map((r) => r.statusCode).sort(), [200, 400], rs.map((r) => r.body).join(' '));
  });

  test('two parallel confirmations of one enrolment: one confirms, the other finds nothing pending', async () => {
    await h.register('confirm-race@example.com');
    const token = await h.login('confirm-race@example.com');
    const e = await h.req({ method: 'POST', url: '/users/me/totp', token });
    const code = totpCode(e.json().secret);
    const rs = await Promise.all([0, 1].map(() => h.req({ method: 'POST', url: '/users/me/totp/confirm', token, json: { code } })));
    assert.deepEqual(rs.map((r) => r.statusCode).sort(), [200, 400], rs.map((r) => r.body).join(' '));
    assert.equal(rs.find((r) => r.statusCode === 400)!.json().detail, 'TOTP_NOT_PENDING');
    // One set of recovery codes: the loser made none.
    const id = (await h.req({ url: '/users/me', token: rs.find((r) => r.statusCode === 200)!.json().access_token })).json().id;
    assert.equal((await h.g.db.kysely.selectFrom('mfa_recovery_codes').select('code_hash').where('user_id', '=', id).execute()).length, 10);
  });

  test('±1 step of clock skew is accepted, 2 steps is not', async () => {
    const u = await mfaUser(h, 'skew@example.com');
    const late = await h.req({ method: 'POST', url: '/auth/jwt/mfa', json: { mfa_token: (await firstFactor(h, u.email)).mfa_token, totp_code: totpCode(u.secret, Date.now(), 2) } });
    assert.deepEqual([late.statusCode, late.json().detail], [400, 'MFA_CODE_INVALID']);
    const ahead = await h.req({ method: 'POST', url: '/auth/jwt/mfa', json: { mfa_token: (await firstFactor(h, u.email)).mfa_token, totp_code: totpCode(u.secret, Date.now(), 1) } });
    assert.equal(ahead.statusCode, 200, ahead.body);
  });
});

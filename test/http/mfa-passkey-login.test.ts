// The passkey as the second step of a password login and as the step-up proof, end to end over HTTP with the real
// WebAuthn verification (a software authenticator signs), now that src/passkeys/ is wired into src/mfa/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { onEveryDatabase, PASSWORD, type Harness } from '../support/harness.ts';
import { addPasskey, authenticator } from '../support/passkeys.ts';

async function firstFactor(h: Harness, email: string) {
  const r = await h.req({ method: 'POST', url: '/auth/jwt/login', form: { username: email, password: PASSWORD } });
  assert.equal(r.statusCode, 400);
  assert.equal(r.json().detail.code, 'LOGIN_MFA_REQUIRED');
  return r.json().detail as { mfa_token: string; methods: string[] };
}

onEveryDatabase('a passkey as the second factor of a password login', (h) => {
  test('a user with a password and a passkey must add the passkey after the password; the session says pwd + hwk + mfa', async () => {
    const u = await h.user('pk2fa@example.com');
    const auth = authenticator();
    await addPasskey(h, u.token, auth);
    const c = await firstFactor(h, 'pk2fa@example.com');
    assert.ok(c.methods.includes('passkey'));
    const options = await h.req({ method: 'POST', url: '/auth/mfa/passkey-options', json: { mfa_token: c.mfa_token } });
    assert.equal(options.statusCode, 200);
    const done = await h.req({ method: 'POST', url: '/auth/jwt/mfa', json: { mfa_token: c.mfa_token, passkey: auth.get(options.json()) } });
    assert.equal(done.statusCode, 200);
    assert.deepEqual(decodeJwt(done.json().access_token).amr, ['pwd', 'hwk', 'user', 'mfa']);
    // The challenge is spent: the same answer again gets nothing.
    const again = await h.req({ method: 'POST', url: '/auth/jwt/mfa', json: { mfa_token: c.mfa_token, passkey: auth.get(options.json()) } });
    assert.equal(again.statusCode, 400);
    assert.equal(again.json().detail, 'MFA_CHALLENGE_INVALID');
  });

  test('another user\'s passkey does not finish my login, even claiming my user handle', async () => {
    const victim = await h.user('pk2fa-victim@example.com');
    await addPasskey(h, victim.token, authenticator());
    const attacker = await h.user('pk2fa-attacker@example.com');
    const attackerKey = authenticator();
    await addPasskey(h, attacker.token, attackerKey);
    const c = await firstFactor(h, 'pk2fa-victim@example.com');
    const options = (await h.req({ method: 'POST', url: '/auth/mfa/passkey-options', json: { mfa_token: c.mfa_token } })).json();
    const forged = attackerKey.get(options, { credentialId: attackerKey.credentials[0]!.id.toString('base64url') });
    const r = await h.req({ method: 'POST', url: '/auth/jwt/mfa', json: { mfa_token: c.mfa_token, passkey: forged } });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().detail, 'MFA_CODE_INVALID');
  });

  test('step-up with the passkey refreshes auth_time on the same session; the password alone is refused once a passkey exists', async (t) => {
    const u = await h.user('pk-stepup@example.com');
    const auth = authenticator();
    await addPasskey(h, u.token, auth);
    // The login that follows needs the passkey as second factor; then, later, a sensitive action needs a fresh proof.
    const c = await firstFactor(h, 'pk-stepup@example.com');
    const o = (await h.req({ method: 'POST', url: '/auth/mfa/passkey-options', json: { mfa_token: c.mfa_token } })).json();
    const token = (await h.req({ method: 'POST', url: '/auth/jwt/mfa', json: { mfa_token: c.mfa_token, passkey: auth.get(o) } })).json().access_token;
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() + 600_000 }); // past REAUTH_MAX_AGE (5 min), within the access token's 15
    const byPassword = await h.req({ method: 'POST', url: '/auth/reauthenticate', token, json: { password: PASSWORD } });
    assert.equal(byPassword.statusCode, 400);
    const so = await h.req({ method: 'POST', url: '/auth/reauthenticate/passkey-options', token });
    assert.equal(so.statusCode, 200);
    const r = await h.req({ method: 'POST', url: '/auth/reauthenticate', token, json: { passkey: auth.get(so.json()) } });
    assert.equal(r.statusCode, 200);
    const claims = decodeJwt(r.json().access_token);
    assert.equal(claims.sid, decodeJwt(token).sid);
    assert.ok((claims.auth_time as number) >= Math.floor(Date.now() / 1000) - 5);
  });
});

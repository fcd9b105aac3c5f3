// How the second step, step-up, the factor list and the admin reset use passkeys through the PasskeyVerifier
// interface (src/model/factors.ts). The WebAuthn checks themselves belong to src/passkeys/ and its tests: here a
// test double of the interface stands in for it, strict about what the interface promises (options bound to an
// attempt and a user, single use), so that what this side passes to it is checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { onEveryDatabase, PASSWORD } from '../support/harness.ts';
import { firstFactor, mfaUser, totpCode } from '../support/mfa.ts';
import { AppError } from '../../src/errors.ts';
import type { PasskeySummary, PasskeyVerifier } from '../../src/model/factors.ts';
import type { AuthMethod } from '../../src/model/authentication.ts';

class PasskeysDouble implements PasskeyVerifier {
  readonly keys = new Map<string, PasskeySummary[]>();
  /** Challenges handed out, by attempt: single use, for one user. */
  readonly challenges = new Map<string, { userId: string; challenge: string }>();

  add(userId: string): string {
    const id = randomBytes(8).toString('hex');
    this.keys.set(userId, [...(this.keys.get(userId) ?? []), { id, name: 'key', createdAt: new Date().toISOString(), lastUsedAt: null, backedUp: false, deviceType: 'singleDevice' }]);
    return id;
  }
  async optionsFor(userId: string, attempt: string) {
    const challenge = randomBytes(16).toString('base64url');
    this.challenges.set(attempt, { userId, challenge });
    return { challenge, allowCredentials: (this.keys.get(userId) ?? []).map((k) => ({ id: k.id, type: 'public-key' })), userVerification: 'preferred' };
  }
  async verifyFor(userId: string, attempt: string, response: unknown): Promise<AuthMethod[]> {
    const r = response as { id?: string; challenge?: string };
    const issued = this.challenges.get(attempt);
    this.challenges.delete(attempt);
    const own = (this.keys.get(userId) ?? []).some((k) => k.id === r.id);
    if (!issued || issued.userId !== userId || issued.challenge !== r.challenge || !own) throw new AppError('MFA_CODE_INVALID');
    return ['hwk', 'user'];
  }
  async list(userId: string) {
    return this.keys.get(userId) ?? [];
  }
  async removeAll(userId: string) {
    const n = this.keys.get(userId)?.length ?? 0;
    this.keys.delete(userId);
    return n;
  }
}

const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

onEveryDatabase('passkeys through the PasskeyVerifier interface', (h) => {
  const passkeys = new PasskeysDouble();
  test('a passkey finishes the second step with the options of that very challenge (amr pwd + hwk + user + mfa)', async () => {
    h.g.mfa.factors.usePasskeys(passkeys);
    const { id } = await h.register('pk-second@example.com');
    const keyId = passkeys.add(id);
    await h.g.mfa.factors.factorsChanged(id); // what src/passkeys/ calls after a registration
    const c = await firstFactor(h, 'pk-second@example.com');
    assert.deepEqual(c.methods, ['passkey']);
    const other = await firstFactor(h, 'pk-second@example.com');
    const opts = await h.req({ method: 'POST', url: '/auth/mfa/passkey-options', json: { mfa_token: c.mfa_token } });
    assert.equal(opts.statusCode, 200, opts.body);
    assert.deepEqual(opts.json().allowCredentials, [{ id: keyId, type: 'public-key' }]);
    // The assertion made for one challenge does not finish another login.
    const crossed = await h.req({ method: 'POST', url: '/auth/jwt/mfa', json: { mfa_token: other.mfa_token, passkey: { id: keyId, challenge: opts.json().challenge } } });
    assert.deepEqual([crossed.statusCode, crossed.json().detail], [400, 'MFA_CODE_INVALID']);
    const r = await h.req({ method: 'POST', url: '/auth/jwt/mfa', json: { mfa_token: c.mfa_token, passkey: { id: keyId, challenge: opts.json().challenge } } });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(claims(r.json().access_token).amr, ['pwd', 'hwk', 'user', 'mfa']);
    const f = await h.req({ url: '/users/me/factors', token: r.json().access_token });
    assert.deepEqual([f.json().mfa_enabled, f.json().passkeys.map((p: { id: string }) => p.id)], [true, [keyId]]);
  });

  test('step-up of an account with a passkey and a TOTP must use the passkey (or a recovery code)', async () => {
    h.g.mfa.factors.usePasskeys(passkeys);
    const u = await mfaUser(h, 'pk-stepup@example.com');
    const keyId = passkeys.add(u.id);
    await h.g.mfa.factors.factorsChanged(u.id, { added: true, keepSession: claims(u.token).sid });
    const totp = await h.req({ method: 'POST', url: '/auth/reauthenticate', token: u.token, json: { totp_code: totpCode(u.secret) } });
    assert.deepEqual([totp.statusCode, totp.json().detail.code], [400, 'REAUTHENTICATION_FAILED']);
    assert.match(totp.json().detail.reason, /passkey/);
    const opts = await h.req({ method: 'POST', url: '/auth/reauthenticate/passkey-options', token: u.token });
    assert.equal(opts.statusCode, 200, opts.body);
    const r = await h.req({ method: 'POST', url: '/auth/reauthenticate', token: u.token, json: { passkey: { id: keyId, challenge: opts.json().challenge } } });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(claims(r.json().access_token).amr, ['pwd', 'otp', 'hwk', 'user', 'mfa']);
  });

  test('an admin\'s reset removes the passkeys too, and the next login has no second step', async () => {
    h.g.mfa.factors.usePasskeys(passkeys);
    const { id } = await h.register('pk-reset@example.com');
    passkeys.add(id);
    await h.g.mfa.factors.factorsChanged(id);
    const admin = await h.withRole('pk-admin@example.com', 'super_admin');
    assert.equal((await h.req({ method: 'DELETE', url: `/users/${id}/factors`, token: admin.token })).statusCode, 204);
    assert.equal(passkeys.keys.get(id), undefined);
    assert.equal((await h.req({ method: 'POST', url: '/auth/jwt/login', form: { username: 'pk-reset@example.com', password: PASSWORD } })).statusCode, 200);
  });
});

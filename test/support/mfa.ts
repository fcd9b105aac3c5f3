// Helpers for the second-factor tests: TOTP codes computed with otpauth (as an authenticator app would), and a user
// with an active authenticator app.
import assert from 'node:assert/strict';
import { Secret, TOTP } from 'otpauth';
import type { Harness } from './harness.ts';
import { PASSWORD } from './harness.ts';

/** The code an authenticator app with `secret` shows at `at` (ms), `steps` 30-s steps away. */
export function totpCode(secret: string, at = Date.now(), steps = 0): string {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: at + steps * 30_000 });
}

/** A code that is none of the valid ones around now (the window is ±1 step). */
export function wrongCode(secret: string): string {
  const valid = new Set([-2, -1, 0, 1, 2].map((s) => totpCode(secret, Date.now(), s)));
  for (let n = 0; ; n++) {
    const c = String(n).padStart(6, '0');
    if (!valid.has(c)) return c;
  }
}

export interface MfaUser { id: string; email: string; token: string; secret: string; recoveryCodes: string[] }

/**
 * Registers and logs in `email`, sets up an authenticator app and confirms it. The token returned is the confirming
 * session's new access token (amr otp + mfa). The code used to confirm is of the step before now, so that a test's
 * first login code (of now) is a later step (a code is accepted once per step).
 */
export async function mfaUser(h: Harness, email: string): Promise<MfaUser> {
  const { id } = await h.register(email);
  const token = await h.login(email);
  const enrol = await h.req({ method: 'POST', url: '/users/me/totp', token });
  assert.equal(enrol.statusCode, 200, enrol.body);
  const secret: string = enrol.json().secret;
  const confirm = await h.req({ method: 'POST', url: '/users/me/totp/confirm', token, json: { code: totpCode(secret, Date.now(), -1) } });
  assert.equal(confirm.statusCode, 200, confirm.body);
  return { id, email, token: confirm.json().access_token, secret, recoveryCodes: confirm.json().recovery_codes };
}

/** A password login of an MFA user: the LOGIN_MFA_REQUIRED detail (mfa_token, methods, expires_in). */
export async function firstFactor(h: Harness, email: string, url = '/auth/jwt/login'): Promise<{ mfa_token: string; methods: string[]; expires_in: number }> {
  const r = await h.req({ method: 'POST', url, form: { username: email, password: PASSWORD } });
  assert.equal(r.statusCode, 400, r.body);
  assert.equal(r.json().detail.code, 'LOGIN_MFA_REQUIRED');
  return r.json().detail;
}

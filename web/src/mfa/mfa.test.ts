import { describe, expect, it } from 'vitest';
import { WebAuthnError } from '@simplewebauthn/browser';
import type { Factors } from '../../../client/src/index.ts';
import { challengeFor, orderMethods } from './challenge.ts';
import { mustEnrol } from './enrolment.ts';
import { cleanCode, cleanRecoveryCode, describeOtpauth, groupSecret } from './otpauth.ts';
import { qrModules, qrPath } from './qr.ts';
import { recoveryCodesFileName, recoveryCodesText } from './recovery.ts';
import { currentStepUp, requestStepUp, stepUpProofs, subscribeStepUp } from './stepUp.ts';
import { isAborted, passkeyProblem, suggestPasskeyName } from './webauthn.ts';

const factors = (over: Partial<Factors> = {}): Factors => ({
  mfa_enabled: false, mfa_required: false, totp: { enabled: false, created_at: null }, recovery_codes: { remaining: 0 }, passkeys: [], ...over,
});
const PASSKEY = { id: 'p1', name: 'Laptop', created_at: '2026-01-01T00:00:00Z', last_used_at: null, backed_up: false, device_type: 'singleDevice' as const };

describe('the QR code of an otpauth URI', () => {
  const uri = 'otpauth://totp/Gatehouse:ada%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Gatehouse&algorithm=SHA1&digits=6&period=30';

  it('is a square of modules with the three finder patterns in its corners', () => {
    const m = qrModules(uri);
    const n = m.length;
    expect(n).toBeGreaterThanOrEqual(21);
    expect((n - 17) % 4).toBe(0); // versions are 21, 25, 29… modules wide
    for (const row of m) expect(row).toHaveLength(n);
    // A finder pattern: a dark 7×7 ring, a light ring inside it, a dark 3×3 centre.
    const finder = (r: number, c: number) => [0, 1, 2, 3, 4, 5, 6].map((i) => [0, 1, 2, 3, 4, 5, 6].map((j) => m[r + i]![c + j]));
    const expected = [0, 1, 2, 3, 4, 5, 6].map((i) => [0, 1, 2, 3, 4, 5, 6].map((j) =>
      i === 0 || i === 6 || j === 0 || j === 6 || (i >= 2 && i <= 4 && j >= 2 && j <= 4)));
    expect(finder(0, 0)).toEqual(expected);
    expect(finder(0, n - 7)).toEqual(expected);
    expect(finder(n - 7, 0)).toEqual(expected);
  });

  it('depends on the text (another secret, another code)', () => {
    expect(qrModules(uri)).not.toEqual(qrModules(uri.replace('JBSW', 'KBSW')));
  });

  it('the path draws each horizontal run once, offset by the quiet zone', () => {
    expect(qrPath([[true, true, false, true], [false, false, false, false]], 4)).toBe('M4 4h2v1h-2zM7 4h1v1h-1z');
    expect(qrPath([[false]], 4)).toBe('');
    const m = qrModules(uri);
    const dark = m.flat().filter(Boolean).length;
    const drawn = [...qrPath(m).matchAll(/h(\d+)v1/g)].reduce((sum, r) => sum + Number(r[1]), 0);
    expect(drawn).toBe(dark);
  });
});

describe('otpauth URIs, secrets and codes', () => {
  it('names the issuer and the account, from the label or the issuer parameter', () => {
    expect(describeOtpauth('otpauth://totp/Gatehouse:ada%40example.com?secret=X&issuer=Gatehouse')).toEqual({ issuer: 'Gatehouse', account: 'ada@example.com' });
    expect(describeOtpauth('otpauth://totp/Acme:bob?secret=X')).toEqual({ issuer: 'Acme', account: 'bob' });
    expect(describeOtpauth('otpauth://totp/bob?secret=X')).toEqual({ issuer: null, account: 'bob' });
    expect(describeOtpauth('https://example.com/x')).toEqual({ issuer: null, account: null });
    expect(describeOtpauth('not a uri')).toEqual({ issuer: null, account: null });
  });

  it('groups the secret by four and cleans typed codes', () => {
    expect(groupSecret('JBSWY3DPEHPK3PXP')).toBe('JBSW Y3DP EHPK 3PXP');
    expect(groupSecret('JBSWY3DPEH')).toBe('JBSW Y3DP EH');
    expect(cleanCode(' 123 456 ')).toBe('123456');
    expect(cleanCode('123-456')).toBe('123456');
    expect(cleanRecoveryCode(' abcd-efgh ')).toBe('abcd-efgh');
    expect(cleanRecoveryCode('abcd efgh')).toBe('abcdefgh');
  });
});

describe('recovery codes to keep', () => {
  it('a text file that says what they are, for whom, and lists every code on its own line', () => {
    const text = recoveryCodesText(['aaaa-1111', 'bbbb-2222'], 'ada@example.com', 'Gatehouse', new Date('2026-12-06T20:00:00Z'));
    expect(text.split('\n')[0]).toBe('Gatehouse recovery codes for ada@example.com');
    expect(text).toContain('Generated 2026-12-06.');
    expect(text.split('\n')).toEqual(expect.arrayContaining(['aaaa-1111', 'bbbb-2222']));
    expect(recoveryCodesFileName('Gatehouse')).toBe('gatehouse-recovery-codes.txt');
    expect(recoveryCodesFileName('My App!')).toBe('my-app-recovery-codes.txt');
  });
});

describe('the step-up dialog', () => {
  it('asks for the strongest factors only: the password alone no longer counts once there is a second factor', () => {
    expect(stepUpProofs(factors())).toEqual(['password']);
    expect(stepUpProofs(factors({ mfa_enabled: true, totp: { enabled: true, created_at: null }, recovery_codes: { remaining: 10 } })))
      .toEqual(['totp', 'recovery_code']);
    expect(stepUpProofs(factors({ mfa_enabled: true, passkeys: [PASSKEY], totp: { enabled: true, created_at: null }, recovery_codes: { remaining: 0 } })))
      .toEqual(['passkey', 'totp']);
    expect(stepUpProofs(undefined), 'factors unknown: every proof, the server judges').toEqual(['passkey', 'totp', 'password', 'recovery_code']);
  });

  it('one request at a time: opened, then finished once, its promise resolved with the outcome', async () => {
    let changes = 0;
    const off = subscribeStepUp(() => changes++);
    try {
      const first = requestStepUp();
      const open = currentStepUp()!;
      expect(open).not.toBeNull();
      open.finish(true);
      open.finish(false); // a second finish is ignored
      await expect(first).resolves.toBe(true);
      expect(currentStepUp()).toBeNull();

      const cancelled = requestStepUp();
      const replaced = currentStepUp()!;
      const second = requestStepUp(); // a guard: a new request closes the old one as cancelled
      await expect(cancelled).resolves.toBe(false);
      expect(currentStepUp()).not.toBe(replaced);
      currentStepUp()!.finish(true);
      await expect(second).resolves.toBe(true);
      expect(changes).toBeGreaterThanOrEqual(5);
    } finally {
      off();
    }
  });
});

describe('the second step and enrolment', () => {
  it('the challenge comes from the sign-in page, or from the social-login callback\'s address (every method offered)', () => {
    const held = { challenge: { mfa_token: 't1', methods: ['passkey' as const], expires_in: 300 }, next: '/profile' };
    expect(challengeFor(null, held)).toBe(held.challenge);
    expect(challengeFor('t2', held)).toEqual({ mfa_token: 't2', methods: ['totp', 'passkey', 'recovery_code'], expires_in: 300 });
    expect(challengeFor(null, null)).toBeNull();
    expect(orderMethods(['recovery_code', 'passkey', 'totp'])).toEqual(['totp', 'passkey', 'recovery_code']);
  });

  it('a user must enrol when their role requires a factor and they have none', () => {
    expect(mustEnrol(factors({ mfa_required: true }))).toBe(true);
    expect(mustEnrol(factors({ mfa_required: true, mfa_enabled: true }))).toBe(false);
    expect(mustEnrol(factors())).toBe(false);
    expect(mustEnrol(undefined)).toBe(false);
  });
});

describe('passkey requests in the browser', () => {
  it('failures read as sentences; an aborted request is told apart (not shown)', () => {
    const cancelled = Object.assign(new Error('The operation either timed out or was not allowed.'), { name: 'NotAllowedError' });
    expect(passkeyProblem(cancelled)).toMatch(/cancelled or timed out/);
    const twice = new WebAuthnError({ message: 'x', code: 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED', cause: new Error('x') });
    expect(passkeyProblem(twice)).toMatch(/already holds a passkey/);
    const aborted = new WebAuthnError({ message: 'x', code: 'ERROR_CEREMONY_ABORTED', cause: new Error('x'), name: 'AbortError' });
    expect(isAborted(aborted)).toBe(true);
    expect(isAborted(cancelled)).toBe(false);
    expect(passkeyProblem(new TypeError('x'))).toBeNull();
  });

  it('a new passkey is named after the device it is made on', () => {
    expect(suggestPasskeyName('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36')).toBe('Chrome on Linux');
    expect(suggestPasskeyName(undefined)).toBe('My passkey');
  });
});

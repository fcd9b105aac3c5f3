import { describe, expect, it, vi } from 'vitest';
import { createClient } from './client.ts';
import { ApiError, toApiError } from './errors.ts';
import { mfaChallengeOf } from './mfa.ts';
import { memoryTokenStore } from './transport.ts';
import { deferred, fakeFetch, json, noContent, type Sent } from './testing.ts';

const csrf = () => json(200, { csrf_token: 'csrf-1' });
const calls = (sent: Sent[]) => sent.map((s) => `${s.method} ${s.path}`);
const MFA_REQUIRED = { detail: { code: 'LOGIN_MFA_REQUIRED', reason: 'a second factor is needed', mfa_token: 'mfa-1', methods: ['totp', 'recovery_code', 'passkey'], expires_in: 300 } };
const STEP_UP = () => json(403, { detail: 'REAUTHENTICATION_REQUIRED' }, { 'www-authenticate': 'Bearer error="insufficient_user_authentication", max_age=300' });
const PAIR = { access_token: 'a1', refresh_token: 'r1', token_type: 'bearer' as const, expires_in: 900 };

describe('the login\'s second step', () => {
  it('LOGIN_MFA_REQUIRED keeps its challenge in `extra`, and mfaChallengeOf reads it (unknown methods dropped)', () => {
    const err = toApiError(400, { detail: { ...MFA_REQUIRED.detail, methods: ['totp', 'sms'] } });
    expect(err.code).toBe('LOGIN_MFA_REQUIRED');
    expect(err.reason).toBe('a second factor is needed');
    expect(mfaChallengeOf(err)).toEqual({ mfa_token: 'mfa-1', methods: ['totp'], expires_in: 300 });
    expect(mfaChallengeOf(toApiError(400, { detail: 'LOGIN_BAD_CREDENTIALS' }))).toBeNull();
    expect(mfaChallengeOf(toApiError(400, { detail: { code: 'LOGIN_MFA_REQUIRED', reason: 'x' } })), 'no token: no challenge').toBeNull();
  });

  it('a password login that needs a second factor resolves to the challenge, not a session; other failures still throw', async () => {
    const fetch = fakeFetch({ 'GET /auth/csrf': csrf, 'POST /auth/cookie/login': (r) => (r.body?.includes('wrong') ? json(400, { detail: 'LOGIN_BAD_CREDENTIALS' }) : json(400, MFA_REQUIRED)) });
    const api = createClient({ fetch });
    expect(await api.login({ username: 'a', password: 'pw' })).toEqual({ status: 'mfa-required', challenge: { mfa_token: 'mfa-1', methods: ['totp', 'recovery_code', 'passkey'], expires_in: 300 } });
    await expect(api.login({ username: 'a', password: 'wrong' })).rejects.toMatchObject({ code: 'LOGIN_BAD_CREDENTIALS' });
  });

  it('cookie mode: the second step goes to /auth/cookie/mfa with the token and one factor, then takes the session\'s CSRF token', async () => {
    let n = 0;
    const fetch = fakeFetch({
      'GET /auth/csrf': () => json(200, { csrf_token: `csrf-${++n}` }), 'POST /auth/cookie/mfa': noContent,
      'PATCH /users/me': () => json(200, {}),
    });
    const api = createClient({ fetch });
    await api.completeMfa('mfa-1', { totp_code: '123456' });
    await api.updateMe({ full_name: 'A' });
    expect(calls(fetch.sent)).toEqual(['GET /auth/csrf', 'POST /auth/cookie/mfa', 'GET /auth/csrf', 'PATCH /users/me']);
    expect(JSON.parse(fetch.sent[1]!.body!)).toEqual({ mfa_token: 'mfa-1', totp_code: '123456' });
    expect(fetch.sent[3]!.headers['x-csrf-token']).toBe('csrf-2');
  });

  it('bearer mode: /auth/jwt/mfa answers the token pair, which the client keeps', async () => {
    const tokens = memoryTokenStore();
    const fetch = fakeFetch({ 'POST /auth/jwt/login': () => json(400, MFA_REQUIRED), 'POST /auth/jwt/mfa': () => json(200, PAIR) });
    const api = createClient({ fetch, mode: 'bearer', tokens });
    const result = await api.login({ username: 'a', password: 'pw' });
    expect(result.status).toBe('mfa-required');
    expect(tokens.get()).toBeNull();
    await api.completeMfa('mfa-1', { recovery_code: 'abcd-efgh' });
    expect(tokens.get()).toEqual(PAIR);
    expect(fetch.sent[1]!.headers['x-csrf-token']).toBeUndefined();
  });

  it('a wrong code is an ApiError, never a 401 refresh loop', async () => {
    const fetch = fakeFetch({ 'GET /auth/csrf': csrf, 'POST /auth/cookie/mfa': () => json(400, { detail: 'MFA_CODE_INVALID' }) });
    await expect(createClient({ fetch }).completeMfa('mfa-1', { totp_code: '000000' })).rejects.toMatchObject({ code: 'MFA_CODE_INVALID' });
    expect(calls(fetch.sent)).toEqual(['GET /auth/csrf', 'POST /auth/cookie/mfa']);
  });
});

describe('step-up', () => {
  it('a 403 REAUTHENTICATION_REQUIRED goes to the handler, and the request is sent once more after it', async () => {
    let fresh = false;
    const fetch = fakeFetch({
      'GET /auth/csrf': csrf, 'DELETE /users/me/totp': () => (fresh ? noContent() : STEP_UP()),
      'POST /auth/reauthenticate': () => { fresh = true; return noContent(); },
    });
    const api = createClient({
      fetch,
      onReauthenticationRequired: async (err) => {
        expect(err.code).toBe('REAUTHENTICATION_REQUIRED');
        await api.reauthenticate({ password: 'pw' });
        return true;
      },
    });
    await api.removeTotp();
    expect(calls(fetch.sent)).toEqual(['GET /auth/csrf', 'DELETE /users/me/totp', 'POST /auth/reauthenticate', 'DELETE /users/me/totp']);
  });

  it('cancelled (false), or without a handler, the 403 reaches the caller', async () => {
    const fetch = fakeFetch({ 'GET /auth/csrf': csrf, 'DELETE /users/me/totp': STEP_UP });
    await expect(createClient({ fetch }).removeTotp()).rejects.toMatchObject({ code: 'REAUTHENTICATION_REQUIRED' });
    const handler = vi.fn(async () => false);
    await expect(createClient({ fetch, onReauthenticationRequired: handler }).removeTotp()).rejects.toMatchObject({ code: 'REAUTHENTICATION_REQUIRED' });
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('retries once only: a second refusal after the step-up is thrown, the user is not asked again', async () => {
    const fetch = fakeFetch({ 'GET /auth/csrf': csrf, 'POST /users/me/recovery-codes': STEP_UP });
    const handler = vi.fn(async () => true);
    await expect(createClient({ fetch, onReauthenticationRequired: handler }).regenerateRecoveryCodes()).rejects.toBeInstanceOf(ApiError);
    expect(handler).toHaveBeenCalledTimes(1);
    expect(calls(fetch.sent).filter((c) => c === 'POST /users/me/recovery-codes')).toHaveLength(2);
  });

  it('requests that meet it together share one step-up (one dialog)', async () => {
    let fresh = false;
    const fetch = fakeFetch({
      'GET /auth/csrf': csrf, 'DELETE /users/me/passkeys/p1': () => (fresh ? noContent() : STEP_UP()),
      'DELETE /users/me/passkeys/p2': () => (fresh ? noContent() : STEP_UP()),
    });
    const gate = deferred<boolean>();
    const handler = vi.fn(() => gate.promise);
    const api = createClient({ fetch, onReauthenticationRequired: handler });
    const both = Promise.all([api.deletePasskey('p1'), api.deletePasskey('p2')]);
    await vi.waitFor(() => expect(calls(fetch.sent).filter((c) => c.startsWith('DELETE')).length).toBe(2));
    fresh = true;
    gate.resolve(true);
    await both;
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('bearer mode: reauthenticate keeps the new access token and the same refresh token', async () => {
    const tokens = memoryTokenStore();
    tokens.set(PAIR);
    const fetch = fakeFetch({ 'POST /auth/reauthenticate': () => json(200, { access_token: 'a2', token_type: 'bearer', expires_in: 600 }) });
    await createClient({ fetch, mode: 'bearer', tokens }).reauthenticate({ totp_code: '123456' });
    expect(tokens.get()).toEqual({ ...PAIR, access_token: 'a2', expires_in: 600 });
    expect(fetch.sent[0]!.headers.authorization).toBe('Bearer a1');
  });

  it('MFA_ENROLLMENT_REQUIRED tells the app (to lead the user to enrol), and still reaches the caller', async () => {
    const fetch = fakeFetch({ 'GET /users/me/sessions': () => json(403, { detail: 'MFA_ENROLLMENT_REQUIRED' }) });
    const told = vi.fn();
    await expect(createClient({ fetch, onMfaEnrollmentRequired: told }).mySessions()).rejects.toMatchObject({ code: 'MFA_ENROLLMENT_REQUIRED' });
    expect(told).toHaveBeenCalledTimes(1);
  });
});

describe('passkeys and factors', () => {
  it('passwordless sign-in: options (with the attempt), then the assertion to the cookie route', async () => {
    const fetch = fakeFetch({
      'GET /auth/csrf': csrf, 'POST /auth/passkey/options': () => json(200, { attempt: 'att-1', options: { challenge: 'c', rpId: 'example.com' } }),
      'POST /auth/cookie/passkey': noContent,
    });
    const api = createClient({ fetch });
    const { attempt, options } = await api.passkeyLoginOptions();
    expect([attempt, options.challenge]).toEqual(['att-1', 'c']);
    const response = { id: 'cred', rawId: 'cred', type: 'public-key', response: { clientDataJSON: 'x', authenticatorData: 'y', signature: 'z' }, clientExtensionResults: {} } as const;
    await api.passkeyLogin(attempt, response);
    expect(JSON.parse(fetch.sent.at(-1)!.body!)).toEqual({ attempt: 'att-1', response });
  });

  it('TOTP confirm answers the recovery codes; in bearer mode the upgraded access token replaces the old one', async () => {
    const tokens = memoryTokenStore();
    tokens.set(PAIR);
    const fetch = fakeFetch({ 'POST /users/me/totp/confirm': () => json(200, { recovery_codes: ['a', 'b'], access_token: 'a-mfa', token_type: 'bearer', expires_in: 900 }) });
    expect(await createClient({ fetch, mode: 'bearer', tokens }).confirmTotp('123456')).toEqual({ recovery_codes: ['a', 'b'] });
    expect(tokens.get()!.access_token).toBe('a-mfa');
    expect(tokens.get()!.refresh_token).toBe('r1');
  });

  it('path parameters are encoded', async () => {
    const fetch = fakeFetch({ 'GET /auth/csrf': csrf, 'PATCH /users/me/passkeys/a%2Fb': () => json(200, {}), 'DELETE /users/u%201/factors': noContent });
    const api = createClient({ fetch });
    await api.renamePasskey('a/b', 'Laptop');
    await api.removeUserFactors('u 1');
    expect(JSON.parse(fetch.sent[1]!.body!)).toEqual({ name: 'Laptop' });
  });
});

// The login lockout's device cookies (src/manager/trusted-devices.ts, OWASP's "device cookies"): an attacker who keeps
// an account locked does not keep its owner's browser out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { onEveryDatabase, PASSWORD, type Harness } from '../support/harness.ts';

type Cookie = { name: string; value: string; httpOnly?: boolean; sameSite?: string; path?: string; maxAge?: number };
const login = (h: Harness, ip: string, username: string, password = PASSWORD, device?: string) => h.g.app.inject({
  method: 'POST', url: '/auth/jwt/login', remoteAddress: ip, cookies: device ? { gatehouse_device: device } : {},
  headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ username, password }).toString(),
});
const deviceCookie = (r: LightMyRequestResponse): Cookie | undefined => (r.cookies as Cookie[]).find((c) => c.name === 'gatehouse_device');
/** Logs `email` in with the right password and answers the device cookie it was given. */
async function trustedBrowser(h: Harness, email: string): Promise<string> {
  const r = await login(h, '10.9.0.1', email);
  assert.equal(r.statusCode, 200, r.body);
  return deviceCookie(r)!.value;
}
const lockOut = async (h: Harness, email: string) => {
  for (let i = 0; i < 3; i++) assert.equal((await login(h, `10.9.1.${i}`, email, 'wrong password')).statusCode, 400);
  assert.deepEqual((await login(h, '10.9.1.9', email)).json(), { detail: 'LOGIN_LOCKED' });
};

onEveryDatabase('device cookies against the login lockout', (h) => {
  test('an attacker who locks an account does not lock out the browser its owner logged in with', async () => {
    await h.register('owner@example.com');
    const device = await trustedBrowser(h, 'owner@example.com');
    await lockOut(h, 'owner@example.com');
    const r = await login(h, '10.9.0.1', 'owner@example.com', PASSWORD, device);
    assert.equal(r.statusCode, 200, r.body);
    assert.ok(r.json().access_token);
    // The lock still holds every client without the cookie.
    assert.deepEqual((await login(h, '10.9.1.10', 'owner@example.com')).json(), { detail: 'LOGIN_LOCKED' });
  });

  test('a device cookie counts only for the login it was issued to; a forged or altered one counts as none', async () => {
    await h.register('alice@example.com');
    await h.register('bob@example.com');
    const alices = await trustedBrowser(h, 'alice@example.com');
    await lockOut(h, 'bob@example.com');
    const [until, nonce, mac] = alices.split('.') as [string, string, string];
    const flip = (s: string) => `${s.slice(0, -1)}${s.endsWith('9') ? '8' : /\d$/.test(s) ? '9' : s.endsWith('A') ? 'B' : 'A'}`;
    const forged = [`${flip(until)}.${nonce}.${mac}`, `${until}.${flip(nonce)}.${mac}`, `${until}.${nonce}.${flip(mac)}`, `${until}.${'A'.repeat(22)}.${'A'.repeat(43)}`];
    for (const device of [alices, ...forged, 'x'.repeat(300)]) {
      assert.deepEqual((await login(h, '10.9.2.1', 'bob@example.com', PASSWORD, device)).json(), { detail: 'LOGIN_LOCKED' }, device);
    }
    // Alice's cookie works for her, typed in another case too (one lookup key).
    assert.equal((await login(h, '10.9.2.1', 'ALICE@example.com', PASSWORD, alices)).statusCode, 200);
  });

  test('20 parallel wrong passwords with a device cookie get at most 3 verifications and lock that cookie, not the account', async () => {
    await h.register('stolen@example.com');
    const device = await trustedBrowser(h, 'stolen@example.com');
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => login(h, `10.9.3.${i}`, 'stolen@example.com', `wrong password ${i}`, device)));
    const verified = answers.filter((r) => r.statusCode === 400);
    assert.ok(verified.length >= 1 && verified.length <= 3, `${verified.length} wrong passwords were verified`);
    for (const r of answers.filter((a) => a.statusCode !== 400)) assert.deepEqual(r.json(), { detail: 'LOGIN_LOCKED' });
    assert.deepEqual((await login(h, '10.9.3.99', 'stolen@example.com', PASSWORD, device)).json(), { detail: 'LOGIN_LOCKED' });
    // The account's own lock was not touched: a client without that cookie logs in.
    assert.equal((await login(h, '10.9.3.98', 'stolen@example.com')).statusCode, 200);
    const failures = await h.g.db.kysely.selectFrom('audit_events').select('detail').where('type', '=', 'login.failure').execute();
    const detail = (d: unknown) => (typeof d === 'string' ? JSON.parse(d) : d) as Record<string, unknown>;
    assert.ok(failures.map((f) => detail(f.detail)).filter((d) => d.login === 'stolen@example.com').every((d) => d.trusted_device === true));
  });

  test('the cookie is HttpOnly, SameSite=Strict, for every path, kept half a year, and new at every login', async () => {
    await h.register('attributes@example.com');
    const first = deviceCookie(await login(h, '10.9.4.1', 'attributes@example.com'))!;
    assert.deepEqual([first.httpOnly, first.sameSite, first.path, first.maxAge], [true, 'Strict', '/', 180 * 86_400]);
    const second = deviceCookie(await login(h, '10.9.4.1', 'attributes@example.com', PASSWORD, first.value))!;
    assert.notEqual(second.value, first.value);
    assert.equal(deviceCookie(await login(h, '10.9.4.1', 'attributes@example.com', 'wrong password')), undefined, 'no cookie without the right password');
  });
}, { LOGIN_LOCK_AFTER: '3', LOGIN_LOCK_BASE: '10s', LOGIN_LOCK_MAX: '2m' });

onEveryDatabase('device cookies against the per-account login rate limit', (h) => {
  test('attempts on an account from many IPs do not hold back its owner\'s browser', async () => {
    await h.register('limited@example.com');
    const device = await trustedBrowser(h, 'limited@example.com');
    for (let i = 0; i < 4; i++) await login(h, `10.9.5.${i}`, 'limited@example.com', 'wrong password');
    assert.deepEqual((await login(h, '10.9.5.20', 'limited@example.com')).json(), { detail: 'RATE_LIMITED' });
    assert.equal((await login(h, '10.9.5.21', 'limited@example.com', PASSWORD, device)).statusCode, 200);
  });
}, { RATE_LIMITS: 'true', RATE_LIMIT_LOGIN_IP: '100/1m', RATE_LIMIT_LOGIN_ACCOUNT: '5/1m', LOGIN_LOCK_AFTER: '100' });

// Step-up (re-authentication) and the routes that need it; the MFA_REQUIRED_ROLES policy; an admin's factor reset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onEveryDatabase, PASSWORD, type Harness } from '../support/harness.ts';
import { AccessTokens } from '../../src/auth/access-token.ts';
import { firstFactor, mfaUser, totpCode, wrongCode } from '../support/mfa.ts';

const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
/**
 * Makes the session behind `token` look as if its user last proved themselves 10 minutes ago (REAUTH_MAX_AGE is 5m)
 * and returns its id.
 */
async function age(h: Harness, token: string): Promise<string> {
  const sid = claims(token).sid;
  const old = new Date(Date.now() - 600_000).toISOString();
  await h.g.db.kysely.updateTable('sessions').set({ auth_time: old, created_at: old }).where('id', '=', sid).execute();
  return sid;
}

/** An access token stating the session's stored amr and auth_time: what a client holds after its next refresh. */
async function staleToken(h: Harness, user: { id: string }, sid: string): Promise<string> {
  const session = await h.g.db.kysely.selectFrom('sessions').selectAll().where('id', '=', sid).executeTakeFirstOrThrow();
  const tokens = new AccessTokens({ keys: h.g.keys, audience: h.config.jwt.audience, issuer: h.config.jwt.issuer, ttlSeconds: 900 });
  return tokens.issue(user.id, sid, { amr: JSON.parse(session.amr!), authTime: Math.floor(new Date(session.auth_time!).getTime() / 1000) });
}

onEveryDatabase('step-up', (h) => {
  test('an old auth_time is refused on a sensitive route (403 REAUTHENTICATION_REQUIRED, RFC 9470 challenge); re-authenticating with TOTP lets it through, same session', async () => {
    const u = await mfaUser(h, 'stepup@example.com');
    const sid = await age(h, u.token);
    const old = await staleToken(h, u, sid);
    const refused = await h.req({ method: 'POST', url: '/users/me/recovery-codes', token: old });
    assert.deepEqual([refused.statusCode, refused.json().detail], [403, 'REAUTHENTICATION_REQUIRED']);
    assert.match(String(refused.headers['www-authenticate']), /insufficient_user_authentication.*max_age=300/);
    for (const [method, url] of [['POST', '/users/me/totp'], ['DELETE', '/users/me/totp']]) {
      const r = await h.req({ method, url, token: old });
      assert.deepEqual([r.statusCode, r.json().detail], [403, 'REAUTHENTICATION_REQUIRED'], `${method} ${url}`);
    }
    // The password alone is not this account's strongest factor.
    const pwd = await h.req({ method: 'POST', url: '/auth/reauthenticate', token: old, json: { password: PASSWORD } });
    assert.deepEqual([pwd.statusCode, pwd.json().detail.code], [400, 'REAUTHENTICATION_FAILED']);
    const wrong = await h.req({ method: 'POST', url: '/auth/reauthenticate', token: old, json: { totp_code: wrongCode(u.secret) } });
    assert.deepEqual([wrong.statusCode, wrong.json().detail], [400, 'MFA_CODE_INVALID']);
    const r = await h.req({ method: 'POST', url: '/auth/reauthenticate', token: old, json: { totp_code: totpCode(u.secret) } });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(Object.keys(r.json()).sort(), ['access_token', 'expires_in', 'token_type']);
    const c = claims(r.json().access_token);
    assert.equal(c.sid, sid, 'the same session');
    assert.ok(Math.abs(c.auth_time - Date.now() / 1000) < 30);
    assert.deepEqual(c.amr, ['pwd', 'otp', 'mfa']);
    assert.equal((await h.req({ method: 'POST', url: '/users/me/recovery-codes', token: r.json().access_token })).statusCode, 200);
    // A refresh keeps the new auth_time (the session row carries it).
    const session = await h.g.db.kysely.selectFrom('sessions').select('auth_time').where('id', '=', sid).executeTakeFirstOrThrow();
    assert.ok(Date.now() - new Date(session.auth_time as string).getTime() < 30_000);
    assert.equal((await h.g.db.kysely.selectFrom('audit_events').select('id').where('user_id', '=', u.id).where('type', '=', 'reauth').execute()).length, 1);
  });

  test('an account without a second factor re-authenticates with its password (and not with a wrong one)', async () => {
    const { id, token } = await h.user('pwd-stepup@example.com');
    const sid = await age(h, token);
    const old = await staleToken(h, { id }, sid);
    const wrong = await h.req({ method: 'POST', url: '/auth/reauthenticate', token: old, json: { password: 'nope nope nope' } });
    assert.deepEqual([wrong.statusCode, wrong.json().detail.code], [400, 'REAUTHENTICATION_FAILED']);
    const r = await h.req({ method: 'POST', url: '/auth/reauthenticate', token: old, json: { password: PASSWORD } });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(claims(r.json().access_token).amr, ['pwd']);
  });

  test('PATCH /users/me: with a second factor the current password is not enough after REAUTH_MAX_AGE; without one it still is', async () => {
    const u = await mfaUser(h, 'patch-mfa@example.com');
    const old = await staleToken(h, u, await age(h, u.token));
    const r = await h.req({ method: 'PATCH', url: '/users/me', token: old, json: { password: 'a brand new password', current_password: PASSWORD } });
    assert.deepEqual([r.statusCode, r.json().detail], [403, 'REAUTHENTICATION_REQUIRED']);
    const fresh = (await h.req({ method: 'POST', url: '/auth/reauthenticate', token: old, json: { totp_code: totpCode(u.secret) } })).json().access_token;
    assert.equal((await h.req({ method: 'PATCH', url: '/users/me', token: fresh, json: { password: 'a brand new password' } })).statusCode, 200);
    const plain = await h.user('patch-plain@example.com');
    const oldPlain = await staleToken(h, plain, await age(h, plain.token));
    const ok = await h.req({ method: 'PATCH', url: '/users/me', token: oldPlain, json: { password: 'a brand new password', current_password: PASSWORD } });
    assert.equal(ok.statusCode, 200, ok.body);
  });

  test('removing the authenticator app needs a step-up; then logins have no second step again', async () => {
    const u = await mfaUser(h, 'remove@example.com');
    const old = await staleToken(h, u, await age(h, u.token));
    assert.equal((await h.req({ method: 'DELETE', url: '/users/me/totp', token: old })).statusCode, 403);
    const fresh = (await h.req({ method: 'POST', url: '/auth/reauthenticate', token: old, json: { recovery_code: u.recoveryCodes[0] } })).json().access_token;
    assert.equal((await h.req({ method: 'DELETE', url: '/users/me/totp', token: fresh })).statusCode, 204);
    const f = (await h.req({ url: '/users/me/factors', token: fresh })).json();
    assert.deepEqual([f.mfa_enabled, f.totp.enabled, f.recovery_codes.remaining], [false, false, 0], 'the recovery codes went with the last factor');
    assert.equal((await h.req({ method: 'POST', url: '/auth/jwt/login', form: { username: u.email, password: PASSWORD } })).statusCode, 200);
  });

  test('every admin write needs a step-up: PATCH and DELETE /users/{id}, ending a user\'s sessions, resetting factors', async () => {
    const admin = await h.withRole('stepup-admin@example.com', 'super_admin');
    const target = await mfaUser(h, 'stepup-target@example.com');
    const old = await staleToken(h, admin, await age(h, admin.token));
    const writes: [string, string, unknown?][] = [
      ['PATCH', `/users/${target.id}`, { full_name: 'X' }], ['DELETE', `/users/${target.id}/sessions`], ['DELETE', `/users/${target.id}/factors`], ['DELETE', `/users/${target.id}`],
    ];
    for (const [method, url, json] of writes) {
      const r = await h.req({ method, url, token: old, ...(json ? { json } : {}) });
      assert.deepEqual([r.statusCode, r.json().detail], [403, 'REAUTHENTICATION_REQUIRED'], `${method} ${url}`);
    }
    assert.equal((await h.req({ url: `/users/${target.id}`, token: old })).statusCode, 200, 'reads need no step-up');
    const factors = await h.req({ url: `/users/${target.id}/factors`, token: old });
    assert.deepEqual([factors.statusCode, factors.json().totp.enabled, factors.json().mfa_enabled], [200, true, true]);
    const fresh = (await h.req({ method: 'POST', url: '/auth/reauthenticate', token: old, json: { password: PASSWORD } })).json().access_token;
    const reset = await h.req({ method: 'DELETE', url: `/users/${target.id}/factors`, token: fresh });
    assert.equal(reset.statusCode, 204, reset.body);
    assert.deepEqual((await h.req({ url: `/users/${target.id}/factors`, token: fresh })).json().mfa_enabled, false);
    assert.equal((await h.req({ method: 'POST', url: '/auth/jwt/login', form: { username: target.email, password: PASSWORD } })).statusCode, 200);
    const audit = await h.g.db.kysely.selectFrom('audit_events').selectAll().where('type', '=', 'mfa.factors_reset_by_admin').where('user_id', '=', target.id).execute();
    assert.deepEqual([audit.length, audit[0]?.actor_id], [1, admin.id]);
    const mails = await h.g.db.kysely.selectFrom('mail_outbox').select('detail').where('email', '=', target.email).where('kind', '=', 'security_notice').execute();
    assert.ok(mails.some((m) => m.detail === 'factors_reset_by_admin'));
  });
});

onEveryDatabase('MFA_REQUIRED_ROLES', (h) => {
  test('an admin without a second factor may only enrol: every other route answers 403 MFA_ENROLLMENT_REQUIRED until then', async () => {
    const admin = await h.withRole('must-enrol@example.com', 'admin');
    const blocked = await h.req({ url: '/users', token: admin.token });
    assert.deepEqual([blocked.statusCode, blocked.json().detail], [403, 'MFA_ENROLLMENT_REQUIRED']);
    assert.equal((await h.req({ url: '/users/me/sessions', token: admin.token })).json().detail, 'MFA_ENROLLMENT_REQUIRED');
    assert.equal((await h.req({ url: '/users/me', token: admin.token })).statusCode, 200);
    const f = await h.req({ url: '/users/me/factors', token: admin.token });
    assert.deepEqual([f.statusCode, f.json().mfa_required, f.json().mfa_enabled], [200, true, false]);
    const e = await h.req({ method: 'POST', url: '/users/me/totp', token: admin.token });
    assert.equal(e.statusCode, 200, e.body);
    const c = await h.req({ method: 'POST', url: '/users/me/totp/confirm', token: admin.token, json: { code: totpCode(e.json().secret, Date.now(), -1) } });
    assert.equal(c.statusCode, 200, c.body);
    assert.equal((await h.req({ url: '/users', token: c.json().access_token })).statusCode, 200);
    // And the next login of that admin needs the second step.
    const ff = await firstFactor(h, 'must-enrol@example.com');
    assert.deepEqual(ff.methods, ['totp', 'recovery_code']);
  });

  test('an ordinary user is not concerned', async () => {
    const { token } = await h.user('ordinary@example.com');
    assert.equal((await h.req({ url: '/users/me/sessions', token })).statusCode, 200);
    assert.equal((await h.req({ url: '/users/me/factors', token })).json().mfa_required, false);
  });
}, { MFA_REQUIRED_ROLES: 'admin,super_admin' });

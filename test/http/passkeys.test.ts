import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { onEveryDatabase, type Harness } from '../support/harness.ts';
import { startSmtp } from '../support/smtp.ts';
import { addPasskey, auditOf, authenticator, loginOptions, signInWith, tryAddPasskey } from '../support/passkeys.ts';

onEveryDatabase('passkeys: registration and management', (h) => {
  test('a user registers several named passkeys, lists, renames and deletes them; each change is audited and mailed', async () => {
    const { id, token } = await h.user('pk-manage@example.com');
    const laptop = authenticator();
    const phone = authenticator({ synced: true, counts: false });
    const first = await addPasskey(h, token, laptop, 'Laptop');
    const second = await addPasskey(h, token, phone, 'Phone');
    assert.deepEqual(Object.keys(first).sort(), ['backed_up', 'created_at', 'device_type', 'id', 'last_used_at', 'name']);
    const list = (await h.req({ url: '/users/me/passkeys', token })).json();
    assert.deepEqual(list.map((p: any) => [p.name, p.device_type, p.backed_up, p.last_used_at]), [
      ['Laptop', 'singleDevice', false, null], ['Phone', 'multiDevice', true, null],
    ]);

    // The next options exclude both (the authenticator must not register one of them twice), and are for a discoverable credential.
    const o = (await h.req({ method: 'POST', url: '/users/me/passkeys/options', token })).json();
    assert.equal(o.excludeCredentials.length, 2);
    assert.equal(o.authenticatorSelection.residentKey, 'required');
    assert.equal(o.authenticatorSelection.userVerification, 'preferred');
    assert.equal(o.rp.id, '127.0.0.1');

    const renamed = await h.req({ method: 'PATCH', url: `/users/me/passkeys/${first.id}`, token, json: { name: '  Work laptop ' } });
    assert.equal(renamed.statusCode, 200, renamed.body);
    assert.equal(renamed.json().name, 'Work laptop');
    assert.equal((await h.req({ method: 'PATCH', url: `/users/me/passkeys/${first.id}`, token, json: { name: '\u0007' } })).statusCode, 422);

    assert.equal((await h.req({ method: 'DELETE', url: `/users/me/passkeys/${second.id}`, token })).statusCode, 204);
    assert.deepEqual((await h.req({ url: '/users/me/passkeys', token })).json().map((p: any) => p.name), ['Work laptop']);
    assert.equal((await h.req({ method: 'DELETE', url: `/users/me/passkeys/${second.id}`, token })).statusCode, 404);
    assert.equal((await h.req({ method: 'DELETE', url: '/users/me/passkeys/not-a-uuid', token })).statusCode, 404);

    assert.equal((await auditOf(h, 'passkey.added', id)).length, 2);
    assert.equal((await auditOf(h, 'passkey.removed', id)).length, 1);
    const mails = await h.g.db.kysely.selectFrom('mail_outbox').select(['kind', 'detail']).where('email', '=', 'pk-manage@example.com').orderBy('id').execute();
    assert.deepEqual(mails.map((m) => [m.kind, m.detail]), [['passkey_added', 'Laptop'], ['passkey_added', 'Phone'], ['passkey_removed', 'Phone']]);
  });

  test('another user\'s passkey cannot be renamed or deleted (404), and lists are per user', async () => {
    const a = await h.user('pk-owner@example.com');
    const b = await h.user('pk-other@example.com');
    const key = await addPasskey(h, a.token, authenticator());
    assert.equal((await h.req({ method: 'PATCH', url: `/users/me/passkeys/${key.id}`, token: b.token, json: { name: 'mine' } })).statusCode, 404);
    assert.equal((await h.req({ method: 'DELETE', url: `/users/me/passkeys/${key.id}`, token: b.token })).statusCode, 404);
    assert.deepEqual((await h.req({ url: '/users/me/passkeys', token: b.token })).json(), []);
    assert.equal((await h.req({ url: '/users/me/passkeys', token: a.token })).json().length, 1);
  });

  test('adding or removing a passkey needs a recent authentication (403 REAUTHENTICATION_REQUIRED); listing and renaming do not', async (t) => {
    const { token } = await h.user('pk-stale@example.com');
    const key = await addPasskey(h, token, authenticator());
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() + (h.config.reauth.maxAgeSeconds + 5) * 1000 });
    for (const [method, url] of [['POST', '/users/me/passkeys/options'], ['DELETE', `/users/me/passkeys/${key.id}`]] as const) {
      const r = await h.req({ method, url, token });
      assert.equal(r.statusCode, 403, `${method} ${url}`);
      assert.equal(r.json().detail, 'REAUTHENTICATION_REQUIRED');
    }
    const late = await h.req({ method: 'POST', url: '/users/me/passkeys', token, json: { name: 'x', response: authenticator().create({ rp: { id: '127.0.0.1' }, user: { id: 'AA' }, challenge: 'AA' }) } });
    assert.equal(late.statusCode, 403);
    assert.equal((await h.req({ url: '/users/me/passkeys', token })).statusCode, 200);
    assert.equal((await h.req({ method: 'PATCH', url: `/users/me/passkeys/${key.id}`, token, json: { name: 'still' } })).statusCode, 200);
  });

  test('registration refuses an attestation made on another origin, for another RP ID, or for another challenge (400 PASSKEY_INVALID)', async () => {
    const { token } = await h.user('pk-reg-attacks@example.com');
    for (const bend of [{ origin: 'https://evil.example' }, { rpId: 'evil.example' }, { challenge: 'c29tZXRoaW5nLWVsc2U' }, { type: 'webauthn.get' }]) {
      const r = await tryAddPasskey(h, token, authenticator(), 'Bad', bend);
      assert.equal(r.statusCode, 400, JSON.stringify(bend));
      assert.equal(r.json().detail.code, 'PASSKEY_INVALID', JSON.stringify(bend));
    }
    assert.deepEqual((await h.req({ url: '/users/me/passkeys', token })).json(), []);
  });

  test('registration options are single use and belong to the session that asked: another session, or a second answer, gets PASSKEY_CHALLENGE_INVALID', async () => {
    const { token } = await h.user('pk-reg-session@example.com');
    const other = await h.login('pk-reg-session@example.com');
    const auth = authenticator();
    const o = (await h.req({ method: 'POST', url: '/users/me/passkeys/options', token })).json();
    const answer = auth.create(o);
    const elsewhere = await h.req({ method: 'POST', url: '/users/me/passkeys', token: other, json: { name: 'k', response: answer } });
    assert.equal(elsewhere.statusCode, 400);
    assert.equal(elsewhere.json().detail, 'PASSKEY_CHALLENGE_INVALID');
    assert.equal((await h.req({ method: 'POST', url: '/users/me/passkeys', token, json: { name: 'k', response: answer } })).statusCode, 201);
    const again = await h.req({ method: 'POST', url: '/users/me/passkeys', token, json: { name: 'k', response: answer } });
    assert.equal(again.json().detail, 'PASSKEY_CHALLENGE_INVALID');
  });

  test('a credential already registered (by anyone) is refused; a malformed answer is 422, never 500', async () => {
    const a = await h.user('pk-dup-a@example.com');
    const b = await h.user('pk-dup-b@example.com');
    const auth = authenticator();
    await addPasskey(h, a.token, auth);
    // The same authenticator attests A's credential again for B: a second row for it is refused.
    const o = (await h.req({ method: 'POST', url: '/users/me/passkeys/options', token: b.token })).json();
    const reused = auth.create(o, { credentialId: auth.credentials[0]!.id.toString('base64url') });
    const r = await h.req({ method: 'POST', url: '/users/me/passkeys', token: b.token, json: { name: 'k', response: reused } });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().detail.code, 'PASSKEY_INVALID');
    for (const response of [{}, { id: 'x', rawId: 'x', type: 'public-key', response: { clientDataJSON: 'e30', attestationObject: '!!' }, clientExtensionResults: {} }]) {
      assert.equal((await h.req({ method: 'POST', url: '/users/me/passkeys', token: b.token, json: { name: 'k', response } })).statusCode, 422);
    }
    await h.req({ method: 'POST', url: '/users/me/passkeys/options', token: b.token });
    const garbage = { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: { clientDataJSON: 'e30', attestationObject: 'AAAA' }, clientExtensionResults: {} };
    const g = await h.req({ method: 'POST', url: '/users/me/passkeys', token: b.token, json: { name: 'k', response: garbage } });
    assert.equal(g.statusCode, 400, g.body);
  });
});

const smtp = await startSmtp();
after(() => smtp.close());

onEveryDatabase('passkeys: the user is told by mail, and the routes are rate-limited', (h) => {
  test('adding and removing a passkey mails the user, naming it', async () => {
    const { token } = await h.user('pk-mail@example.com');
    const since = smtp.messages.length;
    const key = await addPasskey(h, token, authenticator(), 'Blue YubiKey');
    const added = await smtp.waitFor('pk-mail@example.com', /A passkey was added to your Gatehouse account/, since);
    assert.match(added.text ?? '', /"Blue YubiKey" was added/);
    assert.equal((await h.req({ method: 'DELETE', url: `/users/me/passkeys/${key.id}`, token })).statusCode, 204);
    const removed = await smtp.waitFor('pk-mail@example.com', /A passkey was removed from your Gatehouse account/, since);
    assert.match(removed.text ?? '', /"Blue YubiKey" was removed/);
  });

  test('passkey sign-in options and answers count against RATE_LIMIT_LOGIN_IP (429)', async () => {
    const remoteAddress = '10.9.8.7'; // an IP of its own: the other tests' logins do not count here
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await h.g.app.inject({ method: 'POST', url: '/auth/passkey/options', remoteAddress })).statusCode);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    const payload = { attempt: 'a', response: { id: 'AA', rawId: 'AA', type: 'public-key', response: { clientDataJSON: 'AA', authenticatorData: 'AA', signature: 'AA' }, clientExtensionResults: {} } };
    assert.equal((await h.g.app.inject({ method: 'POST', url: '/auth/jwt/passkey', payload, remoteAddress })).statusCode, 429);
    assert.equal((await h.g.app.inject({ method: 'POST', url: '/auth/jwt/passkey', payload, remoteAddress: '10.9.8.6' })).statusCode, 400, 'another IP is not limited');
  });
}, { SMTP_URL: smtp.url, RATE_LIMITS: 'true', RATE_LIMIT_LOGIN_IP: '3/1m', RATE_LIMIT_LOGIN_ACCOUNT: '100/1m', RATE_LIMIT_REGISTER_IP: '100/1m' });

onEveryDatabase('passkeys: signing in without a password', (h) => {
  test('bearer: the options ask for user verification and list no credentials; the session\'s amr is [hwk, user, mfa]', async () => {
    const { id, token } = await h.user('pk-login@example.com');
    const auth = authenticator();
    const key = await addPasskey(h, token, auth);
    const { attempt, options, binding } = await loginOptions(h);
    assert.equal(options.userVerification, 'required');
    assert.equal(options.allowCredentials, undefined);
    assert.equal(options.rpId, '127.0.0.1');
    assert.ok(attempt.length >= 43 && Object.keys(binding).length === 1);
    const r = await h.req({ method: 'POST', url: '/auth/jwt/passkey', json: { attempt, response: auth.get(options) } });
    assert.equal(r.statusCode, 200, r.body);
    const claims = decodeJwt(r.json().access_token);
    assert.equal(claims.sub, id);
    assert.deepEqual(claims.amr, ['hwk', 'user', 'mfa']);
    assert.equal((await h.req({ url: '/users/me', token: r.json().access_token })).json().email, 'pk-login@example.com');
    const [listed] = (await h.req({ url: '/users/me/passkeys', token })).json();
    assert.ok(listed.last_used_at !== null);
    assert.equal((await auditOf(h, 'passkey.used', id)).length, 1);
    assert.equal((await auditOf(h, 'login.success', id)).filter((e) => e.detail?.includes('passkey')).length, 1);
    assert.equal(key.name, 'My key');
  });

  test('a synced passkey (backup eligible) proves swk, not hwk; an authenticator without a counter (always 0) keeps working', async () => {
    const { token } = await h.user('pk-synced@example.com');
    const auth = authenticator({ synced: true, counts: false });
    await addPasskey(h, token, auth);
    for (let i = 0; i < 2; i++) {
      const r = await signInWith(h, auth);
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(decodeJwt(r.json().access_token).amr, ['swk', 'user', 'mfa']);
    }
  });

  test('a passkey-only account (no password) signs in', async () => {
    const { id, token } = await h.user('pk-only@example.com');
    const auth = authenticator();
    await addPasskey(h, token, auth);
    await h.g.db.kysely.updateTable('users').set({ hashed_password: null }).where('id', '=', id).execute();
    const r = await signInWith(h, auth);
    assert.equal(r.statusCode, 200, r.body);
    assert.equal((await h.req({ url: '/users/me', token: r.json().access_token })).json().id, id);
  });

  test('an unknown credential, or an inactive user\'s, answers the same 400 PASSKEY_INVALID', async () => {
    const stranger = authenticator();
    stranger.create({ rp: { id: '127.0.0.1' }, user: { id: 'c29tZW9uZQ' }, challenge: 'AA' });
    const unknown = await signInWith(h, stranger);
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.json().detail, 'PASSKEY_INVALID');
    const { id, token } = await h.user('pk-inactive@example.com');
    const auth = authenticator();
    await addPasskey(h, token, auth);
    await h.g.db.kysely.updateTable('users').set({ is_active: 0 }).where('id', '=', id).execute();
    const inactive = await signInWith(h, auth);
    assert.deepEqual([inactive.statusCode, inactive.json().detail], [400, 'PASSKEY_INVALID']);
  });
});

onEveryDatabase('passkeys with REQUIRE_VERIFIED_LOGIN', (h) => {
  test('a right passkey of a user whose email is not verified answers LOGIN_USER_NOT_VERIFIED, like the password login', async () => {
    const { id } = await h.register('pk-unverified@example.com');
    await h.g.db.kysely.updateTable('users').set({ is_verified: 1 }).where('id', '=', id).execute();
    const token = await h.login('pk-unverified@example.com');
    const auth = authenticator();
    await addPasskey(h, token, auth);
    await h.g.db.kysely.updateTable('users').set({ is_verified: 0 }).where('id', '=', id).execute();
    const r = await signInWith(h, auth);
    assert.deepEqual([r.statusCode, r.json().detail], [400, 'LOGIN_USER_NOT_VERIFIED']);
  });
}, { REQUIRE_VERIFIED_LOGIN: 'true' });

onEveryDatabase('passkeys are a way in: the last one of a user without a password or provider stays', (h) => {
  /** A user whose password is gone (a social or passkey-only account), with a bearer token made before. */
  async function passwordless(email: string) {
    const u = await h.user(email);
    await h.g.db.kysely.updateTable('users').set({ hashed_password: null }).where('id', '=', u.id).execute();
    return u;
  }
  const link = (h: Harness, userId: string, provider: string) => h.g.db.kysely.insertInto('oauth_accounts').values({
    id: crypto.randomUUID(), user_id: userId, provider, account_id: `${provider}-${userId}`, account_email: null,
    access_token: null, refresh_token: null, expires_at: null, scope: null, created_at: new Date().toISOString(), updated_at: new Date().toISOString(),
  }).execute();

  test('the last passkey of a passkey-only account cannot be deleted (400 PASSKEY_LAST_LOGIN_METHOD); one of two can', async () => {
    const { id, token } = await h.user('pk-last@example.com');
    const first = await addPasskey(h, token, authenticator(), 'First');
    const second = await addPasskey(h, token, authenticator(), 'Second');
    await h.g.db.kysely.updateTable('users').set({ hashed_password: null }).where('id', '=', id).execute();
    assert.equal((await h.req({ method: 'DELETE', url: `/users/me/passkeys/${first.id}`, token })).statusCode, 204);
    const last = await h.req({ method: 'DELETE', url: `/users/me/passkeys/${second.id}`, token });
    assert.deepEqual([last.statusCode, last.json().detail], [400, 'PASSKEY_LAST_LOGIN_METHOD']);
    assert.equal((await h.req({ url: '/users/me/passkeys', token })).json().length, 1);
  });

  test('two deletions racing for a passkey-only account\'s last two passkeys: one is refused', async () => {
    const u = await h.user('pk-last-race@example.com');
    const a = await addPasskey(h, u.token, authenticator(), 'A');
    const b = await addPasskey(h, u.token, authenticator(), 'B');
    await h.g.db.kysely.updateTable('users').set({ hashed_password: null }).where('id', '=', u.id).execute();
    const results = await Promise.all([a, b].map((k) => h.req({ method: 'DELETE', url: `/users/me/passkeys/${k.id}`, token: u.token })));
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [204, 400]);
    assert.equal((await h.req({ url: '/users/me/passkeys', token: u.token })).json().length, 1);
  });

  test('with a linked provider the last passkey may go; and a passkey lets such a user unlink their only provider', async () => {
    const u = await passwordless('pk-last-linked@example.com');
    await link(h, u.id, 'github');
    const key = await addPasskey(h, u.token, authenticator());
    assert.equal((await h.req({ method: 'DELETE', url: '/users/me/accounts/github', token: u.token })).statusCode, 204, 'the passkey is still a way in');
    const last = await h.req({ method: 'DELETE', url: `/users/me/passkeys/${key.id}`, token: u.token });
    assert.equal(last.json().detail, 'PASSKEY_LAST_LOGIN_METHOD', 'now it is the only one');
    await link(h, u.id, 'github');
    assert.equal((await h.req({ method: 'DELETE', url: `/users/me/passkeys/${key.id}`, token: u.token })).statusCode, 204);
    assert.equal((await h.req({ method: 'DELETE', url: '/users/me/accounts/github', token: u.token })).json().detail, 'OAUTH_LAST_LOGIN_METHOD');
  });
}, { GITHUB_CLIENT_ID: 'id', GITHUB_CLIENT_SECRET: 'secret' });

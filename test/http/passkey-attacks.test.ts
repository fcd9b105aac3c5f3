import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { onEveryDatabase, type Harness } from '../support/harness.ts';
import { ORIGIN, addPasskey, auditOf, authenticator, loginOptions, passkeyLogin, signInWith } from '../support/passkeys.ts';
import { userHandleOf } from '../../src/passkeys/passkey-service.ts';

const refused = (r: LightMyRequestResponse, code: string) => {
  assert.equal(r.statusCode, 400, r.body);
  assert.equal(r.json().detail, code);
};

async function userWithPasskey(h: Harness, email: string, o: Parameters<typeof authenticator>[0] = {}) {
  const u = await h.user(email);
  const auth = authenticator(o);
  await addPasskey(h, u.token, auth);
  return { ...u, auth };
}

onEveryDatabase('passkey sign-in refuses what an attacker can send', (h) => {
  test('an assertion made on another origin, for another RP ID, or of the wrong type: 400 PASSKEY_INVALID', async () => {
    const { auth } = await userWithPasskey(h, 'pk-origin@example.com');
    refused(await signInWith(h, auth, { origin: 'https://evil.example' }), 'PASSKEY_INVALID');
    refused(await signInWith(h, auth, { origin: 'http://127.0.0.1:8001' }), 'PASSKEY_INVALID');
    refused(await signInWith(h, auth, { rpId: 'evil.example' }), 'PASSKEY_INVALID');
    refused(await signInWith(h, auth, { type: 'webauthn.create' }), 'PASSKEY_INVALID');
    assert.equal((await signInWith(h, auth)).statusCode, 200, 'the honest answer still works');
  });

  test('a signature over another challenge, or the answer to one attempt presented with another: PASSKEY_INVALID', async () => {
    const { auth } = await userWithPasskey(h, 'pk-challenge@example.com');
    refused(await signInWith(h, auth, { challenge: Buffer.from('not the challenge').toString('base64url') }), 'PASSKEY_INVALID');
    const first = await loginOptions(h);
    const second = await loginOptions(h);
    refused(await passkeyLogin(h, second.attempt, auth.get(first.options)), 'PASSKEY_INVALID');
    // The attempt that was answered correctly was not used up by the foreign one: it still works once.
    assert.equal((await passkeyLogin(h, first.attempt, auth.get(first.options))).statusCode, 200);
  });

  test('an attempt works once: a replay, an unknown attempt and an expired one answer PASSKEY_CHALLENGE_INVALID', async (t) => {
    const { auth } = await userWithPasskey(h, 'pk-replay@example.com');
    const { attempt, options } = await loginOptions(h);
    const answer = auth.get(options);
    assert.equal((await passkeyLogin(h, attempt, answer)).statusCode, 200);
    refused(await passkeyLogin(h, attempt, answer), 'PASSKEY_CHALLENGE_INVALID');
    refused(await passkeyLogin(h, 'never-issued', auth.get(options)), 'PASSKEY_CHALLENGE_INVALID');
    const late = await loginOptions(h);
    const lateAnswer = auth.get(late.options);
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() + 301_000 });
    refused(await passkeyLogin(h, late.attempt, lateAnswer), 'PASSKEY_CHALLENGE_INVALID');
  });

  test('10 parallel sign-ins with one attempt and one answer: exactly one session (with a counter, and without one: counter always 0)', async () => {
    // Without a counter, nothing but the single-use attempt stops the nine copies.
    for (const [email, o] of [['pk-parallel-synced@example.com', { synced: true, counts: false }], ['pk-parallel@example.com', {}]] as const) {
      const { id, auth } = await userWithPasskey(h, email, o);
      const { attempt, options } = await loginOptions(h);
      const answer = auth.get(options);
      const before = (await h.g.sessions.list(id)).length;
      const results = await Promise.all(Array.from({ length: 10 }, () => passkeyLogin(h, attempt, answer)));
      assert.equal((await h.g.sessions.list(id)).length, before + 1, email);
      assert.deepEqual(results.map((r) => r.statusCode).sort(), [200, ...Array(9).fill(400)], email);
      for (const r of results.filter((x) => x.statusCode === 400)) assert.equal(r.json().detail, 'PASSKEY_CHALLENGE_INVALID', email);
    }
  });

  test('a cloned authenticator (signature counter not above the stored one) is refused and audited passkey.counter_regression', async () => {
    const { id, auth } = await userWithPasskey(h, 'pk-clone@example.com');
    const clone = auth.clone();
    assert.equal((await signInWith(h, auth)).statusCode, 200); // counter 1
    assert.equal((await signInWith(h, auth)).statusCode, 200); // counter 2
    refused(await signInWith(h, clone), 'PASSKEY_INVALID'); // the clone says 1
    refused(await signInWith(h, auth, { counter: 2 }), 'PASSKEY_INVALID'); // the same counter again
    const events = await auditOf(h, 'passkey.counter_regression', id);
    assert.equal(events.length, 2);
    assert.deepEqual(JSON.parse(events[0]!.detail!).storedCounter, 2);
    assert.equal((await signInWith(h, auth)).statusCode, 200, 'the genuine authenticator (counter 3) goes on');
  });

  test('two uses racing with the same counter: one wins, the other is a counter regression', async () => {
    const { auth } = await userWithPasskey(h, 'pk-race@example.com');
    const a = await loginOptions(h);
    const b = await loginOptions(h);
    const results = await Promise.all([passkeyLogin(h, a.attempt, auth.get(a.options, { counter: 7 })), passkeyLogin(h, b.attempt, auth.get(b.options, { counter: 7 }))]);
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [200, 400]);
  });

  test('the userHandle must name the credential\'s owner: another user\'s handle, or none, is PASSKEY_INVALID', async () => {
    const { auth } = await userWithPasskey(h, 'pk-handle@example.com');
    const other = await h.user('pk-handle-other@example.com');
    refused(await signInWith(h, auth, { userHandle: userHandleOf(other.id) }), 'PASSKEY_INVALID');
    refused(await signInWith(h, auth, { userHandle: null }), 'PASSKEY_INVALID');
  });

  test('without user verification (UV flag off) a passkey alone does not sign in; nor without user presence', async () => {
    const { auth } = await userWithPasskey(h, 'pk-uv@example.com');
    refused(await signInWith(h, auth, { uv: false }), 'PASSKEY_INVALID');
    refused(await signInWith(h, auth, { up: false }), 'PASSKEY_INVALID');
  });

  test('a bad answer shape is 422; a well-formed answer of garbage is 400, never 500', async () => {
    const { attempt } = await loginOptions(h);
    assert.equal((await passkeyLogin(h, attempt, { id: 'x' })).statusCode, 422);
    const garbage = { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: { clientDataJSON: 'AAAA', authenticatorData: 'AAAA', signature: 'AAAA', userHandle: 'AAAA' }, clientExtensionResults: {} };
    refused(await passkeyLogin(h, (await loginOptions(h)).attempt, garbage), 'PASSKEY_INVALID');
  });
});

type Jar = Record<string, string>;
const jarOf = (r: LightMyRequestResponse, jar: Jar = {}): Jar => {
  for (const c of r.cookies as { name: string; value: string; maxAge?: number }[]) {
    if (c.value === '' || c.maxAge === 0) delete jar[c.name]; else jar[c.name] = c.value;
  }
  return jar;
};

onEveryDatabase('passkey sign-in with cookies', (h) => {
  /** A browser: its CSRF token, its passkey attempt (and binding cookie), and the authenticator's answer. */
  async function browserAttempt(auth: ReturnType<typeof authenticator>) {
    const csrf = await h.g.app.inject({ url: '/auth/csrf' });
    const opts = await h.g.app.inject({ method: 'POST', url: '/auth/passkey/options' });
    const binding = (opts.cookies as { name: string; path: string; httpOnly: boolean; sameSite: string; maxAge: number }[]).find((c) => c.name === 'gatehouse_passkey')!;
    assert.deepEqual([binding.path, binding.httpOnly, binding.sameSite, binding.maxAge], ['/auth', true, 'Lax', 300]);
    const { attempt, options } = opts.json();
    return { jar: jarOf(opts, jarOf(csrf)), csrfToken: csrf.json().csrf_token as string, attempt: attempt as string, response: auth.get(options) };
  }
  const cookieSignIn = (jar: Jar, csrfToken: string | undefined, body: unknown) => h.g.app.inject({
    method: 'POST', url: '/auth/cookie/passkey', cookies: jar, payload: body as object,
    headers: { origin: ORIGIN, ...(csrfToken ? { 'x-csrf-token': csrfToken } : {}) },
  });

  test('the browser that asked for the options signs in: 204, the session cookies, a CSRF token bound to the new session', async () => {
    const { id, auth } = await userWithPasskey(h, 'pk-cookie@example.com');
    const b = await browserAttempt(auth);
    const r = await cookieSignIn(b.jar, b.csrfToken, { attempt: b.attempt, response: b.response });
    assert.equal(r.statusCode, 204, r.body);
    const jar = jarOf(r, { ...b.jar });
    assert.ok(jar.gatehouse_access && jar.gatehouse_refresh && jar.gatehouse_csrf !== b.csrfToken);
    const me = await h.g.app.inject({ url: '/users/me', cookies: jar });
    assert.equal(me.json().id, id);
  });

  test('another browser (no binding cookie, or its own) cannot finish the attempt: PASSKEY_CHALLENGE_INVALID, and the attempt survives for its browser', async () => {
    const { auth } = await userWithPasskey(h, 'pk-cookie-bind@example.com');
    const victim = await browserAttempt(auth);
    const attacker = await browserAttempt(auth); // another browser with an attempt of its own
    const { gatehouse_passkey: _drop, ...noBinding } = victim.jar;
    refused(await cookieSignIn(noBinding, victim.csrfToken, { attempt: victim.attempt, response: victim.response }), 'PASSKEY_CHALLENGE_INVALID');
    refused(await cookieSignIn(attacker.jar, attacker.csrfToken, { attempt: victim.attempt, response: victim.response }), 'PASSKEY_CHALLENGE_INVALID');
    assert.equal((await cookieSignIn(victim.jar, victim.csrfToken, { attempt: victim.attempt, response: victim.response })).statusCode, 204);
  });

  test('the cookie sign-in passes the CSRF check like the cookie login (403 CSRF_FAILED without the header or from another origin)', async () => {
    const { auth } = await userWithPasskey(h, 'pk-cookie-csrf@example.com');
    const b = await browserAttempt(auth);
    const noHeader = await cookieSignIn(b.jar, undefined, { attempt: b.attempt, response: b.response });
    assert.deepEqual([noHeader.statusCode, noHeader.json().detail.code], [403, 'CSRF_FAILED']);
    const foreign = await h.g.app.inject({
      method: 'POST', url: '/auth/cookie/passkey', cookies: b.jar, payload: { attempt: b.attempt, response: b.response },
      headers: { origin: 'https://evil.example', 'x-csrf-token': b.csrfToken },
    });
    assert.deepEqual([foreign.statusCode, foreign.json().detail.code], [403, 'CSRF_FAILED']);
    assert.equal((await cookieSignIn(b.jar, b.csrfToken, { attempt: b.attempt, response: b.response })).statusCode, 204, 'the attempt was not used up');
  });
});

// PATCH /users/me changes the email or the password only with a recent proof of the user (ASVS 6.2.3 / 7.5.1):
// the current password, or for a user without one a recent login. And a changed email is announced to the old address.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { onEveryDatabase, PASSWORD, type Harness } from '../support/harness.ts';
import { startSmtp } from '../support/smtp.ts';

const smtp = await startSmtp();
after(() => smtp.close());

const patch = (h: Harness, token: string, json: unknown) => h.req({ method: 'PATCH', url: '/users/me', token, json });
const canLogin = async (h: Harness, username: string, password: string) =>
  (await h.req({ method: 'POST', url: '/auth/jwt/login', form: { username, password } })).statusCode === 200;

/** A user who signs in only with a social provider: no password hash. Returns a fresh session's access token. */
async function socialOnly(h: Harness, email: string): Promise<{ id: string; token: string; sessionId: string }> {
  const { id } = await h.register(email);
  await h.g.db.kysely.updateTable('users').set({ hashed_password: null }).where('id', '=', id).execute();
  const user = await h.g.users.get(id);
  const pair = await h.g.sessions.start(user, { ip: null, userAgent: null }, ['fed']);
  return { id, token: pair.accessToken, sessionId: pair.sessionId };
}

onEveryDatabase('a sensitive change of one\'s own account needs a recent proof', (h) => {
  const changes: [string, (n: number) => Record<string, string>][] = [
    ['the password', (n) => ({ password: `a new password ${n}` })],
    ['the email', (n) => ({ email: `moved-${n}-${h.db}@example.com` })],
  ];
  let n = 0;

  for (const [what, change] of changes) {
    test(`changing ${what} without current_password is refused with a reason, and nothing changes`, async () => {
      const email = `no-proof-${++n}@example.com`;
      const u = await h.user(email);
      const r = await patch(h, u.token, change(n));
      assert.equal(r.statusCode, 400);
      assert.equal(r.json().detail.code, 'UPDATE_USER_CURRENT_PASSWORD_INVALID');
      assert.match(r.json().detail.reason, /current_password is required/);
      assert.equal((await h.req({ url: '/users/me', token: u.token })).json().email, email);
      assert.ok(await canLogin(h, email, PASSWORD));
    });

    test(`changing ${what} with a wrong current_password is refused, and nothing changes`, async () => {
      const email = `wrong-proof-${++n}@example.com`;
      const u = await h.user(email);
      const r = await patch(h, u.token, { ...change(n), current_password: 'not my password' });
      assert.deepEqual([r.statusCode, r.json()], [400, { detail: 'UPDATE_USER_CURRENT_PASSWORD_INVALID' }]);
      assert.equal((await h.req({ url: '/users/me', token: u.token })).json().email, email);
      assert.ok(await canLogin(h, email, PASSWORD));
    });

    test(`changing ${what} with the right current_password works, and the other sessions end`, async () => {
      const email = `right-proof-${++n}@example.com`;
      const u = await h.user(email);
      const other = await h.login(email);
      const r = await patch(h, u.token, { ...change(n), current_password: PASSWORD });
      assert.equal(r.statusCode, 200, r.body);
      if (what === 'the password') {
        assert.equal((await h.req({ url: '/users/me', token: other })).statusCode, 401, 'a new password ends the other sessions');
        assert.ok(await canLogin(h, email, `a new password ${n}`));
      } else {
        assert.equal(r.json().email, `moved-${n}-${h.db}@example.com`);
      }
      assert.equal((await h.req({ url: '/users/me', token: u.token })).statusCode, 200, 'this session survives');
    });
  }

  test('username and full name need no proof', async () => {
    const u = await h.user('names-only@example.com');
    const r = await patch(h, u.token, { username: 'names-only', full_name: 'Names Only' });
    assert.equal(r.statusCode, 200);
  });

  test('a user without a password changes the email within REAUTH_MAX_AGE of logging in, not later', async () => {
    const u = await socialOnly(h, 'social-fresh@example.com');
    const fresh = await patch(h, u.token, { email: 'social-moved@example.com' });
    assert.equal(fresh.statusCode, 200, fresh.body);
    const old = new Date(Date.now() - 6 * 60_000).toISOString();
    await h.g.db.kysely.updateTable('sessions').set({ created_at: old, auth_time: old }).where('id', '=', u.sessionId).execute();
    const stale = await patch(h, u.token, { email: 'social-moved-again@example.com' });
    assert.deepEqual([stale.statusCode, stale.json()], [403, { detail: 'UPDATE_USER_REAUTHENTICATION_REQUIRED' }]);
    assert.equal((await h.req({ url: '/users/me', token: u.token })).json().email, 'social-moved@example.com');
    assert.equal((await patch(h, u.token, { full_name: 'Still Fine' })).statusCode, 200, 'other fields still change');
  });

  test('the old address is told when the email changes (masked new address), by the user or by an admin', async () => {
    const u = await h.user('jane.old@example.com');
    let since = smtp.messages.length;
    assert.equal((await patch(h, u.token, { email: 'jane.new@example.org', current_password: PASSWORD })).statusCode, 200);
    await h.g.mail.drain();
    const mail = await smtp.waitFor('jane.old@example.com', /email address was changed/, since);
    assert.match(mail.text ?? '', /from jane\.old@example\.com to j\*\*\*@example\.org on \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    assert.doesNotMatch(mail.text ?? '', /jane\.new/, 'the new address is masked');

    const root = await h.withRole('notice-admin@example.com', 'super_admin');
    since = smtp.messages.length;
    assert.equal((await h.req({ method: 'PATCH', url: `/users/${u.id}`, token: root.token, json: { email: 'jane.third@example.net' } })).statusCode, 200);
    await h.g.mail.drain();
    await smtp.waitFor('jane.new@example.org', /email address was changed/, since);
  });

  test('a change of case only is no new address: no proof needed, no notice', async () => {
    const u = await h.user('case-only@example.com');
    const since = smtp.messages.length;
    assert.equal((await patch(h, u.token, { email: 'Case-Only@example.com' })).statusCode, 200);
    await h.g.mail.drain();
    assert.equal(smtp.messages.slice(since).filter((m) => /was changed/.test(m.subject ?? '')).length, 0);
  });
}, { SMTP_URL: smtp.url });

onEveryDatabase('REQUIRE_CURRENT_PASSWORD=false: fastapi-users\' behaviour', (h) => {
  test('the access token alone changes the password and the email', async () => {
    const u = await h.user('compat@example.com');
    const r = await patch(h, u.token, { password: 'a compat password', email: 'compat-moved@example.com' });
    assert.equal(r.statusCode, 200, r.body);
    assert.ok(await canLogin(h, 'compat-moved@example.com', 'a compat password'));
  });

  test('a user without a password changes the email however old the login', async () => {
    const u = await socialOnly(h, 'compat-social@example.com');
    await h.g.db.kysely.updateTable('sessions').set({ created_at: new Date(Date.now() - 86_400_000).toISOString() }).where('id', '=', u.sessionId).execute();
    assert.equal((await patch(h, u.token, { email: 'compat-social-moved@example.com' })).statusCode, 200);
  });
}, { REQUIRE_CURRENT_PASSWORD: 'false' });

onEveryDatabase('current_password is no unthrottled password oracle', (h) => {
  test('checks per user are rate-limited (RATE_LIMIT_REAUTH_ACCOUNT), in parallel too', async () => {
    const u = await h.user('oracle@example.com');
    const guesses = await Promise.all(Array.from({ length: 8 }, (_, i) =>
      patch(h, u.token, { password: 'whatever new password', current_password: `guess ${i}` })));
    const codes = guesses.map((r) => r.statusCode).sort();
    assert.deepEqual(codes, [400, 400, 400, 429, 429, 429, 429, 429]);
    const right = await patch(h, u.token, { password: 'whatever new password', current_password: PASSWORD });
    assert.equal(right.statusCode, 429, 'even the right password waits for the window');
    assert.ok(Number(right.headers['retry-after']) > 0);
    assert.ok(await canLogin(h, 'oracle@example.com', PASSWORD), 'the login is not locked by it');
  });
}, { RATE_LIMITS: 'true', RATE_LIMIT_REAUTH_ACCOUNT: '3/1h' });

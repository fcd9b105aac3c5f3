// The one email rule (src/model/email.ts) over HTTP: every route that stores an address refuses what it refuses
// (422 in FastAPI's shape, with the reason) and stores what it accepts in its normalised form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onEveryDatabase, PASSWORD } from '../support/harness.ts';

const label = (n: number) => 'd'.repeat(n);

/** [what, address]: each is refused wherever an address is stored. */
const BAD_EMAILS: [string, string][] = [
  ['no @', 'not-an-email'],
  ['two addresses', 'a@b.com,victim@example.com'],
  ['a display name', 'Mallory <m@example.com>'],
  ['a CR/LF header', 'm\r\nBcc: victim@example.com'],
  ['a quoted local part', '"m m"@example.com'],
  ['a 65-character local part', `${'l'.repeat(65)}@example.com`],
  ['a 250-character local part', `${'l'.repeat(250)}@example.com`],
  ['a 64-character domain label', `a@${label(64)}.com`],
  ['a 250-character domain label', `a@${label(250)}.com`],
  ['a 255-character address', `${'l'.repeat(64)}@${label(63)}.${label(63)}.${label(58)}.com`],
  ['an IP address as the domain', 'a@127.0.0.1'],
  ['no dot in the domain', 'a@localhost'],
];

onEveryDatabase('One email rule wherever an address is stored', (h) => {
  const register = (email: string) => h.req({ method: 'POST', url: '/auth/register', json: { email, password: PASSWORD } });
  const stored = async (id: string) => (await h.g.db.kysely.selectFrom('users').select(['email', 'email_key']).where('id', '=', id).executeTakeFirstOrThrow());
  const userCount = async () => Number((await h.g.db.kysely.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  /** FastAPI's 422 for body.email, whose message is pydantic's "value is not a valid email address: <reason>". */
  function assertEmail422(r: Awaited<ReturnType<typeof register>>, what: string): void {
    assert.equal(r.statusCode, 422, `${what}: ${r.body}`);
    const [issue, ...more] = r.json().detail;
    assert.deepEqual(more, [], what);
    assert.deepEqual([issue.type, issue.loc], ['value_error', ['body', 'email']], what);
    assert.match(issue.msg, /^value is not a valid email address: \S/, what);
  }

  test('registration refuses each address that breaks the rule with a 422 that says why, and creates no user', async () => {
    const before = await userCount();
    for (const [what, email] of BAD_EMAILS) assertEmail422(await register(email), what);
    assert.equal(await userCount(), before);
  });

  test('the 422 names the broken rule', async () => {
    const cases: [string, RegExp][] = [
      [`${'l'.repeat(65)}@example.com`, /before the @-sign is too long \(65 bytes; at most 64\)/],
      [`a@${label(64)}.com`, /label longer than 63/],
      [`${'l'.repeat(64)}@${label(63)}.${label(63)}.${label(58)}.com`, /too long \(255 bytes; at most 254\)/],
      ['a@b.com,victim@example.com', /exactly one @-sign/],
    ];
    for (const [email, reason] of cases) assert.match((await register(email)).json().detail[0].msg, reason, email);
  });

  test('"  spaced@user.com  " registers as spaced@user.com, and logs in', async () => {
    const r = await register('  spaced@user.com  ');
    assert.equal(r.statusCode, 201, r.body);
    assert.equal(r.json().email, 'spaced@user.com');
    assert.equal((await stored(r.json().id)).email, 'spaced@user.com');
    await h.login('spaced@user.com');
  });

  test('Mixed.Case@Example.COM is stored Mixed.Case@example.com, and logs in whatever the case typed', async () => {
    const r = await register('Mixed.Case@Example.COM');
    assert.equal(r.statusCode, 201, r.body);
    assert.equal(r.json().email, 'Mixed.Case@example.com');
    assert.deepEqual(await stored(r.json().id), { email: 'Mixed.Case@example.com', email_key: 'mixed.case@example.com' });
    for (const typed of ['Mixed.Case@example.com', 'mixed.case@example.com', 'MIXED.CASE@EXAMPLE.COM']) await h.login(typed);
  });

  test('an address that normalises to a registered one is a duplicate (the rule runs before the uniqueness check)', async () => {
    await h.register('dupe@example.com');
    for (const email of ['  dupe@example.com', 'DUPE@Example.COM ', 'dupe@EXAMPLE.com']) {
      const r = await register(email);
      assert.equal(r.statusCode, 400, email);
      assert.deepEqual(r.json(), { detail: 'REGISTER_USER_ALREADY_EXISTS' });
    }
  });

  test('jörg@example.com (RFC 6531) registers and logs in, also as JÖRG@example.com: the key is lower-cased in TypeScript', async () => {
    const r = await register('jörg@example.com');
    assert.equal(r.statusCode, 201, r.body);
    assert.deepEqual(await stored(r.json().id), { email: 'jörg@example.com', email_key: 'jörg@example.com' });
    await h.login('jörg@example.com');
    await h.login('JÖRG@example.com');
    const again = await register('JÖRG@EXAMPLE.COM');
    assert.deepEqual([again.statusCode, again.json()], [400, { detail: 'REGISTER_USER_ALREADY_EXISTS' }]);
  });

  test('an internationalized domain is stored in its Unicode form, lower-cased; its punycode form is the same address', async () => {
    const r = await register('Anna@MÜNCHEN.de');
    assert.equal(r.statusCode, 201, r.body);
    assert.equal(r.json().email, 'Anna@münchen.de');
    const again = await register('anna@xn--mnchen-3ya.de');
    assert.deepEqual([again.statusCode, again.json()], [400, { detail: 'REGISTER_USER_ALREADY_EXISTS' }]);
  });

  test('the address as it was typed at registration logs in: login normalises an email as registration does', async () => {
    const cases: [string, string][] = [['Bob@XN--MNCHEN-3YA.de', 'bob@münchen.de'], ['  spaced-login@example.com  ', 'spaced-login@example.com']];
    for (const [typed, alsoTyped] of cases) {
      assert.equal((await register(typed)).statusCode, 201, typed);
      for (const username of [typed, alsoTyped]) {
        const r = await h.req({ method: 'POST', url: '/auth/jwt/login', form: { username, password: PASSWORD } });
        assert.equal(r.statusCode, 200, `${JSON.stringify(username)}: ${r.body}`);
      }
    }
  });

  test('PATCH /users/me refuses a bad email with a 422 and stores a good one normalised', async () => {
    const me = await h.user('me-before@example.com');
    for (const [what, email] of BAD_EMAILS) assertEmail422(await h.req({ method: 'PATCH', url: '/users/me', token: me.token, json: { email } }), what);
    assert.equal((await stored(me.id)).email, 'me-before@example.com');
    const r = await h.req({ method: 'PATCH', url: '/users/me', token: me.token, json: { email: '  Me.After@Example.COM ', current_password: PASSWORD } });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().email, 'Me.After@example.com');
    assert.deepEqual(await stored(me.id), { email: 'Me.After@example.com', email_key: 'me.after@example.com' });
  });

  test('PATCH /users/me with the own address in another form is no change of address: it stays verified', async () => {
    const me = await h.user('verified@example.com');
    await h.g.db.kysely.updateTable('users').set({ is_verified: 1 }).where('id', '=', me.id).execute();
    const r = await h.req({ method: 'PATCH', url: '/users/me', token: me.token, json: { email: ' verified@EXAMPLE.com ' } });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual([r.json().email, r.json().is_verified], ['verified@example.com', true]);
  });

  test('PATCH /users/me to an address that normalises to another user\'s is UPDATE_USER_EMAIL_ALREADY_EXISTS', async () => {
    await h.register('taken@example.com');
    const me = await h.user('taker@example.com');
    const r = await h.req({ method: 'PATCH', url: '/users/me', token: me.token, json: { email: ' Taken@EXAMPLE.COM', current_password: PASSWORD } });
    assert.deepEqual([r.statusCode, r.json()], [400, { detail: 'UPDATE_USER_EMAIL_ALREADY_EXISTS' }]);
  });

  test('an admin\'s PATCH /users/{id} refuses a bad email with a 422 and stores a good one normalised', async () => {
    const admin = await h.withRole('email-admin@example.com', 'admin');
    const { id } = await h.register('target-before@example.com');
    for (const [what, email] of BAD_EMAILS) assertEmail422(await h.req({ method: 'PATCH', url: `/users/${id}`, token: admin.token, json: { email } }), what);
    assert.equal((await stored(id)).email, 'target-before@example.com');
    const r = await h.req({ method: 'PATCH', url: `/users/${id}`, token: admin.token, json: { email: '\tJörg.Target@Exämple.COM\n' } });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().email, 'Jörg.Target@exämple.com');
    await h.login('jörg.target@EXÄMPLE.com');
  });

  test('forgot-password and request-verify-token refuse a bad email with a 422, and queue a good one normalised', async () => {
    for (const url of ['/auth/forgot-password', '/auth/request-verify-token']) {
      for (const [what, email] of BAD_EMAILS) assertEmail422(await h.req({ method: 'POST', url, json: { email } }), `${url} ${what}`);
    }
    for (const [url, email] of [['/auth/forgot-password', '  Queued.Reset@Example.COM '], ['/auth/request-verify-token', '\tQueued.Verify@EXAMPLE.com']]) {
      const r = await h.req({ method: 'POST', url: url!, json: { email } });
      assert.equal(r.statusCode, 202, r.body);
    }
    const rows = await h.g.db.kysely.selectFrom('mail_outbox').select(['kind', 'email']).where('email', 'like', '%Queued.%').orderBy('kind').execute();
    assert.deepEqual(rows, [{ kind: 'reset', email: 'Queued.Reset@example.com' }, { kind: 'verify', email: 'Queued.Verify@example.com' }]);
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { onEveryDatabase, PASSWORD, testConfig, type Harness } from '../support/harness.ts';
import { testDatabases, type TestDatabase, describeOn } from '../support/databases.ts';
import { createGatehouse, type Gatehouse } from '../../src/gatehouse.ts';
import { RefreshTokens } from '../../src/auth/refresh-token.ts';

const from = (h: Harness, ip: string, method: string, url: string, body: Record<string, string>, form = false) => h.g.app.inject({
  method: method as 'POST', url, remoteAddress: ip,
  ...(form ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(body).toString() } : { payload: body }),
});
const login = (h: Harness, ip: string, username: string, password = PASSWORD) => from(h, ip, 'POST', '/auth/jwt/login', { username, password }, true);

function assertLimited(r: { statusCode: number; headers: Record<string, unknown>; json(): unknown }, code = 'RATE_LIMITED') {
  assert.equal(r.statusCode, 429);
  assert.deepEqual(r.json(), { detail: code });
  const after = Number(r.headers['retry-after']);
  assert.ok(after >= 1 && after <= 3600, `Retry-After ${r.headers['retry-after']}`);
}

onEveryDatabase('rate limits', (h) => {
  test('logins per client IP: the 4th within the window gets 429 with Retry-After; another IP is not affected', async () => {
    await h.register('ip-limit@example.com');
    for (let i = 0; i < 3; i++) assert.equal((await login(h, '10.0.0.1', 'ip-limit@example.com')).statusCode, 200);
    assertLimited(await login(h, '10.0.0.1', 'ip-limit@example.com'));
    assert.equal((await login(h, '10.0.0.2', 'ip-limit@example.com')).statusCode, 200);
  });

  test('logins per account, whoever sends them: the same typed email from many IPs is limited', async () => {
    for (let i = 0; i < 5; i++) await login(h, `10.1.0.${i}`, 'spray@example.com', 'wrong password');
    assertLimited(await login(h, '10.1.0.99', 'SPRAY@example.com', 'wrong password'));
  });

  test('registrations per IP', async () => {
    for (let i = 0; i < 2; i++) assert.equal((await from(h, '10.2.0.1', 'POST', '/auth/register', { email: `reg-${i}@example.com`, password: PASSWORD })).statusCode, 201);
    assertLimited(await from(h, '10.2.0.1', 'POST', '/auth/register', { email: 'reg-3@example.com', password: PASSWORD }));
  });

  test('forgot-password per email address answers alike for known and unknown addresses', async () => {
    await h.register('mail-limit@example.com');
    for (const email of ['mail-limit@example.com', 'no-such-user@example.com']) {
      for (let i = 0; i < 2; i++) assert.equal((await from(h, `10.3.${i}.1`, 'POST', '/auth/forgot-password', { email })).statusCode, 202);
      assertLimited(await from(h, '10.3.9.1', 'POST', '/auth/forgot-password', { email }));
    }
  });

  test('verify and reset-password attempts per IP', async () => {
    for (let i = 0; i < 2; i++) assert.equal((await from(h, '10.4.0.1', 'POST', '/auth/verify', { token: 'x'.repeat(43) })).statusCode, 400);
    assertLimited(await from(h, '10.4.0.1', 'POST', '/auth/reset-password', { token: 'x'.repeat(43), password: 'whatever password' }));
  });
}, {
  RATE_LIMITS: 'true', RATE_LIMIT_LOGIN_IP: '3/1m', RATE_LIMIT_LOGIN_ACCOUNT: '5/1m', RATE_LIMIT_REGISTER_IP: '2/1h',
  RATE_LIMIT_MAIL_IP: '100/1h', RATE_LIMIT_MAIL_ACCOUNT: '2/1h', RATE_LIMIT_TOKEN_IP: '2/1h', LOGIN_LOCK_AFTER: '100',
});

onEveryDatabase('login lockout', (h) => {
  test('after 3 consecutive failures the account is locked: even the right password gets 429 LOGIN_LOCKED', async () => {
    await h.register('locked@example.com');
    for (let i = 0; i < 3; i++) assert.deepEqual((await login(h, '10.5.0.1', 'locked@example.com', 'wrong password')).json(), { detail: 'LOGIN_BAD_CREDENTIALS' });
    const r = await login(h, '10.5.0.2', 'locked@example.com');
    assertLimited(r, 'LOGIN_LOCKED');
    assert.ok(Number(r.headers['retry-after']) <= 30);
  });

  test('an account that does not exist locks the same way, so the lock reveals nothing', async () => {
    for (let i = 0; i < 3; i++) await login(h, '10.5.1.1', 'ghost@example.com', 'wrong password');
    assertLimited(await login(h, '10.5.1.1', 'ghost@example.com'), 'LOGIN_LOCKED');
  });

  test('each further failure doubles the lock, never beyond LOGIN_LOCK_MAX', async () => {
    await h.register('doubling@example.com');
    const locks: number[] = [];
    for (let i = 0; i < 12; i++) {
      await login(h, '10.5.2.1', 'doubling@example.com', 'wrong password');
      const row = await h.g.db.kysely.selectFrom('login_failures').selectAll().where('account_key', '=', 'doubling@example.com').executeTakeFirstOrThrow();
      if (row.locked_until) {
        locks.push(Math.round((Date.parse(new Date(row.locked_until).toISOString()) - Date.now()) / 1000));
        await h.g.db.kysely.updateTable('login_failures').set({ locked_until: null }).where('account_key', '=', 'doubling@example.com').execute();
      }
    }
    assert.deepEqual(locks.map((s) => Math.round(s / 10) * 10), [10, 20, 40, 80, 120, 120, 120, 120, 120, 120]);
  });

  test('20 parallel wrong passwords get at most 3 verifications: the rest are 429 LOGIN_LOCKED, then the right password too', async () => {
    await h.register('parallel@example.com');
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => login(h, `10.5.4.${i}`, 'parallel@example.com', `wrong password ${i}`)));
    const bad = answers.filter((r) => r.statusCode === 400);
    assert.ok(bad.length <= 3, `${bad.length} wrong passwords were verified`);
    assert.ok(bad.every((r) => r.json().detail === 'LOGIN_BAD_CREDENTIALS'));
    for (const r of answers.filter((a) => a.statusCode !== 400)) assertLimited(r, 'LOGIN_LOCKED');
    assertLimited(await login(h, '10.5.4.99', 'parallel@example.com'), 'LOGIN_LOCKED');
  });

  test('parallel logins with the right password all get in (they wait for the attempts in flight, not a lock)', async () => {
    await h.register('busy@example.com');
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => login(h, `10.5.5.${i}`, 'busy@example.com')));
    assert.deepEqual(answers.map((r) => r.statusCode), Array(8).fill(200));
    assert.equal((await h.g.db.kysely.selectFrom('login_failures').selectAll().where('account_key', '=', 'busy@example.com').execute()).length, 0);
  });

  test('a success after failures clears the streak: the next failures start again from zero', async () => {
    await h.register('streak@example.com');
    for (let i = 0; i < 2; i++) await login(h, '10.5.6.1', 'streak@example.com', 'wrong password');
    assert.equal((await login(h, '10.5.6.1', 'streak@example.com')).statusCode, 200);
    for (let i = 0; i < 2; i++) assert.equal((await login(h, '10.5.6.1', 'streak@example.com', 'wrong password')).statusCode, 400);
    assert.equal((await login(h, '10.5.6.1', 'streak@example.com')).statusCode, 200);
  });

  test('when the lock ends, the right password works and clears the streak', async () => {
    await h.register('unlocked@example.com');
    for (let i = 0; i < 3; i++) await login(h, '10.5.3.1', 'unlocked@example.com', 'wrong password');
    await h.g.db.kysely.updateTable('login_failures').set({ locked_until: new Date(Date.now() - 1000).toISOString() }).where('account_key', '=', 'unlocked@example.com').execute();
    assert.equal((await login(h, '10.5.3.1', 'unlocked@example.com')).statusCode, 200);
    assert.equal((await h.g.db.kysely.selectFrom('login_failures').selectAll().where('account_key', '=', 'unlocked@example.com').execute()).length, 0);
  });
}, { LOGIN_LOCK_AFTER: '3', LOGIN_LOCK_BASE: '10s', LOGIN_LOCK_MAX: '2m' });

const postgres = (await testDatabases()).find((d) => d.name === 'postgres');

describeOn(postgres!, 'login lockout across two instances on one PostgreSQL database', {}, () => {
  let db: Awaited<ReturnType<TestDatabase['create']>>;
  const instances: Gatehouse[] = [];
  const env = { LOGIN_LOCK_AFTER: '3', LOGIN_LOCK_BASE: '10s', LOGIN_LOCK_MAX: '2m' };
  before(async () => {
    db = await postgres!.create();
    instances.push(await createGatehouse(testConfig(db.url, env)));
    instances.push(await createGatehouse(testConfig(db.url, env)));
  });
  after(async () => {
    await Promise.all(instances.map((g) => g.close()));
    await db?.drop();
  });

  test('20 parallel wrong passwords split between the instances get at most 3 verifications in all', async () => {
    const [a, b] = instances as [Gatehouse, Gatehouse];
    const attempt = (g: Gatehouse, username: string, password: string) => g.app.inject({
      method: 'POST', url: '/auth/jwt/login', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ username, password }).toString(),
    });
    assert.equal((await a.app.inject({ method: 'POST', url: '/auth/register', payload: { email: 'shared@example.com', password: PASSWORD } })).statusCode, 201);
    // Both warm (database connections open, hash workers started), so that the 20 really run side by side.
    await Promise.all([a, b].flatMap((g) => [1, 2, 3].map(() => attempt(g, 'warm-up@example.com', 'wrong password'))));
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => attempt(i % 2 ? a : b, 'shared@example.com', `wrong password ${i}`)));
    const bad = answers.filter((r) => r.statusCode === 400).length;
    assert.ok(bad <= 3, `${bad} wrong passwords were verified`);
    for (const r of answers.filter((x) => x.statusCode !== 400)) assertLimited(r, 'LOGIN_LOCKED');
  });
});

onEveryDatabase('the audit log', (h) => {
  test('records who did what, when and from where; admins read it filtered by user and type', async () => {
    const root = await h.withRole('auditor@example.com', 'super_admin');
    const u = await h.user('audited@example.com');
    await h.req({ method: 'POST', url: '/auth/jwt/login', form: { username: 'audited@example.com', password: 'wrong password' }, headers: { 'user-agent': 'Evil/1.0' } });
    await h.req({ method: 'PATCH', url: '/users/me', token: u.token, json: { password: 'a new password here', current_password: PASSWORD } });
    await h.req({ method: 'PATCH', url: `/users/${u.id}`, token: root.token, json: { role: 'admin' } });
    await h.req({ method: 'PATCH', url: `/users/${u.id}`, token: root.token, json: { is_active: false } });

    const r = await h.req({ url: `/admin/audit?user_id=${u.id}&limit=50`, token: root.token });
    assert.equal(r.statusCode, 200);
    const types = (r.json().items as { type: string }[]).map((e) => e.type).reverse();
    assert.deepEqual(types, ['register', 'login.success', 'login.failure', 'password.change', 'role.change', 'user.deactivate']);
    const failure = r.json().items.find((e: { type: string }) => e.type === 'login.failure');
    assert.deepEqual([failure.ip, failure.user_agent], ['127.0.0.1', 'Evil/1.0']);
    const role = r.json().items.find((e: { type: string }) => e.type === 'role.change');
    assert.deepEqual([role.actor_id, role.detail], [root.id, { from: 'user', to: 'admin' }]);
    assert.deepEqual([role.user_email, role.actor_email], ['audited@example.com', 'auditor@example.com'], 'an admin reads emails, not ids');
    assert.equal(failure.actor_email, null);

    const logins = await h.req({ url: '/admin/audit?type=login.failure', token: root.token });
    assert.ok(logins.json().items.every((e: { type: string }) => e.type === 'login.failure'));
    const none = await h.req({ url: `/admin/audit?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, token: root.token });
    assert.equal(none.json().total, 0);

    assert.equal((await h.req({ method: 'DELETE', url: `/users/${u.id}`, token: root.token })).statusCode, 204);
    const after = await h.req({ url: `/admin/audit?user_id=${u.id}&limit=50`, token: root.token });
    assert.ok(after.json().items.every((e: { user_id: string; user_email: string | null }) => e.user_id === u.id && e.user_email === null),
      'a deleted user\'s events keep their id and have no email');
  });

  test('keeps a typed login only when it names an account; anything else only as a keyed hash (login_hmac)', async () => {
    await h.register('known-typed@example.com');
    const typo = 'Tr0ub4dor&3 my real password';
    for (let i = 0; i < 7; i++) await h.req({ method: 'POST', url: '/auth/jwt/login', form: { username: typo, password: 'whatever' } });
    await h.req({ method: 'POST', url: '/auth/jwt/login', form: { username: 'Known-Typed@example.com', password: 'wrong password' } });
    const rows = await h.g.db.kysely.selectFrom('audit_events').selectAll().where('type', 'in', ['login.failure', 'login.locked']).execute();
    const raw = JSON.stringify(rows);
    assert.ok(!raw.toLowerCase().includes('tr0ub4dor'), 'the typed text is in audit_events');
    const details = rows.map((r) => JSON.parse(r.detail!) as Record<string, unknown>);
    const unknown = details.filter((d) => d.login_hmac !== undefined);
    assert.ok(unknown.length >= 6 && rows.some((r) => r.type === 'login.locked'), raw);
    assert.ok(unknown.every((d) => /^[0-9a-f]{16}$/.test(String(d.login_hmac)) && d.login_hmac === unknown[0]!.login_hmac && d.login === undefined));
    assert.ok(details.some((d) => d.login === 'Known-Typed@example.com' && d.login_hmac === undefined));
  });

  test('records logout, session revocation and refresh-token reuse', async () => {
    const root = await h.withRole('auditor2@example.com', 'super_admin');
    const { id } = await h.register('sessions-audit@example.com');
    const pair = (await h.req({ method: 'POST', url: '/auth/jwt/login', form: { username: 'sessions-audit@example.com', password: PASSWORD } })).json();
    await h.req({ method: 'POST', url: '/auth/jwt/refresh', json: { refresh_token: pair.refresh_token } });
    // Past REFRESH_REUSE_GRACE: presented again now, the used token is a replay, not a second tab.
    await h.g.db.kysely.updateTable('refresh_tokens').set({ used_at: new Date(Date.now() - 60_000).toISOString() }).where('token_hash', '=', RefreshTokens.hash(pair.refresh_token)).execute();
    await h.req({ method: 'POST', url: '/auth/jwt/refresh', json: { refresh_token: pair.refresh_token } });
    const other = await h.login('sessions-audit@example.com');
    await h.req({ method: 'POST', url: '/auth/jwt/logout', token: other });
    const types = ((await h.req({ url: `/admin/audit?user_id=${id}`, token: root.token })).json().items as { type: string }[]).map((e) => e.type);
    assert.ok(types.includes('refresh.reuse'), types.join());
    assert.ok(types.includes('logout'), types.join());
  });

  test('only admins read it; bad filters are 422', async () => {
    const user = await h.user('not-an-auditor@example.com');
    assert.equal((await h.req({ url: '/admin/audit', token: user.token })).statusCode, 403);
    const admin = await h.withRole('admin-auditor@example.com', 'admin');
    for (const q of ['type=nonsense', 'since=yesterday', 'limit=0', 'limit=500']) {
      assert.equal((await h.req({ url: `/admin/audit?${q}`, token: admin.token })).statusCode, 422, q);
    }
  });
});

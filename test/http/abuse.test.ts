import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onEveryDatabase, PASSWORD, type Harness } from '../support/harness.ts';
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

  test('when the lock ends, the right password works and clears the streak', async () => {
    await h.register('unlocked@example.com');
    for (let i = 0; i < 3; i++) await login(h, '10.5.3.1', 'unlocked@example.com', 'wrong password');
    await h.g.db.kysely.updateTable('login_failures').set({ locked_until: new Date(Date.now() - 1000).toISOString() }).where('account_key', '=', 'unlocked@example.com').execute();
    assert.equal((await login(h, '10.5.3.1', 'unlocked@example.com')).statusCode, 200);
    assert.equal((await h.g.db.kysely.selectFrom('login_failures').selectAll().where('account_key', '=', 'unlocked@example.com').execute()).length, 0);
  });
}, { LOGIN_LOCK_AFTER: '3', LOGIN_LOCK_BASE: '10s', LOGIN_LOCK_MAX: '2m' });

onEveryDatabase('the audit log', (h) => {
  test('records who did what, when and from where; admins read it filtered by user and type', async () => {
    const root = await h.withRole('auditor@example.com', 'super_admin');
    const u = await h.user('audited@example.com');
    await h.req({ method: 'POST', url: '/auth/jwt/login', form: { username: 'audited@example.com', password: 'wrong password' }, headers: { 'user-agent': 'Evil/1.0' } });
    await h.req({ method: 'PATCH', url: '/users/me', token: u.token, json: { password: 'a new password here' } });
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

    const logins = await h.req({ url: '/admin/audit?type=login.failure', token: root.token });
    assert.ok(logins.json().items.every((e: { type: string }) => e.type === 'login.failure'));
    const none = await h.req({ url: `/admin/audit?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, token: root.token });
    assert.equal(none.json().total, 0);
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

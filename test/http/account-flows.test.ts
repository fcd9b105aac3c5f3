import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { onEveryDatabase, PASSWORD, testConfig, type Harness } from '../support/harness.ts';
import { startSmtp } from '../support/smtp.ts';
import { createGatehouse } from '../../src/gatehouse.ts';

const smtp = await startSmtp();
after(() => smtp.close());

const PUBLIC = 'https://app.example.com';
const post = (h: Harness, url: string, json: unknown, headers: Record<string, string> = {}) => h.req({ method: 'POST', url, json, headers });

async function verifyLink(h: Harness, email: string): Promise<string> {
  const since = smtp.messages.length;
  assert.equal((await post(h, '/auth/request-verify-token', { email })).statusCode, 202);
  const link = smtp.linkIn(await smtp.waitFor(email, /Confirm your email/, since));
  return link.searchParams.get('token')!;
}

async function resetLink(h: Harness, email: string, headers: Record<string, string> = {}): Promise<URL> {
  const since = smtp.messages.length;
  assert.equal((await post(h, '/auth/forgot-password', { email }, headers)).statusCode, 202);
  return smtp.linkIn(await smtp.waitFor(email, /Reset your/, since));
}

onEveryDatabase('email verification', (h) => {
  test('request-verify-token answers 202 null, and the mail arrives over SMTP with a link to the SPA\'s verify page', async () => {
    await h.register('verify-me@example.com');
    const since = smtp.messages.length;
    const r = await post(h, '/auth/request-verify-token', { email: 'verify-me@example.com' });
    assert.equal(r.statusCode, 202);
    assert.equal(r.body, 'null');
    const mail = await smtp.waitFor('verify-me@example.com', /Confirm your email/, since);
    assert.match(mail.html as string, /<a href="https:\/\/app\.example\.com\/verify\?token=/);
    const link = smtp.linkIn(mail);
    assert.equal(`${link.origin}${link.pathname}`, `${PUBLIC}/verify`);
  });

  test('the token verifies the user once: 200 with is_verified, then VERIFY_USER_ALREADY_VERIFIED (as fastapi-users)', async () => {
    const { id } = await h.register('once@example.com');
    const token = await verifyLink(h, 'once@example.com');
    const ok = await post(h, '/auth/verify', { token });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual([ok.json().email, ok.json().is_verified], ['once@example.com', true]);
    const again = await post(h, '/auth/verify', { token });
    assert.deepEqual([again.statusCode, again.json()], [400, { detail: 'VERIFY_USER_ALREADY_VERIFIED' }]);
    // Used, and its user no longer verified (an admin took it back): the used token is only a bad token.
    const admin = await h.withRole('verify-admin@example.com', 'admin');
    assert.equal((await h.req({ method: 'PATCH', url: `/users/${id}`, token: admin.token, json: { is_verified: false } })).statusCode, 200);
    assert.deepEqual((await post(h, '/auth/verify', { token })).json(), { detail: 'VERIFY_USER_BAD_TOKEN' });
  });

  test('the same token sent twice at once: one 200, the other VERIFY_USER_ALREADY_VERIFIED, one verification recorded', async () => {
    const { id } = await h.register('twice-at-once@example.com');
    const token = await verifyLink(h, 'twice-at-once@example.com');
    const answers = await Promise.all(Array.from({ length: 4 }, () => post(h, '/auth/verify', { token })));
    assert.deepEqual(answers.map((r) => r.statusCode).sort(), [200, 400, 400, 400]);
    for (const r of answers.filter((a) => a.statusCode === 400)) assert.deepEqual(r.json(), { detail: 'VERIFY_USER_ALREADY_VERIFIED' });
    const events = await h.g.db.kysely.selectFrom('audit_events').select('id').where('type', '=', 'email.verify').where('user_id', '=', id).execute();
    assert.equal(events.length, 1);
  });

  test('an already verified user gets VERIFY_USER_ALREADY_VERIFIED and no new mail', async () => {
    const { id } = await h.register('already@example.com');
    const token = await verifyLink(h, 'already@example.com');
    await h.g.db.kysely.updateTable('users').set({ is_verified: 1 }).where('id', '=', id).execute();
    assert.deepEqual((await post(h, '/auth/verify', { token })).json(), { detail: 'VERIFY_USER_ALREADY_VERIFIED' });
    const before = smtp.messages.length;
    assert.equal((await post(h, '/auth/request-verify-token', { email: 'already@example.com' })).statusCode, 202);
    await h.g.mail.drain();
    assert.equal(smtp.messages.length, before);
  });

  test('a token for an email the user no longer has fails', async () => {
    const { id } = await h.register('old-address@example.com');
    const token = await verifyLink(h, 'old-address@example.com');
    await h.g.db.kysely.updateTable('users').set({ email: 'new-address@example.com', email_key: 'new-address@example.com' }).where('id', '=', id).execute();
    assert.deepEqual((await post(h, '/auth/verify', { token })).json(), { detail: 'VERIFY_USER_BAD_TOKEN' });
  });

  test('a reset token is not a verify token, and an access token is neither', async () => {
    const { token: access } = await h.user('purposes@example.com');
    const reset = (await resetLink(h, 'purposes@example.com')).searchParams.get('token')!;
    for (const token of [reset, access, 'x'.repeat(43)]) {
      const r = await post(h, '/auth/verify', { token });
      assert.deepEqual([r.statusCode, r.json()], [400, { detail: 'VERIFY_USER_BAD_TOKEN' }]);
    }
    const r = await post(h, '/auth/reset-password', { token: (await verifyLink(h, 'purposes@example.com')), password: 'brand new password' });
    assert.deepEqual(r.json(), { detail: 'RESET_PASSWORD_BAD_TOKEN' });
  });

  test('an expired token fails', async () => {
    await h.register('expired-verify@example.com');
    const token = await verifyLink(h, 'expired-verify@example.com');
    await h.g.db.kysely.updateTable('account_tokens').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).execute();
    assert.deepEqual((await post(h, '/auth/verify', { token })).json(), { detail: 'VERIFY_USER_BAD_TOKEN' });
  });

  test('unknown emails get the same 202, and no mail is sent', async () => {
    const before = smtp.messages.length;
    const r = await post(h, '/auth/request-verify-token', { email: 'nobody-here@example.com' });
    assert.deepEqual([r.statusCode, r.body], [202, 'null']);
    await h.g.mail.drain();
    assert.equal(smtp.messages.length, before);
  });
}, { SMTP_URL: smtp.url, PUBLIC_URL: PUBLIC });

onEveryDatabase('password reset', (h) => {
  test('forgot-password mails a reset link; the new password works, the old one does not, and every session ends', async () => {
    const { token: session } = await h.user('forgetful@example.com');
    const link = await resetLink(h, 'forgetful@example.com');
    assert.equal(`${link.origin}${link.pathname}`, `${PUBLIC}/reset-password`);
    const r = await post(h, '/auth/reset-password', { token: link.searchParams.get('token'), password: 'a fresh new password' });
    assert.deepEqual([r.statusCode, r.body], [200, 'null']);
    assert.equal((await h.req({ url: '/users/me', token: session })).statusCode, 401, 'a reset ends every session');
    const old = await h.req({ method: 'POST', url: '/auth/jwt/login', form: { username: 'forgetful@example.com', password: PASSWORD } });
    assert.deepEqual(old.json(), { detail: 'LOGIN_BAD_CREDENTIALS' });
    await h.login('forgetful@example.com', 'a fresh new password');
  });

  test('the reset token works once', async () => {
    await h.register('reset-once@example.com');
    const token = (await resetLink(h, 'reset-once@example.com')).searchParams.get('token');
    assert.equal((await post(h, '/auth/reset-password', { token, password: 'first new password' })).statusCode, 200);
    assert.deepEqual((await post(h, '/auth/reset-password', { token, password: 'second new password' })).json(), { detail: 'RESET_PASSWORD_BAD_TOKEN' });
  });

  test('a refused password says why and leaves the token usable', async () => {
    await h.register('weak-reset@example.com');
    const token = (await resetLink(h, 'weak-reset@example.com')).searchParams.get('token');
    for (const [password, reason] of [['short', /at least 8/], ['password123', /too common/], ['WEAK-RESET@example.com', /same as the email/]] as const) {
      const r = await post(h, '/auth/reset-password', { token, password });
      assert.equal(r.statusCode, 400);
      assert.equal(r.json().detail.code, 'RESET_PASSWORD_INVALID_PASSWORD');
      assert.match(r.json().detail.reason, reason);
    }
    assert.equal((await post(h, '/auth/reset-password', { token, password: 'finally a good one' })).statusCode, 200);
  });

  test('a token issued before a password change no longer works', async () => {
    const u = await h.user('changed-meanwhile@example.com');
    const token = (await resetLink(h, 'changed-meanwhile@example.com')).searchParams.get('token');
    assert.equal((await h.req({ method: 'PATCH', url: '/users/me', token: u.token, json: { password: 'changed it myself', current_password: PASSWORD } })).statusCode, 200);
    assert.deepEqual((await post(h, '/auth/reset-password', { token, password: 'attacker password' })).json(), { detail: 'RESET_PASSWORD_BAD_TOKEN' });
  });

  test('a forged Host or X-Forwarded-Host header does not change the link', async () => {
    await h.register('host-header@example.com');
    const link = await resetLink(h, 'host-header@example.com', { host: 'evil.example', 'x-forwarded-host': 'evil.example' });
    assert.equal(link.origin, PUBLIC);
  });

  test('an inactive user gets no reset mail, and the same 202', async () => {
    const { id } = await h.register('inactive-reset@example.com');
    await h.g.db.kysely.updateTable('users').set({ is_active: 0 }).where('id', '=', id).execute();
    const before = smtp.messages.length;
    assert.equal((await post(h, '/auth/forgot-password', { email: 'inactive-reset@example.com' })).statusCode, 202);
    await h.g.mail.drain();
    assert.equal(smtp.messages.length, before);
  });

  test('422 for a malformed email or a missing token', async () => {
    assert.equal((await post(h, '/auth/forgot-password', { email: 'not-an-email' })).statusCode, 422);
    assert.equal((await post(h, '/auth/reset-password', { password: 'whatever it is' })).statusCode, 422);
  });

  test('known and unknown emails are answered in the same time (median of paired differences within 3 ms, 60 pairs)', async () => {
    await h.register('timing@example.com');
    const time = async (email: string) => {
      const t0 = performance.now();
      const r = await post(h, '/auth/forgot-password', { email });
      assert.equal(r.statusCode, 202);
      return performance.now() - t0;
    };
    // Pairs taken back to back and in alternating order, so that load from elsewhere hits both sides alike.
    const diffs: number[] = [];
    for (let i = 0; i < 60; i++) {
      const unknown = `nobody-${i}@example.com`;
      let k: number, u: number;
      if (i % 2) { k = await time('timing@example.com'); u = await time(unknown); } else { u = await time(unknown); k = await time('timing@example.com'); }
      diffs.push(k - u);
    }
    const median = diffs.sort((a, b) => a - b)[Math.floor(diffs.length / 2)]!;
    assert.ok(Math.abs(median) < 3, `median known − unknown = ${median.toFixed(2)} ms`);
  });
}, { SMTP_URL: smtp.url, PUBLIC_URL: PUBLIC });

onEveryDatabase('mail delivery', (h) => {
  test('a failing SMTP server never fails the request; the mail is retried and delivered when it recovers', async () => {
    await h.register('retry@example.com');
    const since = smtp.messages.length;
    smtp.failing = true;
    try {
      const r = await post(h, '/auth/forgot-password', { email: 'retry@example.com' });
      assert.equal(r.statusCode, 202);
      await h.g.mail.drain();
      const row = await h.g.db.kysely.selectFrom('mail_outbox').selectAll().where('email', '=', 'retry@example.com').executeTakeFirstOrThrow();
      assert.deepEqual([row.status, Number(row.attempts)], ['pending', 1]);
      assert.match(row.last_error ?? '', /try again later/);
    } finally {
      smtp.failing = false;
    }
    // Make the retry due now instead of in 5 s.
    await h.g.db.kysely.updateTable('mail_outbox').set({ next_attempt_at: new Date().toISOString() }).where('email', '=', 'retry@example.com').execute();
    await h.g.mail.drain();
    const mail = await smtp.waitFor('retry@example.com', /Reset your/, since);
    const token = smtp.linkIn(mail).searchParams.get('token');
    assert.equal((await post(h, '/auth/reset-password', { token, password: 'after the outage' })).statusCode, 200, 'the link that was finally sent works');
  });

  test('mail queued by a process that stopped is sent by the next one', async () => {
    await h.register('restart@example.com');
    const since = smtp.messages.length;
    const stopped = await createGatehouse(h.config, { mailWorker: false });
    try {
      assert.equal((await stopped.app.inject({ method: 'POST', url: '/auth/forgot-password', payload: { email: 'restart@example.com' } })).statusCode, 202);
    } finally {
      await stopped.close(); // the process goes away with the mail still queued
    }
    await h.g.mail.drain(); // another process's worker
    await smtp.waitFor('restart@example.com', /Reset your/, since);
  });

  test('finished mail older than 30 days is deleted; a pending (or just handled) row is not', async () => {
    const old = new Date(Date.now() - 31 * 86_400_000).toISOString();
    for (const [email, status] of [['old-sent@example.com', 'sent'], ['old-pending@example.com', 'pending']] as const) {
      await h.g.db.kysely.insertInto('mail_outbox').values({ kind: 'reset', email, status, next_attempt_at: old, created_at: old, finished_at: status === 'sent' ? old : null }).execute();
    }
    assert.ok((await h.g.mail.purge()) >= 1);
    const left = (await h.g.db.kysely.selectFrom('mail_outbox').select('email').where('email', 'like', 'old-%').execute()).map((r) => r.email);
    assert.deepEqual(left, ['old-pending@example.com']);
  });

  test('registration mails a verification link when SEND_VERIFY_ON_REGISTER is on', async () => {
    const since = smtp.messages.length;
    const g = await createGatehouse(testConfig(h.config.databaseUrl, { SMTP_URL: smtp.url, SEND_VERIFY_ON_REGISTER: 'true', PUBLIC_URL: PUBLIC }));
    try {
      const r = await g.app.inject({ method: 'POST', url: '/auth/register', payload: { email: 'welcome@example.com', password: PASSWORD } });
      assert.equal(r.statusCode, 201);
      await g.mail.drain();
      await smtp.waitFor('welcome@example.com', /Confirm your email/, since);
    } finally {
      await g.close();
    }
  });
}, { SMTP_URL: smtp.url, PUBLIC_URL: PUBLIC });

// Recovery codes: single use (also under concurrency), regenerable (the old ones die), audited and mailed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onEveryDatabase } from '../support/harness.ts';
import { firstFactor, mfaUser } from '../support/mfa.ts';

onEveryDatabase('recovery codes', (h) => {
  const secondStep = (json: unknown) => h.req({ method: 'POST', url: '/auth/jwt/mfa', json });

  test('a recovery code finishes a login once (amr pwd + rec + mfa); it is audited and mailed', async () => {
    const u = await mfaUser(h, 'recover@example.com');
    const code = u.recoveryCodes[3]!;
    const r = await secondStep({ mfa_token: (await firstFactor(h, u.email)).mfa_token, recovery_code: code.toUpperCase().replaceAll('-', ' ') });
    assert.equal(r.statusCode, 200, r.body);
    const claims = JSON.parse(Buffer.from(r.json().access_token.split('.')[1], 'base64url').toString());
    assert.deepEqual(claims.amr, ['pwd', 'rec', 'mfa']);
    const again = await secondStep({ mfa_token: (await firstFactor(h, u.email)).mfa_token, recovery_code: code });
    assert.deepEqual([again.statusCode, again.json().detail], [400, 'MFA_CODE_INVALID']);
    const audit = await h.g.db.kysely.selectFrom('audit_events').selectAll().where('user_id', '=', u.id).where('type', '=', 'mfa.recovery_used').execute();
    assert.equal(audit.length, 1);
    assert.deepEqual(JSON.parse(audit[0]!.detail!), { remaining: 9 });
    const mails = await h.g.db.kysely.selectFrom('mail_outbox').select(['kind', 'detail']).where('email', '=', u.email).execute();
    assert.ok(mails.some((m) => m.kind === 'security_notice' && m.detail === 'recovery_used'), JSON.stringify(mails));
    assert.ok(mails.some((m) => m.kind === 'security_notice' && m.detail === 'totp_enabled'));
    const factors = await h.req({ url: '/users/me/factors', token: r.json().access_token });
    assert.equal(factors.json().recovery_codes.remaining, 9);
  });

  test('10 parallel logins with one recovery code: exactly one wins', async () => {
    const u = await mfaUser(h, 'recover-race@example.com');
    const challenges = [];
    for (let i = 0; i < 10; i++) challenges.push(await firstFactor(h, u.email));
    const rs = await Promise.all(challenges.map((c) => secondStep({ mfa_token: c.mfa_token, recovery_code: u.recoveryCodes[0] })));
    assert.equal(rs.filter((r) => r.statusCode === 200).length, 1, rs.map((r) => r.body).join(' '));
    assert.ok(rs.every((r) => r.statusCode === 200 || ['MFA_CODE_INVALID', 'MFA_LOCKED'].includes(r.json().detail)));
  });

  test('regenerating (step-up) kills the old codes; the new ones work', async () => {
    const u = await mfaUser(h, 'regen@example.com');
    const r = await h.req({ method: 'POST', url: '/users/me/recovery-codes', token: u.token });
    assert.equal(r.statusCode, 200, r.body);
    const fresh: string[] = r.json().recovery_codes;
    assert.equal(fresh.length, 10);
    const old = await secondStep({ mfa_token: (await firstFactor(h, u.email)).mfa_token, recovery_code: u.recoveryCodes[0] });
    assert.deepEqual([old.statusCode, old.json().detail], [400, 'MFA_CODE_INVALID']);
    const ok = await secondStep({ mfa_token: (await firstFactor(h, u.email)).mfa_token, recovery_code: fresh[0] });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal((await h.g.db.kysely.selectFrom('audit_events').select('id').where('user_id', '=', u.id).where('type', '=', 'mfa.recovery_regenerated').execute()).length, 1);
  });

  test('a user without a second factor has no codes to regenerate', async () => {
    const { token } = await h.user('no-factor@example.com');
    const r = await h.req({ method: 'POST', url: '/users/me/recovery-codes', token });
    assert.deepEqual([r.statusCode, r.json().detail], [400, 'MFA_NOT_ENABLED']);
  });
});

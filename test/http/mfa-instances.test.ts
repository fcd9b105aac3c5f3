// Two Gatehouse instances on one database: the second step's counters and single-use tokens hold across them
// (the lockout, a TOTP time step, a recovery code), since every decision is one statement in the shared database.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { onEveryDatabase } from '../support/harness.ts';
import { firstFactor, mfaUser, totpCode, wrongCode } from '../support/mfa.ts';
import { createGatehouse, type Gatehouse } from '../../src/gatehouse.ts';

onEveryDatabase('the second step across two instances', (h) => {
  let other: Gatehouse;
  before(async () => { other = await createGatehouse(h.config, { migrate: false, mailWorker: false }); });
  after(() => other?.close());
  /** The second step on instance 0 (the harness's) or 1 (the other one). */
  const step = (i: number, json: unknown) => (i === 0 ? h.g : other).app.inject({ method: 'POST', url: '/auth/jwt/mfa', payload: json as object });

  test('guesses spread over both instances share one per-account count', async () => {
    const u = await mfaUser(h, 'two-instances-guess@example.com');
    const bad = wrongCode(u.secret);
    const challenges = [];
    for (let i = 0; i < 12; i++) challenges.push(await firstFactor(h, u.email));
    const rs = await Promise.all(challenges.map((c, i) => step(i % 2, { mfa_token: c.mfa_token, totp_code: bad })));
    const wrong = rs.filter((r) => r.statusCode === 400).length;
    assert.ok(wrong <= 5, `${wrong} guesses were verified`);
    assert.equal(rs.filter((r) => r.statusCode === 429).length, 12 - wrong);
  });

  test('one TOTP code and one recovery code, each sent to both instances at once: each works once', async () => {
    const u = await mfaUser(h, 'two-instances-once@example.com');
    const code = totpCode(u.secret);
    const cs = [];
    for (let i = 0; i < 4; i++) cs.push(await firstFactor(h, u.email));
    const rs = await Promise.all([
      step(0, { mfa_token: cs[0]!.mfa_token, totp_code: code }), step(1, { mfa_token: cs[1]!.mfa_token, totp_code: code }),
      step(0, { mfa_token: cs[2]!.mfa_token, recovery_code: u.recoveryCodes[0] }), step(1, { mfa_token: cs[3]!.mfa_token, recovery_code: u.recoveryCodes[0] }),
    ]);
    assert.deepEqual(rs.map((r) => r.statusCode), [rs[0]!.statusCode, rs[0]!.statusCode === 200 ? 400 : 200, rs[2]!.statusCode, rs[2]!.statusCode === 200 ? 400 : 200], rs.map((r) => r.body).join(' '));
  });
});

// Migration 0007: addresses stored before the one email rule are rewritten into its form, so the lookups that now
// normalise what they are given still find them; nothing the rule refuses, and no address another user holds, moves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onEveryDatabase, PASSWORD } from '../support/harness.ts';
import { normalizeEmails } from '../../src/store/migrations/0007_normalize_emails.ts';

onEveryDatabase('migration 0007: existing addresses in the one rule\'s form', (h) => {
  /** A user whose stored address is `email` with key `key`, as an earlier version could have stored it. */
  const storedAsBefore = async (registerAs: string, email: string, key: string) => {
    const { id } = await h.register(registerAs);
    await h.g.db.kysely.updateTable('users').set({ email, email_key: key }).where('id', '=', id).execute();
    return id;
  };
  const row = (id: string) => h.g.db.kysely.selectFrom('users').select(['email', 'email_key']).where('id', '=', id).executeTakeFirstOrThrow();

  test('rewrites old spellings, leaves refused and taken ones as they were, and can run again', async () => {
    const puny = await storedAsBefore('puny-placeholder@example.com', 'Ann@XN--MNCHEN-3YA.de', 'ann@xn--mnchen-3ya.de');
    const upper = await storedAsBefore('upper-placeholder@example.com', 'Ben@Example.COM', 'ben@example.com');
    await h.register('cy@münchen.de');
    const taken = await storedAsBefore('taken-placeholder@example.com', 'cy@xn--mnchen-3ya.de', 'cy@xn--mnchen-3ya.de');
    const long = `${'l'.repeat(70)}@example.com`;
    const refused = await storedAsBefore('refused-placeholder@example.com', long, long);

    for (let run = 0; run < 2; run++) await normalizeEmails().up(h.g.db.kysely);

    assert.deepEqual(await row(puny), { email: 'Ann@münchen.de', email_key: 'ann@münchen.de' });
    assert.deepEqual(await row(upper), { email: 'Ben@example.com', email_key: 'ben@example.com' });
    assert.deepEqual(await row(taken), { email: 'cy@xn--mnchen-3ya.de', email_key: 'cy@xn--mnchen-3ya.de' }, 'another user holds its new key');
    assert.deepEqual(await row(refused), { email: long, email_key: long }, 'an address the rule refuses is not touched');
    for (const username of ['Ann@XN--MNCHEN-3YA.de', 'ann@münchen.de', 'BEN@example.com']) {
      const r = await h.req({ method: 'POST', url: '/auth/jwt/login', form: { username, password: PASSWORD } });
      assert.equal(r.statusCode, 200, `${username}: ${r.body}`);
    }
  });
});

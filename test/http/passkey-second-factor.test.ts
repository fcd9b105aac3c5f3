import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onEveryDatabase, type Harness } from '../support/harness.ts';
import { addPasskey, auditOf, authenticator } from '../support/passkeys.ts';
import { AppError } from '../../src/errors.ts';
import { PasskeyService, userHandleOf } from '../../src/passkeys/passkey-service.ts';
import { PasskeyChallenges } from '../../src/passkeys/challenges.ts';
import { PasskeyStore } from '../../src/store/passkey-store.ts';
import { PasskeyChallengeStore } from '../../src/store/passkey-challenge-store.ts';
import { UserStore } from '../../src/store/user-store.ts';
import { LocalChangeFeed } from '../../src/store/change-feed.ts';
import { AuditLog } from '../../src/manager/audit-log.ts';
import { AuditStore } from '../../src/store/audit-store.ts';

const CLIENT = { ip: '127.0.0.1', userAgent: 'test' };

const refusedAs = (code: string) => (err: unknown) => err instanceof AppError && err.code === code;

async function userWithPasskey(h: Harness, email: string, o: Parameters<typeof authenticator>[0] = {}) {
  const u = await h.user(email);
  const auth = authenticator(o);
  const key = await addPasskey(h, u.token, auth);
  return { ...u, auth, key };
}

onEveryDatabase('the PasskeyVerifier: a passkey as the second factor or for step-up', (h) => {
  const verifier = () => h.g.passkeys;

  test('options list only this user\'s passkeys (user verification preferred); the assertion proves [hwk, user], or [hwk] without UV; the attempt works once', async () => {
    const a = await userWithPasskey(h, 'sf-a@example.com');
    await userWithPasskey(h, 'sf-a-neighbour@example.com');
    const options = await verifier().optionsFor(a.id, 'mfa-challenge-1') as any;
    assert.equal(options.userVerification, 'preferred');
    assert.deepEqual(options.allowCredentials.map((c: any) => c.id), [a.auth.credentials[0]!.id.toString('base64url')]);
    const answer = a.auth.get(options);
    assert.deepEqual(await verifier().verifyFor(a.id, 'mfa-challenge-1', answer, CLIENT), ['hwk', 'user']);
    await assert.rejects(verifier().verifyFor(a.id, 'mfa-challenge-1', answer, CLIENT), refusedAs('MFA_CODE_INVALID'), 'replayed');
    const again = await verifier().optionsFor(a.id, 'mfa-challenge-2');
    assert.deepEqual(await verifier().verifyFor(a.id, 'mfa-challenge-2', a.auth.get(again, { uv: false }), CLIENT), ['hwk']);
    const synced = await userWithPasskey(h, 'sf-synced@example.com', { synced: true, counts: false });
    const o = await verifier().optionsFor(synced.id, 'step-up');
    assert.deepEqual(await verifier().verifyFor(synced.id, 'step-up', synced.auth.get(o), CLIENT), ['swk', 'user']);
    assert.ok((await auditOf(h, 'passkey.used', a.id)).length >= 2);
  });

  test('user A\'s passkey presented for user B is refused: the credential is looked up within B\'s passkeys, whatever userHandle says', async () => {
    const a = await userWithPasskey(h, 'sf-victim-a@example.com');
    const b = await userWithPasskey(h, 'sf-victim-b@example.com');
    const optionsForB = await verifier().optionsFor(b.id, 'login-of-b');
    // A signs B's challenge with A's own credential, and even claims B's user handle (it is not signed).
    const forged = a.auth.get(optionsForB, { credentialId: a.auth.credentials[0]!.id.toString('base64url'), userHandle: userHandleOf(b.id) });
    await assert.rejects(verifier().verifyFor(b.id, 'login-of-b', forged, CLIENT), refusedAs('MFA_CODE_INVALID'));
    // B's own passkey, on a fresh attempt, passes.
    const fresh = await verifier().optionsFor(b.id, 'login-of-b-2');
    assert.deepEqual(await verifier().verifyFor(b.id, 'login-of-b-2', b.auth.get(fresh), CLIENT), ['hwk', 'user']);
  });

  test('an attempt issued for one user cannot be used for another, and is not used up by trying', async () => {
    const a = await userWithPasskey(h, 'sf-attempt-a@example.com');
    const b = await userWithPasskey(h, 'sf-attempt-b@example.com');
    const options = await verifier().optionsFor(a.id, 'shared-attempt');
    await assert.rejects(verifier().verifyFor(b.id, 'shared-attempt', b.auth.get(options, { credentialId: b.auth.credentials[0]!.id.toString('base64url') }), CLIENT), refusedAs('MFA_CODE_INVALID'));
    assert.deepEqual(await verifier().verifyFor(a.id, 'shared-attempt', a.auth.get(options), CLIENT), ['hwk', 'user']);
  });

  test('wrong origin, RP ID or challenge, a counter regression (audited), or a non-assertion: MFA_CODE_INVALID', async () => {
    const a = await userWithPasskey(h, 'sf-attacks@example.com');
    const clone = a.auth.clone();
    let n = 0;
    const attempt = async (bend: Parameters<typeof a.auth.get>[1], auth = a.auth) => {
      const id = `attack-${n++}`;
      return verifier().verifyFor(a.id, id, auth.get(await verifier().optionsFor(a.id, id), bend), CLIENT);
    };
    for (const bend of [{ origin: 'https://evil.example' }, { rpId: 'evil.example' }, { challenge: 'b3RoZXI' }, { up: false }]) {
      await assert.rejects(attempt(bend), refusedAs('MFA_CODE_INVALID'), JSON.stringify(bend));
    }
    assert.deepEqual(await attempt({}), ['hwk', 'user']);
    await assert.rejects(attempt({}, clone), refusedAs('MFA_CODE_INVALID'));
    assert.equal((await auditOf(h, 'passkey.counter_regression', a.id)).length, 1);
    await verifier().optionsFor(a.id, 'junk');
    await assert.rejects(verifier().verifyFor(a.id, 'junk', 'not an assertion', CLIENT), refusedAs('MFA_CODE_INVALID'));
    await assert.rejects(verifier().verifyFor(a.id, 'never-issued', a.auth.get({ challenge: 'AA', rpId: '127.0.0.1' }), CLIENT), refusedAs('MFA_CODE_INVALID'));
  });

  test('purge() deletes the challenges of ceremonies that expired, and only those', async (t) => {
    const a = await userWithPasskey(h, 'sf-purge@example.com');
    await verifier().optionsFor(a.id, 'old-attempt');
    const count = async () => Number((await h.g.db.kysely.selectFrom('passkey_challenges').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() + 301_000 });
    await verifier().optionsFor(a.id, 'fresh-attempt');
    assert.ok(await verifier().purge() >= 1);
    assert.equal(await count(), 1, `of ${before + 1} rows only the fresh one is left`);
    assert.deepEqual(await verifier().verifyFor(a.id, 'fresh-attempt', a.auth.get(await verifier().optionsFor(a.id, 'fresh-attempt')), CLIENT), ['hwk', 'user']);
  });

  test('list() gives the summaries; removeAll() deletes every passkey of the user and says how many', async () => {
    const a = await userWithPasskey(h, 'sf-remove-all@example.com');
    await addPasskey(h, a.token, authenticator(), 'Second');
    assert.deepEqual((await verifier().list(a.id)).map((p) => p.name), ['My key', 'Second']);
    assert.equal(await verifier().removeAll(a.id), 2);
    assert.deepEqual(await verifier().list(a.id), []);
    assert.equal(await verifier().removeAll(a.id), 0);
  });

  test('deleting a user (DELETE /users/{id}) deletes their passkeys and pending challenges', async () => {
    const a = await userWithPasskey(h, 'sf-deleted@example.com');
    const admin = await h.withRole('sf-deleter@example.com', 'super_admin');
    await verifier().optionsFor(a.id, 'pending');
    const r = await h.req({ method: 'DELETE', url: `/users/${a.id}`, token: admin.token });
    assert.equal(r.statusCode, 204, r.body);
    const left = async (table: 'passkeys' | 'passkey_challenges') => (await h.g.db.kysely.selectFrom(table).select('user_id').where('user_id', '=', a.id).execute()).length;
    assert.deepEqual([await left('passkeys'), await left('passkey_challenges')], [0, 0]);
  });

  test('onFactorsChanged is told after a passkey is added or removed, and after removeAll', async () => {
    const told: string[] = [];
    const db = h.g.db.kysely;
    const service = new PasskeyService({
      passkeys: new PasskeyStore(db), challenges: new PasskeyChallenges(new PasskeyChallengeStore(db)), users: new UserStore(db, new LocalChangeFeed(), h.g.db.dialect),
      audit: new AuditLog(new AuditStore(db)), notices: { passkeyChanged: async () => {} }, rp: h.config.webauthn, requireVerifiedLogin: false,
      onFactorsChanged: async (userId) => { told.push(userId); },
    });
    const { id, token } = await h.user('sf-told@example.com');
    const user = await h.g.users.get(id);
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    const auth = authenticator();
    const added = await service.register(user, claims.sid, 'Key', auth.create(await service.registrationOptions(user, claims.sid)) as any, CLIENT);
    assert.deepEqual(told, [id]);
    await service.remove(user, added.id, CLIENT);
    assert.deepEqual(told, [id, id]);
    await service.register(user, claims.sid, 'Key 2', authenticator().create(await service.registrationOptions(user, claims.sid)) as any, CLIENT);
    await service.removeAll(id);
    assert.deepEqual(told, [id, id, id, id]);
  });
});

// Two super admins removing each other at the same moment must leave one: the check and the write are one
// atomic step in the store, across instances (on PostgreSQL, two Gatehouses on one database, each with its own
// connections). On SQLite both calls go through one instance: better-sqlite3 is synchronous, so a second SQLite
// connection in the same process waiting for the write lock blocks the event loop and the first can never finish
// (two processes would each just wait their turn).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { onEveryDatabase } from '../support/harness.ts';
import { createGatehouse, type Gatehouse } from '../../src/gatehouse.ts';
import { AppError } from '../../src/errors.ts';
import type { User } from '../../src/model/user.ts';

const CLIENT = { ip: null, userAgent: null };
const ROUNDS = 15;

onEveryDatabase('the last active super admin survives concurrent demotions', (h) => {
  let other: Gatehouse;
  let second: Gatehouse | undefined;
  before(async () => {
    second = h.db === 'postgres' ? await createGatehouse(h.config, { mailWorker: false }) : undefined;
    other = second ?? h.g;
  });
  after(async () => { await second?.close(); });

  /** Makes every existing user a plain user, then two fresh super admins. */
  async function twoSuperAdmins(round: string): Promise<[User, User]> {
    await h.g.db.kysely.updateTable('users').set({ role: 'user' }).execute();
    const a = await h.withRole(`a-${round}@example.com`, 'super_admin');
    const b = await h.withRole(`b-${round}@example.com`, 'super_admin');
    return [await h.g.users.get(a.id), await h.g.users.get(b.id)];
  }

  const activeSuperAdmins = async () => (await h.g.db.kysely.selectFrom('users').select('id')
    .where('role', '=', 'super_admin').where('is_active', '=', 1).execute()).length;

  const ways: [string, (g: Gatehouse, actor: User, target: User) => Promise<unknown>][] = [
    ['demote', (g, actor, target) => g.users.updateAs(actor, target.id, { role: 'user' }, CLIENT)],
    ['deactivate', (g, actor, target) => g.users.updateAs(actor, target.id, { isActive: false }, CLIENT)],
    ['delete', (g, actor, target) => g.users.deleteAs(actor, target.id, CLIENT)],
  ];

  for (const [way, act] of ways) {
    test(`${way} each other at once, ${ROUNDS} rounds in both orders (on two instances on PostgreSQL): one succeeds, one gets LAST_SUPERUSER`, async () => {
      for (let i = 0; i < ROUNDS; i++) {
        const [a, b] = await twoSuperAdmins(`${way}-${i}`);
        // Both actors passed the route's guards (they were super admins when their requests arrived); the race is
        // in the write. Alternate which instance acts for whom, and which call starts first.
        const calls = [() => act(h.g, a, b), () => act(other, b, a)];
        if (i % 2 === 1) calls.reverse();
        const results = await Promise.allSettled(calls.map((c) => c()));
        const failed = results.filter((r) => r.status === 'rejected');
        assert.equal(await activeSuperAdmins(), 1, `round ${i}: exactly one active super admin remains`);
        assert.equal(failed.length, 1, `round ${i}: exactly one request failed`);
        const err = (failed[0] as PromiseRejectedResult).reason;
        assert.ok(err instanceof AppError && err.code === 'LAST_SUPERUSER', `round ${i}: ${err}`);
      }
    });
  }

  test('over HTTP too: at least one active super admin remains, and at most one request succeeded', async () => {
    for (let i = 0; i < 5; i++) {
      await h.g.db.kysely.updateTable('users').set({ role: 'user' }).execute();
      const a = await h.withRole(`http-a-${i}@example.com`, 'super_admin');
      const b = await h.withRole(`http-b-${i}@example.com`, 'super_admin');
      const [ra, rb] = await Promise.all([
        h.req({ method: 'PATCH', url: `/users/${b.id}`, token: a.token, json: { is_superuser: false } }),
        other.app.inject({ method: 'PATCH', url: `/users/${a.id}`, headers: { authorization: `Bearer ${b.token}` }, payload: { is_superuser: false } }),
      ]);
      assert.equal(await activeSuperAdmins(), 1, `round ${i}: ${ra.statusCode} ${rb.statusCode}`);
      assert.equal([ra, rb].filter((r) => r.statusCode === 200).length, 1);
    }
  });
});

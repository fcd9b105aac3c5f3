// SessionCache on its own: the time bound, the invalidation rules, and the race between a lookup and a change.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionCache } from '../src/auth/session-cache.ts';
import type { User } from '../src/model/user.ts';

const user = (id: string): User => ({
  id, email: `${id}@example.com`, username: null, fullName: null, hashedPassword: 'x', isActive: true, isVerified: false,
  role: 'user', mfaEnabled: false, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
});

describe('SessionCache', () => {
  test('answers for ttl ms after the lookup started, and never past the session\'s end', () => {
    const c = new SessionCache(500);
    c.put(c.begin(), 's1', user('u1'), 10_000, 1000);
    assert.equal(c.get('s1', 'u1', 1499)?.id, 'u1');
    assert.equal(c.get('s1', 'u1', 1500), undefined);
    c.put(c.begin(), 's2', user('u1'), 1200, 1000);
    assert.equal(c.get('s2', 'u1', 1199)?.id, 'u1');
    assert.equal(c.get('s2', 'u1', 1200), undefined);
  });

  test('a token whose subject is not the session\'s user is not answered from the cache', () => {
    const c = new SessionCache(500);
    c.put(c.begin(), 's1', user('u1'), 10_000, 1000);
    assert.equal(c.get('s1', 'u2', 1001), undefined);
  });

  test('a lookup that overlapped a change is not cached (it may have read the row before the change)', () => {
    const c = new SessionCache(500);
    const ticket = c.begin();
    c.apply({ kind: 'session', id: 's1' }); // the session ends while the lookup is in flight
    c.put(ticket, 's1', user('u1'), 10_000, 1000);
    assert.equal(c.get('s1', 'u1', 1001), undefined);
  });

  test('a session change drops that session; a user change drops all their sessions; everything drops all', () => {
    const c = new SessionCache(500);
    for (const [s, u] of [['s1', 'u1'], ['s2', 'u1'], ['s3', 'u2']] as const) c.put(c.begin(), s, user(u), 10_000, 1000);
    c.apply({ kind: 'session', id: 's1' });
    assert.deepEqual(['s1', 's2', 's3'].map((s, i) => Boolean(c.get(s, i < 2 ? 'u1' : 'u2', 1001))), [false, true, true]);
    c.apply({ kind: 'user', id: 'u1' });
    assert.deepEqual([Boolean(c.get('s2', 'u1', 1001)), Boolean(c.get('s3', 'u2', 1001))], [false, true]);
    c.apply({ kind: 'everything' });
    assert.equal(c.size, 0);
  });

  test('holds at most `max` sessions, the oldest going first', () => {
    const c = new SessionCache(500, 2);
    for (const s of ['s1', 's2', 's3']) c.put(c.begin(), s, user(`u-${s}`), 10_000, 1000);
    assert.deepEqual([Boolean(c.get('s1', 'u-s1', 1001)), Boolean(c.get('s3', 'u-s3', 1001))], [false, true]);
    assert.equal(c.size, 2);
  });

  test('a cached user cannot be changed in place by a request', () => {
    const c = new SessionCache(500);
    c.put(c.begin(), 's1', user('u1'), 10_000, 1000);
    assert.throws(() => { (c.get('s1', 'u1', 1001) as { email: string }).email = 'x'; }, TypeError);
  });

  test('ttl 0 caches nothing', () => {
    const c = new SessionCache(0);
    c.put(c.begin(), 's1', user('u1'), 10_000, 1000);
    assert.equal(c.get('s1', 'u1', 1000), undefined);
  });
});

describe('SessionCache memory', () => {
  test('entries whose time is up are dropped when new ones come, not only when their session asks again', async () => {
    const c = new SessionCache(20);
    const t0 = Date.now();
    for (let i = 0; i < 100; i++) c.put(c.begin(), `old-${i}`, user(`u${i}`), t0 + 10_000, t0);
    assert.equal(c.size, 100);
    // Their 20 ms are up, counted from the last put (on a loaded machine the puts alone can take longer than that).
    const lastPut = Date.now();
    while (Date.now() < lastPut + 30) await new Promise((r) => setTimeout(r, 5));
    const t1 = Date.now();
    c.put(c.begin(), 'new', user('u-new'), t1 + 10_000, t1);
    assert.equal(c.size, 1);
    assert.equal(c.get('new', 'u-new', t1 + 1)?.id, 'u-new');
  });

  test('a session used again stays when the cache is full; the least recently used goes', () => {
    const c = new SessionCache(500, 2);
    c.put(c.begin(), 's1', user('u1'), 10_000, 1000);
    c.put(c.begin(), 's2', user('u2'), 10_000, 1000);
    assert.ok(c.get('s1', 'u1', 1001));
    c.put(c.begin(), 's3', user('u3'), 10_000, 1001);
    assert.deepEqual(['s1', 's2', 's3'].map((s, i) => Boolean(c.get(s, `u${i + 1}`, 1002))), [true, false, true]);
  });

  test('a user change finds every session of the user still cached, after evictions and replacements', () => {
    const c = new SessionCache(500, 3);
    for (const [s, u] of [['s1', 'u1'], ['s2', 'u1'], ['s3', 'u2'], ['s4', 'u1']] as const) c.put(c.begin(), s, user(u), 10_000, 1000); // s1 evicted
    c.put(c.begin(), 's2', user('u1'), 10_000, 1000); // replaced
    c.apply({ kind: 'user', id: 'u1' });
    assert.equal(c.size, 1);
    assert.ok(c.get('s3', 'u2', 1001));
  });
});

// `node bench/micro/caches.ts`: the session cache (src/auth/session-cache.ts), the verified-token memo (in
// src/auth/access-token.ts) and SQLite's prepared statements (src/store/database.ts) on lru-cache, against the
// hand-written Maps they replaced (handwritten-caches.ts, and the statements' at the end of this file).
// A hit is what every authenticated request pays (token memo, then session cache); a put is a cache miss (a new
// session or token). Memory: heap and array buffers held by an empty cache and by a full one, after a GC.
import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { LRUCache } from 'lru-cache';
import { SessionCache } from '../../src/auth/session-cache.ts';
import type { User } from '../../src/model/user.ts';
import { MapSessionCache, MapTokenMemo } from './handwritten-caches.ts';
import { compare, print } from './measure.ts';

const user = (id: string): User => ({
  id, email: `${id}@example.com`, username: null, fullName: null, hashedPassword: '$argon2id$v=19$m=19456,t=2,p=1$x$y', isActive: true,
  isVerified: false, mfaEnabled: false, role: 'user', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
});
const TTL = 60_000;
const SESSIONS = 10_000;
const ids = Array.from({ length: SESSIONS }, () => randomUUID());
const users = ids.map(() => user(randomUUID()));

const lru = new SessionCache(TTL);
const map = new MapSessionCache(TTL);
const now = Date.now();
for (const [i, id] of ids.entries()) {
  lru.put(lru.begin(), id, users[i]!, now + 86_400_000, now);
  map.put(map.begin(), id, users[i]!, now + 86_400_000, now);
}
let k = 0;
const hit = (c: { get: (s: string, u: string, n: number) => User | undefined }) => (n: number) => {
  const t = Date.now();
  for (let i = 0; i < n; i++) {
    const j = (k = (k + 7919) % SESSIONS);
    if (!c.get(ids[j]!, users[j]!.id, t)) throw new Error('miss');
  }
};
print(`session cache hit (${SESSIONS} sessions cached)`, await compare([
  { name: 'hand-written Map', run: hit(map) },
  { name: 'lru-cache', run: hit(lru) },
], { batch: 200_000 }));

// Puts past the cap: every put evicts one (the cache at its default max of 50,000).
const fresh = () => { const s = randomUUID(); return [s, user(randomUUID())] as const; };
const put = (c: { put: SessionCache['put']; begin: () => number }) => (n: number) => {
  const t = Date.now();
  for (let i = 0; i < n; i++) { const [s, u] = fresh(); c.put(c.begin(), s, u, t + 86_400_000, t); }
};
const lruFull = new SessionCache(TTL), mapFull = new MapSessionCache(TTL);
put(lruFull)(50_000); put(mapFull)(50_000);
print('session cache put, full (50,000), one evicted per put; includes making the id and user', await compare([
  { name: 'hand-written Map', run: put(mapFull) },
  { name: 'lru-cache', run: put(lruFull) },
], { batch: 20_000 }));

// The verified-token memo: 10,000 tokens (its cap), 15 minutes to live.
interface Claims { sub: string; sid: string; jti: string; exp: number; iat: number }
const claims = (): Claims => ({ sub: randomUUID(), sid: randomUUID(), jti: randomUUID(), iat: Math.floor(now / 1000), exp: Math.floor(now / 1000) + 900 });
const tokens = Array.from({ length: 10_000 }, () => `${randomUUID()}.${randomUUID()}.${randomUUID()}`);
const memoMap = new MapTokenMemo<Claims>(10_000, 5000);
const memoLru = new LRUCache<string, Claims>({ max: 10_000 });
for (const t of tokens) { const c = claims(); memoMap.set(t, c); memoLru.set(t, c, { ttl: c.exp * 1000 + 5000 - Date.now() }); }
const memoHit = (get: (t: string) => Claims | undefined) => (n: number) => {
  for (let i = 0; i < n; i++) { const j = (k = (k + 7919) % tokens.length); if (!get(tokens[j]!)) throw new Error('miss'); }
};
print('verified-token memo hit (10,000 tokens)', await compare([
  { name: 'hand-written Map', run: memoHit((t) => memoMap.get(t)) },
  { name: 'lru-cache', run: memoHit((t) => memoLru.get(t)) },
], { batch: 200_000 }));
const memoSet = (set: (t: string, c: Claims) => void) => (n: number) => {
  for (let i = 0; i < n; i++) set(randomUUID(), claims());
};
print('verified-token memo set, full (one evicted per set); includes making the claims', await compare([
  { name: 'hand-written Map', run: memoSet((t, c) => memoMap.set(t, c)) },
  { name: 'lru-cache', run: memoSet((t, c) => memoLru.set(t, c, { ttl: c.exp * 1000 + 5000 - Date.now() })) },
], { batch: 20_000 }));

// Memory after a GC: heap + array buffers (lru-cache keeps its links and timestamps in typed arrays sized for max).
setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;
const held = (make: () => unknown): number => {
  gc(); gc();
  const before = process.memoryUsage();
  const kept = make();
  gc(); gc();
  const after = process.memoryUsage();
  if (!kept) throw new Error('nothing made');
  return (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / 1048576;
};
const filled = (c: { put: SessionCache['put']; begin: () => number }) => { put(c)(50_000); return c; };
console.log('\nmemory held after a GC (MiB; heap + array buffers; users shared by neither)');
for (const [name, mib] of [
  ['empty session cache, hand-written Map', held(() => new MapSessionCache(TTL))],
  ['empty session cache, lru-cache (max 50,000)', held(() => new SessionCache(TTL))],
  ['empty token memo, lru-cache (max 10,000)', held(() => new LRUCache<string, Claims>({ max: 10_000 }))],
  ['50,000 sessions, hand-written Map', held(() => filled(new MapSessionCache(TTL)))],
  ['50,000 sessions, lru-cache', held(() => filled(new SessionCache(TTL)))],
  ['50,000 sessions, lru-cache with a timer each', held(() => {
    const c = new LRUCache<string, { userId: string; user: User; until: number }>({ max: 50_000, ttlAutopurge: true });
    const t = Date.now();
    for (let i = 0; i < 50_000; i++) { const [s, u] = fresh(); c.set(s, { userId: u.id, user: Object.freeze(u), until: t + TTL }, { ttl: TTL }); }
    return c;
  })],
] as const) console.log(`  ${name.padEnd(46)} ${mib.toFixed(1).padStart(6)}`);

// SQLite's prepared statements (src/store/database.ts): every query looks its SQL up; 256 kept, the least recently
// used out first. The hand-written Map moved a hit to the end by deleting and setting it again.
const SQL = Array.from({ length: 40 }, (_, i) => `select * from t${i} where id = ?`);
const mapLru = new Map<string, object>();
const mapHit = (source: string): object => {
  let stmt = mapLru.get(source);
  if (stmt) mapLru.delete(source);
  else { stmt = {}; if (mapLru.size >= 256) mapLru.delete(mapLru.keys().next().value!); }
  mapLru.set(source, stmt);
  return stmt;
};
const statements = new LRUCache<string, object>({ max: 256 });
const lruHit = (source: string): object => {
  let stmt = statements.get(source);
  if (!stmt) statements.set(source, stmt = {});
  return stmt;
};
const lookups = (f: (s: string) => object) => (n: number) => { for (let i = 0; i < n; i++) f(SQL[i % SQL.length]!); };
print('prepared-statement lookup (40 statements in use, 256 kept)', await compare([
  { name: 'hand-written Map (delete + set)', run: lookups(mapHit) },
  { name: 'lru-cache', run: lookups(lruHit) },
], { batch: 500_000 }));

// The hand-written caches that lru-cache replaced on 2026-12-06 (src/auth/session-cache.ts and the verified-token memo
// in src/auth/access-token.ts), kept only as bench/micro/caches.ts's contenders: a Map in insertion order, the oldest
// first out at the cap, expired entries swept from the front on each insert.
import type { User } from '../../src/model/user.ts';
import type { Change } from '../../src/store/change-feed.ts';

interface Entry { userId: string; user: User; until: number }

/** SessionCache as it was (the same rules; see src/auth/session-cache.ts). */
export class MapSessionCache {
  private readonly ttlMs: number;
  private readonly max: number;
  private readonly entries = new Map<string, Entry>();
  private readonly byUser = new Map<string, Set<string>>();
  private epoch = 0;

  constructor(ttlMs: number, max = 50_000) {
    this.ttlMs = ttlMs;
    this.max = max;
  }

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  get(sessionId: string, userId: string, now: number): User | undefined {
    const e = this.entries.get(sessionId);
    if (!e) return undefined;
    if (e.until <= now || e.userId !== userId) {
      this.drop(sessionId);
      return undefined;
    }
    return e.user;
  }

  /** Call before reading the database; pass the result to `put`. */
  begin(): number {
    return this.epoch;
  }

  /** Caches what a lookup that started at `startedAt` (ms) with `begin()` = `ticket` found. */
  put(ticket: number, sessionId: string, user: User, sessionEndsAt: number, startedAt: number): void {
    if (!this.enabled || ticket !== this.epoch) return;
    const until = Math.min(startedAt + this.ttlMs, sessionEndsAt);
    if (until <= startedAt) return;
    this.sweep(startedAt);
    this.drop(sessionId);
    if (this.entries.size >= this.max) this.drop(this.entries.keys().next().value!); // oldest first out
    // Shared by every request of the session until it expires: nobody may change it in place.
    this.entries.set(sessionId, { userId: user.id, user: Object.freeze(user), until });
    let ids = this.byUser.get(user.id);
    if (!ids) this.byUser.set(user.id, ids = new Set());
    ids.add(sessionId);
  }

  apply(c: Change): void {
    this.epoch++;
    if (c.kind === 'everything') {
      this.entries.clear();
      this.byUser.clear();
    } else if (c.kind === 'session') {
      this.drop(c.id);
    } else {
      for (const id of this.byUser.get(c.id) ?? []) this.entries.delete(id);
      this.byUser.delete(c.id);
    }
  }

  /**
   * Drops the expired entries at the front. Entries are kept in the order they were put, which is (nearly) the
   * order they expire in, so this stops at the first live one: without it, sessions never asked about again would
   * stay until `max` pushed them out (seen as a slow RSS climb in the soak).
   */
  private sweep(now: number): void {
    for (const [id, e] of this.entries) {
      if (e.until > now) return;
      this.drop(id);
    }
  }

  private drop(sessionId: string): void {
    const e = this.entries.get(sessionId);
    if (!e) return;
    this.entries.delete(sessionId);
    const ids = this.byUser.get(e.userId);
    ids?.delete(sessionId);
    if (ids?.size === 0) this.byUser.delete(e.userId);
  }
}

/** The verified-token memo as it was: claims by token, expired ones swept from the front when a new one comes. */
export class MapTokenMemo<V extends { exp: number }> {
  private readonly entries = new Map<string, V>();
  private readonly max: number;
  private readonly toleranceMs: number;

  constructor(max: number, toleranceMs: number) {
    this.max = max;
    this.toleranceMs = toleranceMs;
  }

  get(token: string): V | undefined {
    return this.entries.get(token);
  }

  set(token: string, claims: V, now = Date.now()): void {
    for (const [t, c] of this.entries) {
      if (c.exp * 1000 > now - this.toleranceMs) break;
      this.entries.delete(t);
    }
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, claims);
  }
}

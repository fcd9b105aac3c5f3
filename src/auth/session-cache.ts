import type { User } from '../model/user.ts';
import type { Change } from '../store/change-feed.ts';

interface Entry { userId: string; user: User; until: number }

/**
 * Live sessions recently read from the database, so that a client's burst of requests costs one lookup.
 *
 * Correctness rests on three rules:
 * - an entry lives at most `ttlMs` (and never past its session's own end): the bound on how stale an instance can
 *   be when a change does not reach it (SQLite has no cross-process feed; a lost NOTIFY);
 * - every change the stores publish drops the affected entries before the store call returns (this instance) or
 *   when the NOTIFY arrives (other instances on PostgreSQL);
 * - a lookup that was in flight while any change was applied is not cached (`epoch`): it may have read the row
 *   just before the change and would otherwise put the ended session back.
 */
export class SessionCache {
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

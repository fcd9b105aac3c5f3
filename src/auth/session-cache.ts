import { LRUCache } from 'lru-cache';
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
 *
 * The entries are an lru-cache: at most `max`, the least recently used going first when full. Whether an entry may
 * answer is decided here, against `until` and the caller's clock; lru-cache's own expiry (each entry's ttl) only
 * frees memory: at most once per `ttlMs` a put drops every expired entry (purgeStale), so sessions never asked
 * about again do not stay until `max` pushes them out (seen as a slow RSS climb in the soak). Not a timer per entry
 * (ttlAutopurge): a Timeout each, +4 to +15 MiB at 50,000 entries in two runs of bench/micro/caches.ts.
 *
 * lru-cache replaced a hand-written Map (insertion order, the oldest out first), measured with
 * `node bench/micro/caches.ts` (2-core machine, 2026-12-06, two runs): a hit costs 0.21–0.40 µs of CPU against
 * 0.13–0.28 µs (+0.1 µs on a request that costs ~30 µs), a put into a full cache 9.5–9.8 µs against 65–75 µs (a
 * Map deleted from the front is walked over its holes), and the empty cache holds 1.1 MiB (its arrays, sized for
 * `max`). What it brings: the least recently used goes first, so a flood of new sessions does not push out the
 * ones in use, and the bookkeeping of order and expiry is the library's.
 */
export class SessionCache {
  private readonly ttlMs: number;
  private readonly entries: LRUCache<string, Entry> | undefined;
  /** The cached sessions of each user, for a user change; kept in step by lru-cache's dispose. */
  private readonly byUser = new Map<string, Set<string>>();
  private epoch = 0;
  /** When a put last dropped the expired entries (the caller's clock). */
  private purgedAt = 0;

  constructor(ttlMs: number, max = 50_000) {
    this.ttlMs = ttlMs;
    this.entries = ttlMs > 0
      ? new LRUCache<string, Entry>({ max, dispose: (e, sessionId) => this.unindex(sessionId, e.userId) })
      : undefined;
  }

  get enabled(): boolean {
    return this.entries !== undefined;
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }

  get(sessionId: string, userId: string, now: number): User | undefined {
    const e = this.entries?.get(sessionId);
    if (!e) return undefined;
    if (e.until <= now || e.userId !== userId) {
      this.entries!.delete(sessionId);
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
    if (!this.entries || ticket !== this.epoch) return;
    const until = Math.min(startedAt + this.ttlMs, sessionEndsAt);
    if (until <= startedAt) return;
    if (startedAt - this.purgedAt >= this.ttlMs) {
      this.entries.purgeStale();
      this.purgedAt = startedAt;
    }
    // Shared by every request of the session until it expires: nobody may change it in place.
    this.entries.set(sessionId, { userId: user.id, user: Object.freeze(user), until }, { ttl: Math.ceil(until - startedAt) });
    let ids = this.byUser.get(user.id);
    if (!ids) this.byUser.set(user.id, ids = new Set());
    ids.add(sessionId);
  }

  apply(c: Change): void {
    this.epoch++;
    if (!this.entries) return;
    if (c.kind === 'everything') {
      this.entries.clear();
    } else if (c.kind === 'session') {
      this.entries.delete(c.id);
    } else {
      for (const id of [...this.byUser.get(c.id) ?? []]) this.entries.delete(id);
    }
  }

  private unindex(sessionId: string, userId: string): void {
    const ids = this.byUser.get(userId);
    ids?.delete(sessionId);
    if (ids?.size === 0) this.byUser.delete(userId);
  }
}

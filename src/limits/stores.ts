import { Redis, type Result } from 'ioredis';

/** Counts hits of a key in a fixed window: the count so far (this hit included) and when the window ends. */
export interface CounterStore {
  hit(key: string, windowMs: number, now?: number): Promise<{ count: number; resetInMs: number }>;
  close(): Promise<void>;
  readonly describe: string;
}

/** One process's counters. Expired windows are swept every minute. */
export class MemoryCounters implements CounterStore {
  readonly describe = 'memory (this process only)';
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private readonly sweeper: NodeJS.Timeout;

  constructor() {
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
    }, 60_000).unref();
  }

  async hit(key: string, windowMs: number, now = Date.now()): Promise<{ count: number; resetInMs: number }> {
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, w);
    }
    w.count++;
    return { count: w.count, resetInMs: w.resetAt - now };
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
  }
}

/**
 * INCR and PEXPIRE in one step, so concurrent hits from every instance are counted exactly once. Sent as a command of
 * its own (ioredis' defineCommand: EVALSHA, the script's text only when Redis does not have it yet). With the text
 * sent by EVAL on every hit, a request counted against two rules cost 458 µs of CPU; with EVALSHA 335 µs
 * (`node bench/micro/rate-limit.ts`, one run each on a loaded 2-core machine).
 */
const HIT = `local c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {c, ttl}`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** HIT: the count so far and the window's milliseconds left. */
    gatehouseHit(key: string, windowMs: string): Result<[number, number], Context>;
  }
}

/** Counters shared by every instance through Redis (REDIS_URL). */
export class RedisCounters implements CounterStore {
  readonly describe: string;
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(url: string, prefix: string) {
    this.redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 });
    this.redis.on('error', () => {}); // reported per request by the caller; ioredis reconnects by itself
    this.redis.defineCommand('gatehouseHit', { numberOfKeys: 1, lua: HIT });
    this.prefix = prefix;
    const u = new URL(url);
    this.describe = `redis ${u.host}`;
  }

  async hit(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }> {
    const [count, ttl] = await this.redis.gatehouseHit(`${this.prefix}${key}`, String(windowMs));
    return { count: Number(count), resetInMs: Number(ttl) };
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

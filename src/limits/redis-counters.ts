// Rate-limit counters shared through Redis. In a file of its own so that ioredis (~50 modules) is loaded only when
// REDIS_URL is set: the composition root imports this file then, and only then (measured with bench/footprint).
import { Redis, type Result } from 'ioredis';
import type { CounterStore } from './stores.ts';

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

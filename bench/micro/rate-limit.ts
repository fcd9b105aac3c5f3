// `node bench/micro/rate-limit.ts`: what a rate limit costs a request, Gatehouse's RateLimiter (src/limits/) against
// @fastify/rate-limit, as a preHandler on one Fastify route, in memory and with Redis (127.0.0.1:6379), limits high
// enough never to refuse. Requests by app.inject(), so the figures include Fastify's own work per request: the row
// without a limiter is the baseline, and the difference is the limiter's.
import Fastify, { type FastifyInstance, type preHandlerAsyncHookHandler } from 'fastify';
import { Redis } from 'ioredis';
import { RateLimiter, RULES, type Rate, type RuleName } from '../../src/limits/rate-limiter.ts';
import { MemoryCounters } from '../../src/limits/stores.ts';
import { RedisCounters } from '../../src/limits/redis-counters.ts';
import { rateLimit } from '../../src/http/rate-limit.ts';
import { contender } from './contenders.ts';
import { compare, print } from './measure.ts';

/** What this benchmark uses of @fastify/rate-limit: the plugin, and the preHandler it makes. */
type Plugin = (app: FastifyInstance, opts: Record<string, unknown>) => Promise<void>;
type WithRateLimit = FastifyInstance & { rateLimit: (opts: Record<string, unknown>) => preHandlerAsyncHookHandler };
const { module, version } = await contender('@fastify/rate-limit');
const plugin = (module as { default: Plugin }).default;

const HIGH: Rate = { limit: 1e9, windowMs: 60_000 };
const rates = Object.fromEntries(RULES.map((r) => [r, HIGH])) as Record<RuleName, Rate>;
const body = JSON.stringify({ email: 'someone@example.com' });

async function app(preHandler?: (a: FastifyInstance) => Promise<preHandlerAsyncHookHandler>): Promise<FastifyInstance> {
  const a = Fastify();
  const handler = preHandler ? await preHandler(a) : undefined;
  a.post('/forgot-password', handler ? { preHandler: handler } : {}, async () => ({ ok: true }));
  await a.ready();
  return a;
}
const run = (a: FastifyInstance) => async (n: number) => {
  for (let i = 0; i < n; i++) {
    const r = await a.inject({ method: 'POST', url: '/forgot-password', headers: { 'content-type': 'application/json' }, payload: body });
    if (r.statusCode !== 200) throw new Error(`${r.statusCode} ${r.body}`);
  }
};
/** @fastify/rate-limit with Gatehouse's two rules of this route: per IP and per account (the body's email). */
const theirs = (redis?: Redis) => async (a: FastifyInstance) => {
  await a.register(plugin, { global: false, ...(redis ? { redis } : {}) });
  const byIp = (a as WithRateLimit).rateLimit({ max: HIGH.limit, timeWindow: HIGH.windowMs, hook: 'preHandler', keyGenerator: (req: { ip: string }) => `mail_ip:${req.ip}` });
  const byAccount = (a as WithRateLimit).rateLimit({ max: HIGH.limit, timeWindow: HIGH.windowMs, hook: 'preHandler',
    keyGenerator: (req: { body: { email: string } }) => `mail_account:${req.body.email}` });
  return async function (this: FastifyInstance, req, reply) { await byIp.call(this, req, reply); await byAccount.call(this, req, reply); } as preHandlerAsyncHookHandler;
};
const ours = (limiter: RateLimiter) => async () => rateLimit(limiter, [['mail_ip', 'ip'], ['mail_account', { body: 'email' }]]);

const memoryLimiter = new RateLimiter(new MemoryCounters(), rates);
print(`a request with two rate limits (per IP, per account), in memory; @fastify/rate-limit ${version}`, await compare([
  { name: 'no limiter (Fastify alone)', run: run(await app()) },
  { name: 'Gatehouse RateLimiter, memory', run: run(await app(ours(memoryLimiter))) },
  { name: '@fastify/rate-limit, memory', run: run(await app(theirs())) },
], { batch: 3000 }));

const probe = new Redis('redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
const reachable = await probe.connect().then(() => true, () => false);
if (!reachable) console.log('\nRedis at 127.0.0.1:6379 is unreachable: the Redis rows are left out');
else {
  const prefix = `bench-micro-${process.pid}:`;
  const redisLimiter = new RateLimiter(new RedisCounters('redis://127.0.0.1:6379', prefix), rates);
  const theirRedis = new Redis('redis://127.0.0.1:6379', { keyPrefix: prefix });
  print(`a request with two rate limits (per IP, per account), Redis on 127.0.0.1; @fastify/rate-limit ${version}`, await compare([
    { name: 'no limiter (Fastify alone)', run: run(await app()) },
    { name: 'Gatehouse RateLimiter, Redis (a script per rule)', run: run(await app(ours(redisLimiter))) },
    { name: '@fastify/rate-limit, Redis', run: run(await app(theirs(theirRedis))) },
  ], { batch: 1000 }));
  const keys = await probe.keys(`${prefix}*`);
  if (keys.length) await probe.del(...keys);
  await redisLimiter.close();
  theirRedis.disconnect();
}
probe.disconnect();
await memoryLimiter.close();

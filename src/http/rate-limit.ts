import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { lookupKey } from '../model/user.ts';
import type { RateLimiter, RuleName } from '../limits/rate-limiter.ts';

/** Per client IP, per the account a body field names, or per what a function of the request says (undefined: not counted). */
type Subject = 'ip' | { body: string } | ((req: FastifyRequest) => string | undefined);

/**
 * A preHandler (it runs after the body is parsed, so a limit can be per account) that counts the request against
 * each rule: per client IP (`req.ip`, which honours TRUST_PROXY) or per the account named in a body field.
 */
export function rateLimit(limiter: RateLimiter | undefined, rules: [RuleName, Subject][]): preHandlerAsyncHookHandler {
  return async (req: FastifyRequest) => {
    if (!limiter) return;
    for (const [rule, by] of rules) {
      const subject = by === 'ip' ? req.ip : typeof by === 'function' ? by(req) : accountIn(req, by.body);
      if (subject) await limiter.hit(rule, subject);
    }
  };
}

function accountIn(req: FastifyRequest, field: string): string | undefined {
  const v = (req.body as Record<string, unknown> | undefined)?.[field];
  return typeof v === 'string' && v.length > 0 ? lookupKey(v).slice(0, 320) : undefined;
}

// Kept rather than @fastify/rate-limit, for what it does that the plugin does not, not for speed. Measured with
// `node bench/micro/rate-limit.ts` (@fastify/rate-limit 11.2.0 as a preHandler against this one, a request counted
// against two rules, CPU over Fastify alone; two runs on a loaded 2-core machine, 2026-12-06): in memory +33 and
// +12 µs here, +43 and +8 µs the plugin (the same within noise); with Redis +367 µs (EVAL) then +239 µs (EVALSHA)
// here, +250 and +154 µs the plugin. Either is small next to what the limited routes do (an argon2id hash,
// ~10 ms of a core at OWASP's parameters, or a mail to send). What the plugin cannot do here:
// - a limit outside HTTP: RecentProof counts `reauth_account` in the manager layer (the plugin is a Fastify hook);
// - a rule is one counter shared by routes (`mail_ip` for forgot-password and request-verify-token, `login_*` for
//   the bearer and the cookie login, `token_ip`, `oauth_ip`), and a route counts several rules (per IP and per
//   account): the plugin keys its counters per route (its stores' child() prefixes method and URL) and groups
//   routes per route (`groupId`), not per rule;
// - the OAuth callback counts inside its handler, so that a 429 lands on the web app (?error=RATE_LIMITED);
// - Redis unreachable: let through and reported (log line and metric, onStoreError); the plugin's skipOnError lets
//   through without telling anyone;
// - the answer is the error registry's RATE_LIMITED with Retry-After, and RATE_LIMIT_* reads "10/1m", "0/1m", "off".
import { AppError } from '../errors.ts';
import type { CounterStore } from './stores.ts';

export interface Rate { limit: number; windowMs: number }

/** The limited actions. Each is counted per client IP and, where it names an account, per account too. */
export const RULES = ['login_ip', 'login_account', 'register_ip', 'mail_ip', 'mail_account', 'reauth_account', 'token_ip', 'oauth_ip'] as const;
export type RuleName = (typeof RULES)[number];

/**
 * Fixed-window rate limits (429 + Retry-After, RFC 6585 §4). If the shared counter store cannot be reached the
 * request is let through and the failure reported: an outage of Redis must not lock everyone out, and logins
 * stay protected by the per-account lockout kept in the database.
 */
export class RateLimiter {
  private readonly store: CounterStore;
  private readonly rates: Record<RuleName, Rate>;
  onStoreError: (err: unknown) => void = () => {};
  onLimited: (rule: RuleName) => void = () => {};

  constructor(store: CounterStore, rates: Record<RuleName, Rate>) {
    this.store = store;
    this.rates = rates;
  }

  get describe(): string {
    return this.store.describe;
  }

  /** Counts one hit of `rule` for `subject`; throws RATE_LIMITED once over the limit. */
  async hit(rule: RuleName, subject: string): Promise<void> {
    const { limit, windowMs } = this.rates[rule];
    let r: { count: number; resetInMs: number };
    try {
      r = await this.store.hit(`${rule}:${subject}`, windowMs);
    } catch (err) {
      this.onStoreError(err);
      return;
    }
    if (r.count > limit) {
      this.onLimited(rule);
      throw new AppError('RATE_LIMITED', { headers: { 'retry-after': String(Math.max(1, Math.ceil(r.resetInMs / 1000))) } });
    }
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

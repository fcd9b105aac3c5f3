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

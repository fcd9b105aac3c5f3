import { AppError } from '../errors.ts';
import type { LoginFailureStore } from '../store/login-failure-store.ts';

export interface LoginThrottleOptions {
  /** Consecutive failures allowed before the first lock. */
  freeAttempts: number;
  /** The first lock, seconds; each further failure doubles it. */
  baseLockSeconds: number;
  /** No lock lasts longer than this, seconds, so an attacker can never lock the owner out for good. */
  maxLockSeconds: number;
}

/** A failure streak is forgotten after a day without failures. */
const QUIET_RESET_MS = 86_400_000;

/**
 * Brute-force defence per account (NIST SP 800-63B §5.2.2: at most 100 consecutive failed attempts). After
 * `freeAttempts` consecutive failures the account key is locked for base × 2^(n − free) seconds, capped at
 * `maxLockSeconds`: with the defaults an attacker gets about 24 guesses a day, and the owner waits at most 15
 * minutes after an attack stops. The key is what was typed (email or username), whether or not such an account
 * exists, so the lock itself reveals nothing. A success clears the streak.
 */
export class LoginThrottle {
  private readonly store: LoginFailureStore;
  private readonly o: LoginThrottleOptions;

  constructor(store: LoginFailureStore, o: LoginThrottleOptions) {
    this.store = store;
    this.o = o;
  }

  /** Throws LOGIN_LOCKED (429, Retry-After) while the key is locked; returns whether a failure streak exists. */
  async check(key: string, now = Date.now()): Promise<boolean> {
    const row = await this.store.get(key);
    if (!row) return false;
    const left = row.lockedUntil ? Math.ceil((Date.parse(row.lockedUntil) - now) / 1000) : 0;
    if (left > 0) throw new AppError('LOGIN_LOCKED', { headers: { 'retry-after': String(left) } });
    return true;
  }

  /** Records a failure; returns the lock it caused, in seconds (0 = none). */
  async fail(key: string, now = Date.now()): Promise<number> {
    const prior = await this.store.get(key);
    if (prior && now - Date.parse(prior.lastFailureAt) > QUIET_RESET_MS) await this.store.clear(key);
    const failures = await this.store.increment(key, new Date(now).toISOString());
    const over = failures - this.o.freeAttempts;
    if (over < 0) return 0;
    const seconds = Math.min(this.o.baseLockSeconds * 2 ** Math.min(over, 30), this.o.maxLockSeconds);
    await this.store.lock(key, new Date(now + seconds * 1000).toISOString());
    return seconds;
  }

  succeed(key: string): Promise<void> {
    return this.store.clear(key);
  }

  /** Forgets streaks that ended more than a day ago. */
  purge(now = Date.now()): Promise<number> {
    return this.store.purge(new Date(now - QUIET_RESET_MS).toISOString());
  }
}

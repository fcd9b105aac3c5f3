import { setTimeout as sleep } from 'node:timers/promises';
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
/** An attempt in flight this long after the last one on its key died with its process (a verification takes ms). */
const STALE_ATTEMPT_MS = 60_000;
/** How long an attempt waits for the attempts in flight on its key to settle before it is refused. */
const WAIT_FOR_SLOT_MS = 5_000;

/**
 * Brute-force defence per account (NIST SP 800-63B §5.2.2: at most 100 consecutive failed attempts). After
 * `freeAttempts` consecutive failures the account key is locked for base × 2^(n − free) seconds, capped at
 * `maxLockSeconds`: with the defaults an attacker gets about 24 guesses a day, and the owner waits at most 15
 * minutes after an attack stops. The key is what was typed (email or username), whether or not such an account
 * exists, so the lock itself reveals nothing. A success clears the streak.
 *
 * Every attempt is counted (reserved) atomically in the database before its password is verified, so parallel
 * guesses, on one instance or many, never get more verifications than the threshold allows: failures and attempts
 * in flight together stay below `freeAttempts`, and after a lock ends exactly one attempt may be in flight. An
 * attempt that finds the slots taken by attempts in flight waits for them to settle (a lock, or a success that
 * clears the streak), up to a few seconds; an attempt that finds a lock in force is refused at once.
 */
export class LoginThrottle {
  private readonly store: LoginFailureStore;
  private readonly o: LoginThrottleOptions;
  private readonly lockedCode: 'LOGIN_LOCKED' | 'MFA_LOCKED';

  /** `lockedCode`: the answer to an attempt on a locked key (the second step of a login has its own, src/mfa/). */
  constructor(store: LoginFailureStore, o: LoginThrottleOptions, lockedCode: 'LOGIN_LOCKED' | 'MFA_LOCKED' = 'LOGIN_LOCKED') {
    this.store = store;
    this.o = o;
    this.lockedCode = lockedCode;
  }

  /** Counts an attempt before its verification; throws LOGIN_LOCKED (429, Retry-After) if the key may not try now. */
  async reserve(key: string): Promise<void> {
    const deadline = Date.now() + WAIT_FOR_SLOT_MS;
    for (;;) {
      const now = Date.now();
      const at = { now: iso(now), quietSince: iso(now - QUIET_RESET_MS), staleSince: iso(now - STALE_ATTEMPT_MS) };
      if (await this.store.reserve(key, this.o.freeAttempts, at)) return;
      const row = await this.store.get(key);
      const left = row?.lockedUntil ? Math.ceil((Date.parse(row.lockedUntil) - Date.now()) / 1000) : 0;
      if (left > 0) throw this.locked(left);
      if (Date.now() >= deadline) throw this.locked(1);
      await sleep(20 + Math.random() * 30); // attempts in flight hold every slot: wait for one to settle
    }
  }

  /** Settles the reserved attempt as a failure; returns the lock it caused, in seconds (0 = none). */
  async fail(key: string, now = Date.now()): Promise<number> {
    const { lockedUntil } = await this.store.fail(key, iso(now), { freeAttempts: this.o.freeAttempts, ends: this.lockEnds(now) });
    return lockedUntil ? Math.round((Date.parse(lockedUntil) - now) / 1000) : 0;
  }

  /** A success clears the streak (and so gives its own reserved attempt back). */
  succeed(key: string): Promise<void> {
    return this.store.clear(key);
  }

  /** Gives the reserved attempt back when no verdict was reached (the verification itself failed). */
  release(key: string): Promise<void> {
    return this.store.release(key);
  }

  private locked(seconds: number): AppError {
    return new AppError(this.lockedCode, { headers: { 'retry-after': String(seconds) } });
  }

  /** Forgets streaks that ended more than a day ago. */
  purge(now = Date.now()): Promise<number> {
    return this.store.purge(iso(now - QUIET_RESET_MS));
  }

  /** When the locks for counts free, free + 1, … would end: base × 2^(n − free) s, up to the first that reaches max. */
  private lockEnds(now: number): string[] {
    const ends: string[] = [];
    for (let over = 0; ; over++) {
      const seconds = Math.min(this.o.baseLockSeconds * 2 ** Math.min(over, 30), this.o.maxLockSeconds);
      ends.push(iso(now + seconds * 1000));
      if (seconds >= this.o.maxLockSeconds || over >= 30) return ends;
    }
  }
}

const iso = (ms: number): string => new Date(ms).toISOString();

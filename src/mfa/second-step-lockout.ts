import type { LoginThrottle } from '../manager/login-throttle.ts';

/**
 * Wrong second factors count per ACCOUNT, not per challenge: a fresh login (a fresh challenge) does not give an
 * attacker who knows the password a fresh set of TOTP guesses. It reuses the login lockout's atomic reserve/settle
 * (LoginThrottle over login_failures: counted before verification, shared by every instance) under its own keys,
 * answering MFA_LOCKED. The key is `MFA:<user id>`: login keys are lower-cased (lookupKey), so no typed login can
 * ever name it, and the password lockout and this one never count against each other.
 */
export class SecondStepLockout {
  private readonly throttle: LoginThrottle;

  constructor(throttle: LoginThrottle) {
    this.throttle = throttle;
  }

  /**
   * Runs `verify` as one counted attempt of the user's: refused at once with MFA_LOCKED (Retry-After) during a lock;
   * a false verdict counts a failure (returning the lock it caused, seconds); true clears the streak.
   */
  async attempt(userId: string, verify: () => Promise<boolean>): Promise<{ ok: true } | { ok: false; lockedSeconds: number }> {
    const key = keyOf(userId);
    await this.throttle.reserve(key);
    let ok: boolean;
    try {
      ok = await verify();
    } catch (err) {
      await this.throttle.release(key).catch(() => {});
      throw err;
    }
    if (ok) {
      await this.throttle.succeed(key);
      return { ok: true };
    }
    return { ok: false, lockedSeconds: await this.throttle.fail(key) };
  }

  purge(): Promise<number> {
    return this.throttle.purge();
  }
}

const keyOf = (userId: string) => `MFA:${userId}`;

// An authenticator app for the browser tests: RFC 6238 codes from the secret the web app shows, computed with otpauth.
import { Secret, TOTP } from 'otpauth';
import { setTimeout as sleep } from 'node:timers/promises';

const PERIOD_MS = 30_000;

/**
 * Codes for one secret. The server accepts a time step once, and only steps after the last one it accepted, within
 * one step of its clock: each code here is for the next step not used yet, the current one if possible; when the
 * next unused step is still ahead of the clock's window, this waits for the clock to reach it (a condition, not a
 * timing assertion).
 */
export class AuthenticatorApp {
  private readonly totp: TOTP;
  private last = -Infinity;

  constructor(base32Secret: string) {
    this.totp = new TOTP({ secret: Secret.fromBase32(base32Secret.replace(/\s+/g, '')), digits: 6, period: 30, algorithm: 'SHA1' });
  }

  async code(): Promise<string> {
    for (;;) {
      const now = Math.floor(Date.now() / PERIOD_MS);
      const step = Math.max(this.last + 1, now);
      if (step <= now + 1) {
        this.last = step;
        return this.totp.generate({ timestamp: step * PERIOD_MS });
      }
      await sleep((now + 1) * PERIOD_MS - Date.now() + 50);
    }
  }

  /** A code the server must refuse: from an hour ago. */
  stale(): string {
    return this.totp.generate({ timestamp: Date.now() - 3_600_000 });
  }
}

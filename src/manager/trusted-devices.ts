import { createHmac, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { deriveKey } from '../crypto/derive-key.ts';

/** How long a device cookie counts, from its login (each login issues a new one): half a year. */
export const DEVICE_COOKIE_TTL_SECONDS = 180 * 86_400;
/**
 * A device cookie: when it stops counting (Unix seconds), a random nonce (16 bytes, base64url) and the MAC that binds
 * both to one login (32 bytes, base64url).
 */
const WELL_FORMED = /^(\d{10})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

/**
 * Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"): a browser that once gave the right
 * password for a login keeps a cookie that says so, and its login attempts for that login are counted on a lockout
 * (and a per-account rate limit) of their own. Without them an attacker who fails a login every few minutes keeps the
 * account locked (LoginThrottle) for its owner too; with them, only clients without the owner's cookie are locked
 * out, and guesses sent with a stolen cookie lock that cookie alone, after as many failures as any other client gets.
 *
 * The cookie is `until.nonce.MAC(login, until, nonce)` under a key derived from APP_SECRET: nothing is stored, every
 * instance that shares APP_SECRET accepts it until `until`, and it names no account (the MAC is over the login's lookup
 * key, which the cookie does not hold). It proves only that the password was right once; it is never a credential: every attempt still needs
 * the password, and the second factor after it.
 */
export class TrustedDevices {
  private readonly key: KeyObject;

  constructor(appSecret: string) {
    this.key = deriveKey(appSecret, 'login-device-cookie');
  }

  /** A new cookie value for `login` (its lookup key), after the right password. */
  issue(login: string, now = Date.now()): string {
    const until = String(Math.floor(now / 1000) + DEVICE_COOKIE_TTL_SECONDS);
    const nonce = randomBytes(16).toString('base64url');
    return `${until}.${nonce}.${this.mac(login, until, nonce)}`;
  }

  /**
   * The lockout key of the device `cookie` stands for, when it was issued for `login` and has not run out;
   * undefined for no cookie, a malformed, forged or expired one, or one issued for another login. Upper case
   * (`DEVICE:`): login keys are lower-cased, so no typed login can name a device's key.
   */
  keyOf(login: string, cookie: string | undefined, now = Date.now()): string | undefined {
    const m = cookie === undefined ? null : WELL_FORMED.exec(cookie);
    if (!m) return undefined;
    const until = m[1]!, nonce = m[2]!, mac = m[3]!;
    if (Number(until) * 1000 <= now) return undefined;
    return timingSafeEqual(Buffer.from(this.mac(login, until, nonce)), Buffer.from(mac)) ? `DEVICE:${nonce}` : undefined;
  }

  /** `until` and the nonce are of fixed length and last, so no two (login, until, nonce) give the same input. */
  private mac(login: string, until: string, nonce: string): string {
    return createHmac('sha256', this.key).update(`${login}\n${until}.${nonce}`, 'utf8').digest('base64url');
  }
}

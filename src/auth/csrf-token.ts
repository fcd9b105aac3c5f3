import { createHmac, createSecretKey, hkdfSync, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';

/**
 * Signed double-submit CSRF tokens (OWASP CSRF cheat sheet): a random nonce and its HMAC. The same value is set
 * as a cookie and must come back in the X-CSRF-Token header; the signature means a value planted by someone
 * without the server's key is refused even if it reaches both places.
 */
export class CsrfTokens {
  /** A KeyObject made once (createHmac would build one from a Buffer on every call). */
  private readonly key: KeyObject;

  constructor(appSecret: string) {
    this.key = createSecretKey(Buffer.from(hkdfSync('sha256', appSecret, 'gatehouse', 'csrf-token', 32)));
  }

  issue(): string {
    const nonce = randomBytes(18).toString('base64url');
    return `${nonce}.${this.mac(nonce)}`;
  }

  /** True when `header` is a token we signed and equals `cookie`. */
  matches(cookie: string | undefined, header: string | undefined): boolean {
    if (!cookie || !header || cookie.length > 128) return false;
    const a = Buffer.from(cookie), b = Buffer.from(header);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return false;
    const [nonce, mac, extra] = cookie.split('.');
    if (!nonce || !mac || extra !== undefined) return false;
    const expected = Buffer.from(this.mac(nonce));
    const given = Buffer.from(mac);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private mac(nonce: string): string {
    return createHmac('sha256', this.key).update(nonce).digest('base64url');
  }
}

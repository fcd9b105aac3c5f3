// Kept rather than @fastify/csrf-protection, for its contract, not for speed. The plugin keeps a secret per client
// (in a cookie or a session) and hands out tokens derived from it, which the browser must get from a response body;
// here the CSRF cookie's value is the token itself, which the typed client (client/src/transport.ts) and the web app
// read from document.cookie and echo in X-CSRF-Token (the double submit the cookie tests defend), signed so that a
// planted value is refused, bound to the session so that one taken before login or in another session is. Adopting
// the plugin would change what every deployed client does. Measured, `node bench/micro/csrf.ts` (@fastify/csrf 8.1.1,
// the plugin's engine, with the session id as userInfo; 2-core machine under load, 2026-12-06): a check costs 7.8 µs
// of CPU here against 3.9 µs (two HMACs against one hash), issue + check 17.4 against 11.9 µs, on requests that cost
// ~100 µs and more: not a reason either way.
import { createHmac, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { deriveKey } from '../crypto/derive-key.ts';

/**
 * Signed double-submit CSRF tokens bound to the session (OWASP CSRF cheat sheet, "Signed Double-Submit Cookie"):
 * `nonce.tag.mac`, where `tag` is an HMAC of the session id (empty for a token issued without a session, before
 * login) and `mac` signs `nonce.tag`. The same value is set as a cookie and must come back in the X-CSRF-Token
 * header; the signature means a value planted by someone without the server's key is refused even if it reaches
 * both places, and the tag means a token issued for one session (or for none) is refused on another session.
 */
export class CsrfTokens {
  private readonly key: KeyObject;
  private readonly sessionKey: KeyObject;

  constructor(appSecret: string) {
    this.key = deriveKey(appSecret, 'csrf-token');
    this.sessionKey = deriveKey(appSecret, 'csrf-session');
  }

  /** A new token, bound to `sessionId`, or unbound when null (no session yet: the cookie login). */
  issue(sessionId: string | null): string {
    const signed = `${randomBytes(18).toString('base64url')}.${sessionId === null ? '' : this.tag(sessionId)}`;
    return `${signed}.${this.mac(signed)}`;
  }

  /**
   * True when `header` equals `cookie` and is a token we signed: bound to `sessionId` when it is a string; any
   * token we signed, bound or not, when it is null (a request without a live session).
   */
  matches(cookie: string | undefined, header: string | undefined, sessionId: string | null): boolean {
    if (!cookie || !header || cookie.length > 128) return false;
    const a = Buffer.from(cookie), b = Buffer.from(header);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return false;
    const [nonce, tag, mac, extra] = cookie.split('.');
    if (!nonce || tag === undefined || !mac || extra !== undefined) return false;
    if (!same(mac, this.mac(`${nonce}.${tag}`))) return false;
    return sessionId === null || same(tag, this.tag(sessionId));
  }

  /** True when `token` is one we signed for `sessionId` (so the cookie need not be replaced). */
  boundTo(token: string | undefined, sessionId: string): boolean {
    return this.matches(token, token, sessionId);
  }

  private tag(sessionId: string): string {
    return createHmac('sha256', this.sessionKey).update(sessionId).digest('base64url');
  }

  private mac(signed: string): string {
    return createHmac('sha256', this.key).update(signed).digest('base64url');
  }
}

const same = (given: string, expected: string): boolean => {
  const a = Buffer.from(given), b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

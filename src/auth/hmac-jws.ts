// Kept beside jose for signing only, measured: `node bench/micro/jws.ts` (2-core development machine, 2026-12-06,
// HS256, the access token's claims): HmacJws.sign 9.8 µs of CPU per token, jose's SignJWT.sign 137 µs (×14; WebCrypto
// is asynchronous and runs on libuv's pool). Every login and every refresh signs one token, and a refresh costs
// ~330 µs of server CPU in all (`npm run bench:refresh`), so jose would make refreshes ~40 % dearer. Verifying stays
// with jose (jwtVerify ~90 µs, once per token: the verified-token memo answers the token's later requests).
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

/** RFC 7518 §3.2: the HMAC hash each algorithm names. */
const HASHES = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as const;

/**
 * JWS compact serialization with HMAC (RFC 7515 §7.1, RFC 7518 §3.2), signed synchronously with node:crypto.
 * Only for signing access tokens with the configured HS* key (see the figures above). Verification stays with
 * jose, behind AccessTokens' canonical-spelling check (Buffer's base64url writes that spelling: unpadded, unused
 * bits zero); the tests verify every token this writes with jose.
 */
export class HmacJws {
  private readonly hash: (typeof HASHES)[keyof typeof HASHES];
  private readonly key: KeyObject;
  /** base64url(UTF8(header)) + '.', the same for every token. */
  private readonly head: string;

  constructor(alg: keyof typeof HASHES, secret: Uint8Array) {
    this.hash = HASHES[alg];
    this.key = createSecretKey(secret);
    this.head = `${Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url')}.`;
  }

  sign(payload: object): string {
    const input = this.head + Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${input}.${createHmac(this.hash, this.key).update(input).digest('base64url')}`;
  }
}

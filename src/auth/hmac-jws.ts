import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

/**
 * JWS compact serialization with HMAC (RFC 7515 §7.1, RFC 7518 §3.2), signed synchronously with node:crypto.
 * Only for signing access tokens with the configured HS* key: WebCrypto's asynchronous sign (what jose uses) cost
 * ~90 µs of the event loop per token on the refresh path, node:crypto's HMAC a few µs. Verification stays with
 * jose, behind AccessTokens' canonical-spelling check (Buffer's base64url writes that spelling: unpadded, unused
 * bits zero); the tests verify every token this writes with jose.
 */
export class HmacJws {
  private readonly hash: 'sha256' | 'sha384' | 'sha512';
  private readonly key: KeyObject;
  /** base64url(UTF8(header)) + '.', the same for every token. */
  private readonly head: string;

  constructor(alg: 'HS256' | 'HS384' | 'HS512', secret: Uint8Array) {
    this.hash = `sha${alg.slice(2)}` as 'sha256' | 'sha384' | 'sha512';
    this.key = createSecretKey(secret);
    this.head = `${Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url')}.`;
  }

  sign(payload: object): string {
    const input = this.head + Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${input}.${createHmac(this.hash, this.key).update(input).digest('base64url')}`;
  }
}

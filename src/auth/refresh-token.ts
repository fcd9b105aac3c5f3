import { createHash, createHmac, randomBytes, type KeyObject } from 'node:crypto';
import { deriveKey } from '../crypto/derive-key.ts';

/**
 * Refresh tokens are opaque: 256 random bits, base64url. Only their SHA-256 is stored (a database leak yields
 * no usable token). Rotation (RFC 9700 §4.14.2): each refresh token works once, and its successor is
 * HMAC(key, token), so a retry of the same token within the grace window can be answered with the same
 * successor without storing any token in clear.
 */
export class RefreshTokens {
  private readonly key: KeyObject;

  constructor(appSecret: string) {
    this.key = deriveKey(appSecret, 'refresh-token-rotation');
  }

  fresh(): string {
    return randomBytes(32).toString('base64url');
  }

  successorOf(token: string): string {
    return createHmac('sha256', this.key).update(token).digest('base64url');
  }

  static hash(token: string): string {
    return createHash('sha256').update(token).digest('hex');
  }

  /** A refresh token has the shape we issue (43 base64url characters); anything else is refused without a lookup. */
  static wellFormed(token: string): boolean {
    return /^[A-Za-z0-9_-]{43}$/.test(token);
  }
}

import { createHmac, type KeyObject } from 'node:crypto';
import { deriveKey } from './derive-key.ts';

/**
 * HMAC-SHA-256 under a key derived from APP_SECRET (derive-key.ts): the `info` label gives each purpose its own key. Equal inputs give equal digests, so they can be
 * correlated, but without APP_SECRET a digest cannot be reversed by trying guesses.
 */
export class KeyedDigest {
  private readonly key: KeyObject;

  constructor(appSecret: string, info: string) {
    this.key = deriveKey(appSecret, info);
  }

  /** The first `hexChars` hex digits of HMAC-SHA-256(value). */
  hex(value: string, hexChars = 16): string {
    return createHmac('sha256', this.key).update(value, 'utf8').digest('hex').slice(0, hexChars);
  }
}

import { Sealer, UnsealError } from '../../crypto/sealer.ts';

/**
 * Private signing keys at rest: AES-256-GCM under a key derived from APP_SECRET (HKDF, RFC 5869; see Sealer), so a
 * copy of the database alone signs nothing. Changing APP_SECRET makes stored keys unreadable: rotate keys after it.
 */
export class KeyEncryption {
  private readonly sealer: Sealer;

  constructor(appSecret: string) {
    this.sealer = new Sealer(appSecret, 'signing-key-encryption');
  }

  seal(plain: string): string {
    return this.sealer.seal(plain);
  }

  open(sealed: string): string {
    try {
      return this.sealer.open(sealed);
    } catch (err) {
      if (err instanceof UnsealError && err.message === 'unknown sealed value format') throw new Error('unknown sealed key format');
      throw new Error('a stored signing key cannot be decrypted: was APP_SECRET changed? Run "gatehouse keys rotate".');
    }
  }
}

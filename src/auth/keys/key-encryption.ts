import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Private signing keys at rest: AES-256-GCM under a key derived from APP_SECRET (HKDF, RFC 5869), so a copy of
 * the database alone signs nothing. Changing APP_SECRET makes stored keys unreadable: rotate keys after it.
 */
export class KeyEncryption {
  private readonly key: Buffer;

  constructor(appSecret: string) {
    this.key = Buffer.from(hkdfSync('sha256', appSecret, 'gatehouse', 'signing-key-encryption', 32));
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final(), c.getAuthTag()]);
    return `v1.${iv.toString('base64url')}.${body.toString('base64url')}`;
  }

  open(sealed: string): string {
    const [v, iv, body] = sealed.split('.');
    if (v !== 'v1' || !iv || !body) throw new Error('unknown sealed key format');
    const data = Buffer.from(body, 'base64url');
    const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    d.setAuthTag(data.subarray(data.length - 16));
    try {
      return Buffer.concat([d.update(data.subarray(0, data.length - 16)), d.final()]).toString('utf8');
    } catch {
      throw new Error('a stored signing key cannot be decrypted: was APP_SECRET changed? Run "gatehouse keys rotate".');
    }
  }
}

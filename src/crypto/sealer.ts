import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { deriveKeyBytes } from './derive-key.ts';

/** Thrown when a sealed value cannot be opened: another APP_SECRET, another purpose, another row, or tampering. */
export class UnsealError extends Error {
  constructor(why: string) {
    super(why);
    this.name = 'UnsealError';
  }
}

/**
 * Secrets at rest: AES-256-GCM under a key derived from APP_SECRET with HKDF (RFC 5869). The `info` label gives
 * each purpose its own key (signing keys, provider tokens, …), so a value sealed for one cannot be opened as
 * another. Optional associated data (e.g. the row's id) binds a value to its place: copied into another row, it
 * does not open. A copy of the database alone reveals nothing. Format: `v1.<iv>.<ciphertext+tag>` (base64url).
 */
export class Sealer {
  /** A KeyObject made once: given raw bytes, every cipher would make one anew (measured: most of a seal's cost). */
  private readonly key: KeyObject;

  constructor(appSecret: string, info: string) {
    this.key = createSecretKey(deriveKeyBytes(appSecret, info));
  }

  seal(plain: string, associatedData?: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    if (associatedData !== undefined) c.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final(), c.getAuthTag()]);
    return `v1.${iv.toString('base64url')}.${body.toString('base64url')}`;
  }

  open(sealed: string, associatedData?: string): string {
    const [v, iv, body, extra] = sealed.split('.');
    if (v !== 'v1' || !iv || !body || extra !== undefined) throw new UnsealError('unknown sealed value format');
    const data = Buffer.from(body, 'base64url');
    if (data.length < 16) throw new UnsealError('sealed value too short');
    const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    if (associatedData !== undefined) d.setAAD(Buffer.from(associatedData, 'utf8'));
    d.setAuthTag(data.subarray(data.length - 16));
    try {
      return Buffer.concat([d.update(data.subarray(0, data.length - 16)), d.final()]).toString('utf8');
    } catch {
      throw new UnsealError('sealed value does not open with this key');
    }
  }
}

import { randomInt } from 'node:crypto';
import type { KeyedDigest } from '../crypto/keyed-digest.ts';
import type { RecoveryCodeStore } from '../store/recovery-code-store.ts';

/** How many codes a user gets at a time. */
export const RECOVERY_CODE_COUNT = 10;
/** 32 symbols without look-alikes (no 0/o, 1/l/i): 12 of them are 60 bits, far beyond guessing under the lockout. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const LENGTH = 12;

/**
 * Single-use recovery codes: the way back in when the authenticator is lost. Random and high-entropy, so a keyed
 * digest (HMAC-SHA-256 under a key derived from APP_SECRET) is enough at rest: no password hash is needed to make
 * guessing from a stolen database hopeless. Shown once, at generation; generating again kills every older code. A
 * code is used in one atomic statement, so of parallel uses exactly one wins.
 */
export class RecoveryCodes {
  private readonly store: RecoveryCodeStore;
  private readonly digest: KeyedDigest;

  constructor(store: RecoveryCodeStore, digest: KeyedDigest) {
    this.store = store;
    this.digest = digest;
  }

  /** New codes for the user (the old ones die); shown to the user once, never again. */
  async generate(userId: string, now = Date.now()): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
      const raw = Array.from({ length: LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
      return `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8)}`;
    });
    await this.store.replace(userId, codes.map((c) => this.hash(c)), new Date(now).toISOString());
    return codes;
  }

  /**
   * Uses a code; true when it was one of the user's unused codes (and this call used it). With `createdBefore`, only
   * a code that existed by then (codes generated during a login cannot finish it).
   */
  async use(userId: string, code: string, createdBefore?: string, now = Date.now()): Promise<boolean> {
    const normal = code.toLowerCase().replace(/[\s-]/g, '');
    if (normal.length !== LENGTH || [...normal].some((c) => !ALPHABET.includes(c))) return false;
    return this.store.use(userId, this.hash(normal), new Date(now).toISOString(), createdBefore);
  }

  remaining(userId: string): Promise<number> {
    return this.store.remaining(userId);
  }

  removeAll(userId: string): Promise<number> {
    return this.store.removeAll(userId);
  }

  private hash(code: string): string {
    return this.digest.hex(code.replace(/-/g, ''), 64);
  }
}

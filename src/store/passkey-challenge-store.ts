import type { Kysely } from 'kysely';
import type { PasskeyChallenge, PasskeyPurpose } from '../model/passkey.ts';
import { toIso, type Database } from './schema.ts';

/**
 * SQL for pending WebAuthn challenges, keyed by a hash of their attempt. `take` deletes the row as it reads it, so of
 * many requests presenting one attempt at once exactly one gets the challenge (single use, WebAuthn §13.4.3).
 */
export class PasskeyChallengeStore {
  private readonly db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.db = db;
  }

  /** Stores the challenge; a new challenge for the same attempt replaces the pending one (the last options win). */
  async put(keyHash: string, c: PasskeyChallenge, now: string): Promise<void> {
    await this.db.insertInto('passkey_challenges').values({
      key_hash: keyHash, purpose: c.purpose, user_id: c.userId, challenge: c.challenge, binding_hash: c.bindingHash,
      created_at: now, expires_at: c.expiresAt,
    }).onConflict((oc) => oc.column('key_hash').doUpdateSet({
      purpose: c.purpose, user_id: c.userId, challenge: c.challenge, binding_hash: c.bindingHash, created_at: now, expires_at: c.expiresAt,
    })).execute();
  }

  /**
   * Removes and returns the challenge of this purpose (even an expired one: the caller decides), only if it was issued
   * for `userId` (when given) and, when `bindingHash` is given, for that browser: someone else presenting the attempt
   * cannot use it up. Undefined when unknown, used, or not theirs.
   */
  async take(keyHash: string, purpose: PasskeyPurpose, opts: { userId?: string; bindingHash?: string } = {}): Promise<PasskeyChallenge | undefined> {
    let q = this.db.deleteFrom('passkey_challenges').where('key_hash', '=', keyHash).where('purpose', '=', purpose);
    if (opts.userId !== undefined) q = q.where('user_id', '=', opts.userId);
    if (opts.bindingHash !== undefined) q = q.where('binding_hash', '=', opts.bindingHash);
    const r = await q.returningAll().executeTakeFirst();
    return r && {
      purpose: r.purpose as PasskeyPurpose, userId: r.user_id, challenge: r.challenge, bindingHash: r.binding_hash, expiresAt: toIso(r.expires_at),
    };
  }

  async purgeExpired(now: string): Promise<number> {
    const r = await this.db.deleteFrom('passkey_challenges').where('expires_at', '<=', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

import { sql, type Kysely } from 'kysely';
import { toIso, type Database } from './schema.ts';

/** A user's authenticator app as stored: the secret still sealed. */
export interface StoredTotp { userId: string; secretSealed: string; createdAt: string; confirmedAt: string | null; lastStep: number | null }

/** SQL for the one TOTP enrolment a user may have (src/mfa/totp.ts). */
export class TotpStore {
  private readonly db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.db = db;
  }

  async get(userId: string): Promise<StoredTotp | undefined> {
    const r = await this.db.selectFrom('mfa_totp').selectAll().where('user_id', '=', userId).executeTakeFirst();
    return r && {
      userId: r.user_id, secretSealed: r.secret_sealed, createdAt: toIso(r.created_at),
      confirmedAt: r.confirmed_at === null ? null : toIso(r.confirmed_at), lastStep: r.last_step === null ? null : Number(r.last_step),
    };
  }

  /** A new pending enrolment, replacing a pending one; false (nothing written) when a confirmed one exists. */
  async putPending(userId: string, secretSealed: string, now: string): Promise<boolean> {
    const r = await this.db.insertInto('mfa_totp')
      .values({ user_id: userId, secret_sealed: secretSealed, created_at: now, confirmed_at: null, last_step: null })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ secret_sealed: secretSealed, created_at: now, last_step: null })
        .where('mfa_totp.confirmed_at', 'is', null))
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  /**
   * Confirms the pending enrolment whose sealed secret is `secretSealed` (not one that replaced it meanwhile) and
   * records `step` as used; true when this call confirmed it.
   */
  async confirm(userId: string, secretSealed: string, step: number, now: string): Promise<boolean> {
    const r = await this.db.updateTable('mfa_totp').set({ confirmed_at: now, last_step: step })
      .where('user_id', '=', userId).where('secret_sealed', '=', secretSealed).where('confirmed_at', 'is', null).executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  /**
   * Claims time step `step` for a confirmed enrolment, if no later-or-equal step was accepted before: one statement,
   * so of two requests with the same code (on any instance) exactly one gets true (RFC 6238 §5.2).
   * `confirmedBefore`: only an enrolment confirmed at or before this moment counts.
   */
  async claimStep(userId: string, step: number, confirmedBefore?: string): Promise<boolean> {
    let q = this.db.updateTable('mfa_totp').set({ last_step: step })
      .where('user_id', '=', userId).where('confirmed_at', 'is not', null)
      .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', sql<number>`${step}`)]));
    if (confirmedBefore !== undefined) q = q.where('confirmed_at', '<=', confirmedBefore);
    const r = await q.executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  async remove(userId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('mfa_totp').where('user_id', '=', userId).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }
}

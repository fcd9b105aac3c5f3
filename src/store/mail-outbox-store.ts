import { sql, type Kysely } from 'kysely';
import { toIso, type Database } from './schema.ts';

/**
 * verify and reset carry a link with a single-use token; email_changed is a notice to the old address; security_notice
 * tells the user that what protects the account changed (a factor added or removed, a recovery code used…);
 * passkey_added and passkey_removed tell the user a passkey (named in `detail`) now protects, or no longer, the account.
 */
export type MailKind = 'verify' | 'reset' | 'email_changed' | 'security_notice' | 'passkey_added' | 'passkey_removed';
export type LinkMailKind = 'verify' | 'reset';
export interface MailJob { id: string; kind: MailKind; email: string; attempts: number; tokenHash: string | null; createdAt: string; detail: string | null }

/** SQL for the durable mail queue: a job is a row, so a restart loses nothing. */
export class MailOutboxStore {
  private readonly db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.db = db;
  }

  async enqueue(kind: MailKind, email: string, now: string, detail: string | null = null): Promise<void> {
    await this.db.insertInto('mail_outbox').values({ kind, email, status: 'pending', next_attempt_at: now, created_at: now, detail }).execute();
  }

  /**
   * Takes the oldest due job for `lockSeconds`, counting the attempt. Several workers (instances) never take the
   * same job: the conditions are checked again on the row the UPDATE locks. A job whose worker died is due again
   * once its lock expires.
   */
  async claim(now: string, lockUntil: string): Promise<MailJob | undefined> {
    const next = this.db.selectFrom('mail_outbox').select('id')
      .where('status', '=', 'pending').where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
      .orderBy('id').limit(1);
    const r = await this.db.updateTable('mail_outbox')
      .set({ locked_until: lockUntil, attempts: sql`attempts + 1` })
      .where('id', '=', next)
      .where('status', '=', 'pending').where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
      .returningAll().executeTakeFirst();
    return r && { id: String(r.id), kind: r.kind as MailKind, email: r.email, attempts: Number(r.attempts), tokenHash: r.token_hash, createdAt: toIso(r.created_at), detail: r.detail };
  }

  async setToken(id: string, tokenHash: string): Promise<void> {
    await this.db.updateTable('mail_outbox').set({ token_hash: tokenHash }).where('id', '=', id).execute();
  }

  async finish(id: string, status: 'sent' | 'dropped' | 'failed', now: string, error?: string): Promise<void> {
    await this.db.updateTable('mail_outbox').set({ status, finished_at: now, locked_until: null, last_error: error ?? null }).where('id', '=', id).execute();
  }

  async retryAt(id: string, at: string, error: string): Promise<void> {
    await this.db.updateTable('mail_outbox').set({ next_attempt_at: at, locked_until: null, last_error: error.slice(0, 1000) }).where('id', '=', id).execute();
  }

  /** Deletes finished jobs older than `before`. */
  async purge(before: string): Promise<number> {
    const r = await this.db.deleteFrom('mail_outbox').where('status', '!=', 'pending').where('finished_at', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

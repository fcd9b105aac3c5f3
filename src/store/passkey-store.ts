import type { Kysely, Selectable } from 'kysely';
import type { Passkey } from '../model/passkey.ts';
import { bit, toBool, toIso, type Database } from './schema.ts';
import type { PasskeysTable } from './passkey-schema.ts';
import { translateWriteError } from './errors.ts';

const rowToPasskey = (r: Selectable<PasskeysTable>): Passkey => ({
  id: r.id, userId: r.user_id, credentialId: r.credential_id, publicKey: r.public_key, counter: Number(r.counter),
  transports: JSON.parse(r.transports) as string[], deviceType: r.device_type === 'multiDevice' ? 'multiDevice' : 'singleDevice',
  backedUp: toBool(r.backed_up), aaguid: r.aaguid, name: r.name, createdAt: toIso(r.created_at),
  lastUsedAt: r.last_used_at === null ? null : toIso(r.last_used_at),
});

/** SQL for passkeys. Every read that serves one user names that user: a credential of another is never found. */
export class PasskeyStore {
  private readonly db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.db = db;
  }

  /** Throws DuplicateKeyError('credential_id') when the credential is registered already (to anyone). */
  async insert(p: Passkey): Promise<Passkey> {
    try {
      const r = await this.db.insertInto('passkeys').values({
        id: p.id, user_id: p.userId, credential_id: p.credentialId, public_key: p.publicKey, counter: p.counter,
        transports: JSON.stringify(p.transports), device_type: p.deviceType, backed_up: bit(p.backedUp), aaguid: p.aaguid,
        name: p.name, created_at: p.createdAt, last_used_at: p.lastUsedAt,
      }).returningAll().executeTakeFirstOrThrow();
      return rowToPasskey(r);
    } catch (err) {
      return translateWriteError(err);
    }
  }

  /** Passwordless sign-in: the credential, whoever owns it (the caller then checks the owner against userHandle). */
  async byCredential(credentialId: string): Promise<Passkey | undefined> {
    const r = await this.db.selectFrom('passkeys').selectAll().where('credential_id', '=', credentialId).executeTakeFirst();
    return r && rowToPasskey(r);
  }

  /** Second factor: the credential only if it is this user's. */
  async byCredentialOf(userId: string, credentialId: string): Promise<Passkey | undefined> {
    const r = await this.db.selectFrom('passkeys').selectAll()
      .where('user_id', '=', userId).where('credential_id', '=', credentialId).executeTakeFirst();
    return r && rowToPasskey(r);
  }

  async ofUser(userId: string): Promise<Passkey[]> {
    const rows = await this.db.selectFrom('passkeys').selectAll().where('user_id', '=', userId).orderBy('created_at').orderBy('id').execute();
    return rows.map(rowToPasskey);
  }

  async rename(userId: string, id: string, name: string): Promise<Passkey | undefined> {
    const r = await this.db.updateTable('passkeys').set({ name }).where('id', '=', id).where('user_id', '=', userId).returningAll().executeTakeFirst();
    return r && rowToPasskey(r);
  }

  /**
   * Deletes the passkey unless it is the user's last way to sign in (no password, no linked provider, no other
   * passkey): 'last'. The user's row is locked first (an UPDATE), so two deletions of a user's last two ways in, on
   * any instance, are serialised and one of them sees the other's.
   */
  async deleteUnlessLast(userId: string, id: string, now = new Date().toISOString()): Promise<Passkey | 'missing' | 'last'> {
    return this.db.transaction().execute(async (trx) => {
      const user = await trx.updateTable('users').set({ updated_at: now }).where('id', '=', userId).returning(['hashed_password']).executeTakeFirst();
      if (!user) return 'missing';
      const mine = await trx.selectFrom('passkeys').select('id').where('user_id', '=', userId).execute();
      if (!mine.some((p) => p.id === id)) return 'missing';
      if (user.hashed_password === null && mine.length <= 1) {
        const linked = await trx.selectFrom('oauth_accounts').select('id').where('user_id', '=', userId).limit(1).executeTakeFirst();
        if (!linked) return 'last';
      }
      const r = await trx.deleteFrom('passkeys').where('id', '=', id).where('user_id', '=', userId).returningAll().executeTakeFirstOrThrow();
      return rowToPasskey(r);
    });
  }

  async deleteAllOf(userId: string): Promise<number> {
    const r = await this.db.deleteFrom('passkeys').where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /**
   * Records a verified use, only if the counter moves forward (WebAuthn §6.1.1, §7.2 step 22): compare-and-set in
   * one UPDATE, so of two uses presenting the same counter at once only one is accepted. A counter of 0 against a
   * stored 0 means the authenticator keeps no counter, and is accepted. False: the counter did not move forward.
   */
  async recordUse(id: string, counter: number, backedUp: boolean, now: string): Promise<boolean> {
    const r = await this.db.updateTable('passkeys')
      .set({ counter, backed_up: bit(backedUp), last_used_at: now })
      .where('id', '=', id)
      .where('counter', counter === 0 ? '=' : '<', counter)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}

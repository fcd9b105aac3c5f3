import type { Kysely, Selectable, Updateable } from 'kysely';
import type { OAuthAccount, ProviderTokens } from '../model/oauth-account.ts';
import type { User } from '../model/user.ts';
import type { Sealer } from '../crypto/sealer.ts';
import { toIso, type Database } from './schema.ts';
import type { OAuthAccountsTable } from './oauth-schema.ts';
import { UserStore, type NewUser } from './user-store.ts';
import { translateWriteError } from './errors.ts';

const rowToAccount = (r: Selectable<OAuthAccountsTable>): OAuthAccount => ({
  id: r.id, userId: r.user_id, provider: r.provider, accountId: r.account_id, accountEmail: r.account_email,
  createdAt: toIso(r.created_at), updatedAt: toIso(r.updated_at),
});

/**
 * SQL for linked provider accounts. The provider's tokens are sealed before they are written (AES-256-GCM, with the
 * row id and field as associated data, so a sealed token copied into another row does not open).
 */
export class OAuthAccountStore {
  private readonly db: Kysely<Database>;
  private readonly sealer: Sealer;

  constructor(db: Kysely<Database>, sealer: Sealer) {
    this.db = db;
    this.sealer = sealer;
  }

  async byAccount(provider: string, accountId: string): Promise<OAuthAccount | undefined> {
    const r = await this.db.selectFrom('oauth_accounts').selectAll().where('provider', '=', provider).where('account_id', '=', accountId).executeTakeFirst();
    return r && rowToAccount(r);
  }

  async ofUser(userId: string): Promise<OAuthAccount[]> {
    const rows = await this.db.selectFrom('oauth_accounts').selectAll().where('user_id', '=', userId).orderBy('created_at').orderBy('provider').execute();
    return rows.map(rowToAccount);
  }

  async insert(a: Omit<OAuthAccount, 'createdAt' | 'updatedAt'>, tokens: ProviderTokens, now = new Date().toISOString()): Promise<OAuthAccount> {
    const row = await this.db.insertInto('oauth_accounts').values({
      id: a.id, user_id: a.userId, provider: a.provider, account_id: a.accountId, account_email: a.accountEmail,
      ...this.sealed(a.id, tokens), created_at: now, updated_at: now,
    }).returningAll().executeTakeFirstOrThrow().catch(translateWriteError);
    return rowToAccount(row);
  }

  /** A new user and their first provider account, together or not at all. */
  async insertWithUser(user: NewUser, a: Omit<OAuthAccount, 'createdAt' | 'updatedAt' | 'userId'>, tokens: ProviderTokens): Promise<{ user: User; account: OAuthAccount }> {
    return this.db.transaction().execute(async (trx) => {
      const created = await new UserStore(trx).insert(user);
      const account = await new OAuthAccountStore(trx, this.sealer).insert({ ...a, userId: created.id }, tokens);
      return { user: created, account };
    });
  }

  /**
   * After a login or a refresh: the email the provider now gives (undefined = unchanged) and its new tokens
   * (null = unchanged; a refresh token the provider did not send again is kept).
   */
  async refreshed(id: string, accountEmail: string | null | undefined, tokens: ProviderTokens | null, now = new Date().toISOString()): Promise<void> {
    const set: Updateable<OAuthAccountsTable> = { updated_at: now, ...(tokens ? this.sealed(id, tokens) : {}) };
    if (accountEmail !== undefined) set.account_email = accountEmail;
    if (tokens?.refreshToken === null) delete set.refresh_token;
    await this.db.updateTable('oauth_accounts').set(set).where('id', '=', id).execute();
  }

  /**
   * Unlinks the user's account of `provider`, unless it is their last way to log in (no password, no other account).
   * The user row is written first, inside the transaction, so that two unlinks at once cannot both see "one left".
   */
  async deleteUnlessLast(userId: string, provider: string, now = new Date().toISOString()): Promise<'deleted' | 'missing' | 'last'> {
    return this.db.transaction().execute(async (trx) => {
      const user = await trx.updateTable('users').set({ updated_at: now }).where('id', '=', userId).returning(['hashed_password']).executeTakeFirst();
      if (!user) return 'missing';
      const accounts = await trx.selectFrom('oauth_accounts').select(['provider']).where('user_id', '=', userId).execute();
      if (!accounts.some((a) => a.provider === provider)) return 'missing';
      // A passkey is a way in too (migration 0010): a user without a password may unlink their last provider if they have one.
      const passkey = await trx.selectFrom('passkeys').select('id').where('user_id', '=', userId).limit(1).executeTakeFirst();
      if (user.hashed_password === null && accounts.length <= 1 && !passkey) return 'last';
      await trx.deleteFrom('oauth_accounts').where('user_id', '=', userId).where('provider', '=', provider).execute();
      return 'deleted';
    });
  }

  /** The account's provider tokens, opened; undefined when the account is gone. */
  async tokens(id: string): Promise<ProviderTokens | undefined> {
    const r = await this.db.selectFrom('oauth_accounts').select(['access_token', 'refresh_token', 'expires_at', 'scope']).where('id', '=', id).executeTakeFirst();
    if (!r) return undefined;
    return {
      accessToken: r.access_token === null ? null : this.sealer.open(r.access_token, `${id}:access`),
      refreshToken: r.refresh_token === null ? null : this.sealer.open(r.refresh_token, `${id}:refresh`),
      expiresAt: r.expires_at === null ? null : toIso(r.expires_at),
      scope: r.scope,
    };
  }

  private sealed(id: string, t: ProviderTokens) {
    return {
      access_token: t.accessToken === null ? null : this.sealer.seal(t.accessToken, `${id}:access`),
      refresh_token: t.refreshToken === null ? null : this.sealer.seal(t.refreshToken, `${id}:refresh`),
      expires_at: t.expiresAt,
      scope: t.scope,
    };
  }
}

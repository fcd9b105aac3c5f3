import type { Insertable, Kysely, Updateable } from 'kysely';
import type { Sealer } from '../crypto/sealer.ts';
import { bit, type Database, type ImportedUsersTable, type UsersTable } from '../store/schema.ts';
import type { OAuthAccountsTable } from '../store/oauth-schema.ts';
import { accountKey, type ImportLookup, type ImportStore } from '../store/import-store.ts';
import { sealedTokens } from '../store/oauth-account-store.ts';
import { uniqueViolation } from '../store/errors.ts';
import { decide, hashDigest, prepare, wants, type Conflict, type Prepared } from './decide.ts';
import { gatehouseId, type ImportSource, type SourceAccount } from './source.ts';

export interface Written { inserted: number; updated: number; accounts: number; conflicts: Conflict[] }

/** A batch meeting a unique violation (a user registered meanwhile) is tried again this often, then the run stops. */
const ATTEMPTS = 3;

/**
 * The second pass: writes the users the plan allowed, one transaction per batch (users, where they came from,
 * their provider accounts — all of a batch or nothing). What Gatehouse holds is looked up again inside the
 * transaction, so a user who registered since the plan is a conflict, not a failure.
 */
export class ImportWriter {
  private readonly store: ImportStore;
  private readonly sealer: Sealer;
  private readonly source: string;

  constructor(store: ImportStore, sealer: Sealer, source: string) {
    this.store = store;
    this.sealer = sealer;
    this.source = source;
  }

  async run(source: ImportSource, batchSize: number, skip: Set<string>, onBatch: (n: number) => void): Promise<Written> {
    const total: Written = { inserted: 0, updated: 0, accounts: 0, conflicts: [] };
    for await (const batch of source.batches(batchSize)) {
      const ready: Prepared[] = [];
      for (const u of batch) {
        if (skip.has(u.sourceId)) continue;
        const p = prepare(source.name, u);
        if ('kind' in p) total.conflicts.push(p); // cannot happen after the plan, unless the source changed since
        else ready.push(p);
      }
      const done = await this.batch(ready);
      total.inserted += done.inserted;
      total.updated += done.updated;
      total.accounts += done.accounts;
      total.conflicts.push(...done.conflicts);
      onBatch(batch.length);
    }
    return total;
  }

  private async batch(ready: Prepared[]): Promise<Written> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.store.transaction((trx) => this.write(trx, ready));
      } catch (err) {
        if (attempt >= ATTEMPTS || uniqueViolation(err) === undefined) throw err;
      }
    }
  }

  private async write(trx: Kysely<Database>, ready: Prepared[]): Promise<Written> {
    const out: Written = { inserted: 0, updated: 0, accounts: 0, conflicts: [] };
    if (ready.length === 0) return out;
    const found = await this.store.lookup(wants(this.source, ready), trx);
    const now = new Date().toISOString();
    const users: Insertable<UsersTable>[] = [];
    const marks: Insertable<ImportedUsersTable>[] = [];
    const accounts: Insertable<OAuthAccountsTable>[] = [];
    for (const p of ready) {
      const d = decide(p, found);
      if (d.action === 'conflict') { out.conflicts.push(d.conflict); continue; }
      const u = p.src;
      const digest = hashDigest(u.hash);
      if (d.action === 'insert') {
        users.push({
          id: d.id, email: p.email, email_key: p.emailKey, username: u.username, username_key: p.usernameKey, full_name: u.fullName,
          hashed_password: u.hash, is_active: bit(u.isActive), is_verified: bit(u.isVerified), role: u.role ?? 'user',
          created_at: u.createdAt ?? now, updated_at: now,
        });
        marks.push({ user_id: d.id, source: this.source, source_id: u.sourceId, hash_digest: digest, imported_at: now });
        out.inserted++;
      } else {
        const before = found.byId.get(d.id)!;
        const set: Updateable<UsersTable> = { email: p.email, email_key: p.emailKey, is_active: bit(u.isActive), is_verified: bit(u.isVerified), updated_at: now };
        if (u.username !== null) { set.username = u.username; set.username_key = p.usernameKey; }
        if (u.fullName !== null) set.full_name = u.fullName;
        // The source decides super admin or not; an admin made in Gatehouse stays one.
        if (u.role !== undefined) set.role = u.role;
        else if (before.role === 'super_admin') set.role = 'user';
        // The imported hash is replaced only while it is still the one imported: a password upgraded at login or
        // changed in Gatehouse since is newer than the source's.
        const stillImported = hashDigest(before.hashedPassword) === found.marks.get(u.sourceId)!.hashDigest;
        if (stillImported) set.hashed_password = u.hash;
        await this.store.updateUser(trx, d.id, set);
        marks.push({ user_id: d.id, source: this.source, source_id: u.sourceId, hash_digest: stillImported ? digest : found.marks.get(u.sourceId)!.hashDigest, imported_at: now });
        out.updated++;
      }
      for (const a of u.accounts) {
        if (await this.account(trx, found, d.id, a, accounts, now)) out.accounts++;
      }
    }
    await this.store.insertUsers(trx, users);
    await this.store.mark(trx, marks);
    await this.store.insertAccounts(trx, accounts);
    return out;
  }

  /** Adds the account to `rows` (new) or updates it (a re-run); its tokens sealed as Gatehouse stores them. */
  private async account(trx: Kysely<Database>, found: ImportLookup, userId: string, a: SourceAccount, rows: Insertable<OAuthAccountsTable>[], now: string): Promise<boolean> {
    const tokens = { accessToken: a.accessToken, refreshToken: a.refreshToken, expiresAt: a.expiresAt, scope: a.scope };
    const held = found.accounts.get(accountKey(a.provider, a.accountId));
    if (held) {
      const set: Updateable<OAuthAccountsTable> = { account_email: a.accountEmail, updated_at: now };
      if (a.accessToken !== null || a.refreshToken !== null) Object.assign(set, sealedTokens(this.sealer, held.id, tokens));
      await this.store.updateAccount(trx, held.id, set);
      return true;
    }
    const id = gatehouseId(`${this.source}:account`, `${a.provider}\u0000${a.accountId}`);
    rows.push({
      id, user_id: userId, provider: a.provider, account_id: a.accountId, account_email: a.accountEmail,
      ...sealedTokens(this.sealer, id, tokens), created_at: now, updated_at: now,
    });
    return true;
  }
}

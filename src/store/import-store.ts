import { sql, type Insertable, type Kysely, type Updateable } from 'kysely';
import type { DialectName } from './database.ts';
import type { Database, ImportedUsersTable, UsersTable } from './schema.ts';
import type { OAuthAccountsTable } from './oauth-schema.ts';

/** What a batch of an import needs to know of Gatehouse's rows before it writes. */
export interface ImportLookup {
  /** Users a previous run of this source wrote, by the source's id. */
  marks: Map<string, { userId: string; hashDigest: string | null }>;
  /** Users by id (the batch's ids and the marks' users). */
  byId: Map<string, { emailKey: string; usernameKey: string | null; hashedPassword: string | null; role: string }>;
  /** Who holds each of the batch's email keys / username keys. */
  emailOwner: Map<string, string>;
  usernameOwner: Map<string, string>;
  /** Provider accounts, by `provider \0 account_id`, and the providers each of the batch's users already has. */
  accounts: Map<string, { id: string; userId: string }>;
  providersOf: Map<string, Map<string, string>>;
}

export interface ImportWants {
  source: string;
  sourceIds: string[];
  ids: string[];
  emailKeys: string[];
  usernameKeys: string[];
  /** Provider → the account ids of that provider. */
  accountIds: Map<string, string[]>;
}

/** Rows per INSERT: SQLite allows 32,766 parameters a statement; the widest row here has 12. */
const ROWS_PER_INSERT = 1000;

export const accountKey = (provider: string, accountId: string): string => `${provider}\u0000${accountId}`;

/**
 * SQL for `gatehouse import`: the look-ups a batch needs, and its writes, in one transaction per batch (so a crash
 * leaves every user of a batch written, or none). On SQLite the transaction takes the write lock first
 * (BEGIN IMMEDIATE): the look-ups and the writes see the same database, whatever a running server does meanwhile.
 */
export class ImportStore {
  private readonly db: Kysely<Database>;
  private readonly dialect: DialectName;

  constructor(db: Kysely<Database>, dialect: DialectName) {
    this.db = db;
    this.dialect = dialect;
  }

  /**
   * SQLite: a page cache big enough for a million users' indexes (the default is 2 MB): the ids, email keys and
   * import marks are random, so every insert touches pages all over each index, and with a small cache the import
   * slows down as the tables grow (measured: ~1,800 users/s after 100,000 with the default, against ~4,000 at the
   * start). This connection only: the command's own, closed at its end.
   */
  async forBulkWrites(): Promise<void> {
    if (this.dialect === 'sqlite') await sql`pragma cache_size = -262144`.execute(this.db);
  }

  /** The look-ups, outside a transaction (a dry run, the plan) or inside one (`q` = the transaction). */
  async lookup(w: ImportWants, q: Kysely<Database> = this.db): Promise<ImportLookup> {
    const marks = new Map<string, { userId: string; hashDigest: string | null }>();
    for (const part of chunks(w.sourceIds)) {
      const rows = await q.selectFrom('imported_users').select(['user_id', 'source_id', 'hash_digest'])
        .where('source', '=', w.source).where('source_id', 'in', part).execute();
      for (const r of rows) marks.set(r.source_id, { userId: r.user_id, hashDigest: r.hash_digest });
    }
    const ids = [...new Set([...w.ids, ...[...marks.values()].map((m) => m.userId)])];
    const byId: ImportLookup['byId'] = new Map();
    const emailOwner = new Map<string, string>();
    const usernameOwner = new Map<string, string>();
    const cols = ['id', 'email_key', 'username_key', 'hashed_password', 'role'] as const;
    const keep = (r: { id: string; email_key: string; username_key: string | null; hashed_password: string | null; role: string }) => {
      byId.set(r.id, { emailKey: r.email_key, usernameKey: r.username_key, hashedPassword: r.hashed_password, role: r.role });
      emailOwner.set(r.email_key, r.id);
      if (r.username_key !== null) usernameOwner.set(r.username_key, r.id);
    };
    for (const part of chunks(ids)) for (const r of await q.selectFrom('users').select(cols).where('id', 'in', part).execute()) keep(r);
    for (const part of chunks(w.emailKeys)) for (const r of await q.selectFrom('users').select(cols).where('email_key', 'in', part).execute()) keep(r);
    for (const part of chunks(w.usernameKeys)) for (const r of await q.selectFrom('users').select(cols).where('username_key', 'in', part).execute()) keep(r);
    const accounts = new Map<string, { id: string; userId: string }>();
    const providersOf = new Map<string, Map<string, string>>();
    const keepAccount = (r: { id: string; user_id: string; provider: string; account_id: string }) => {
      accounts.set(accountKey(r.provider, r.account_id), { id: r.id, userId: r.user_id });
      const p = providersOf.get(r.user_id) ?? new Map<string, string>();
      p.set(r.provider, r.account_id);
      providersOf.set(r.user_id, p);
    };
    const acols = ['id', 'user_id', 'provider', 'account_id'] as const;
    // By provider and account id: the unique index (provider, account_id) answers it (account_id alone would scan).
    for (const [provider, accountIds] of w.accountIds) {
      for (const part of chunks(accountIds)) {
        for (const r of await q.selectFrom('oauth_accounts').select(acols).where('provider', '=', provider).where('account_id', 'in', part).execute()) keepAccount(r);
      }
    }
    for (const part of chunks(ids)) for (const r of await q.selectFrom('oauth_accounts').select(acols).where('user_id', 'in', part).execute()) keepAccount(r);
    return { marks, byId, emailOwner, usernameOwner, accounts, providersOf };
  }

  /** Runs `fn` in one transaction; on SQLite one that holds the write lock from its first statement. */
  async transaction<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    if (this.dialect === 'postgres') return this.db.transaction().execute(fn);
    return this.db.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      try {
        const r = await fn(conn);
        await sql`commit`.execute(conn);
        return r;
      } catch (err) {
        await sql`rollback`.execute(conn);
        throw err;
      }
    });
  }

  async insertUsers(q: Kysely<Database>, rows: Insertable<UsersTable>[]): Promise<void> {
    for (const part of chunks(rows, ROWS_PER_INSERT)) await q.insertInto('users').values(part).execute();
  }

  async updateUser(q: Kysely<Database>, id: string, set: Updateable<UsersTable>): Promise<void> {
    await q.updateTable('users').set(set).where('id', '=', id).execute();
  }

  /** Records (or re-records) where users came from. */
  async mark(q: Kysely<Database>, rows: Insertable<ImportedUsersTable>[]): Promise<void> {
    for (const part of chunks(rows, ROWS_PER_INSERT)) {
      await q.insertInto('imported_users').values(part)
        .onConflict((oc) => oc.column('user_id').doUpdateSet((eb) => ({ hash_digest: eb.ref('excluded.hash_digest'), imported_at: eb.ref('excluded.imported_at') })))
        .execute();
    }
  }

  async insertAccounts(q: Kysely<Database>, rows: Insertable<OAuthAccountsTable>[]): Promise<void> {
    for (const part of chunks(rows, ROWS_PER_INSERT)) await q.insertInto('oauth_accounts').values(part).execute();
  }

  async updateAccount(q: Kysely<Database>, id: string, set: Updateable<OAuthAccountsTable>): Promise<void> {
    await q.updateTable('oauth_accounts').set(set).where('id', '=', id).execute();
  }
}

/** Look-ups in slices: an IN list of a whole batch stays far below either database's parameter limit. */
function chunks<T>(items: T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

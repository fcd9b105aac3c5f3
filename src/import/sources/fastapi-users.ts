import type { ImportSource, SourceAccount, SourceUser } from '../source.ts';
import {
  asBool, asIso, asText, childRows, columnsOf, from, isIndexed, requireColumns, requireTable, showTable, SourceError, tableName, userTable,
  type SourceDb, type TableName,
} from '../source-db.ts';

export interface FastapiUsersOptions {
  /** Default `user` (SQLAlchemyBaseUserTable and SQLModel's User). */
  usersTable?: string;
  /** Default: `oauth_account` (SQLAlchemy adapter) or `oauthaccount` (SQLModel adapter), whichever exists. */
  accountsTable?: string;
  /** Extra columns of the user table read as Gatehouse's `username` / `full_name`. */
  usernameColumn?: string;
  fullNameColumn?: string;
}

/**
 * fastapi-users' SQLAlchemy adapter (fastapi-users-db-sqlalchemy): table `user` (id GUID — uuid on PostgreSQL,
 * CHAR(36) elsewhere —, email, hashed_password, is_active, is_superuser, is_verified) and `oauth_account`
 * (id, oauth_name, access_token, expires_at as seconds since 1970, refresh_token, account_id, account_email, user_id);
 * the SQLModel adapter's tables have the same columns, the second one named `oauthaccount`.
 */
export async function fastapiUsersSource(src: SourceDb, o: FastapiUsersOptions = {}): Promise<ImportSource> {
  const users = tableName(o.usersTable ?? 'user');
  const userCols = await requireTable(src, users, '--users-table');
  const extra = [o.usernameColumn, o.fullNameColumn].filter((c): c is string => c !== undefined);
  requireColumns(userCols, users, ['id', 'email', 'hashed_password', 'is_active', 'is_superuser', 'is_verified', ...extra]);
  let accounts: TableName | undefined;
  if (o.accountsTable !== undefined) {
    accounts = tableName(o.accountsTable);
    requireColumns(await requireTable(src, accounts, '--accounts-table'), accounts, ['oauth_name', 'account_id', 'account_email', 'access_token', 'user_id']);
  } else {
    for (const name of ['oauth_account', 'oauthaccount']) {
      const t = { schema: users.schema, table: name };
      if (await columnsOf(src, t)) { accounts = t; break; }
    }
  }
  const columns = ['id', 'email', 'hashed_password', 'is_active', 'is_superuser', 'is_verified', ...extra];

  const indexed = accounts !== undefined && await isIndexed(src, accounts, 'user_id');
  const toAccount = (r: Record<string, unknown>): SourceAccount => ({
    provider: String(r.oauth_name), accountId: String(r.account_id), accountEmail: asText(r.account_email),
    accessToken: asText(r.access_token) || null, refreshToken: asText(r.refresh_token) || null,
    expiresAt: r.expires_at === null || r.expires_at === undefined ? null : asIso(Number(r.expires_at)), scope: null,
  });
  /** A reader of each batch's accounts, for one pass. */
  const accountReader = () => childRows(indexed,
    (ids) => from(src, accounts!).selectAll().where('user_id', 'in', ids).orderBy('id').execute(),
    () => from(src, accounts!).selectAll().orderBy('id').execute(),
    (r) => String(r.user_id));

  const table = userTable(src, users);
  return {
    name: 'fastapi-users',
    uniqueIds: true,
    describe: `users from "${showTable(users)}"${accounts ? `, OAuth accounts from "${showTable(accounts)}"` : ' (no OAuth account table)'}`,
    count: () => table.count(),
    async *batches(size, opts = {}) {
      const accountsOf = accounts && opts.accounts !== false ? accountReader() : undefined;
      for await (const rows of table.pages(columns, size)) {
        const ids = rows.map((r) => String(r.id));
        const found = accountsOf ? await accountsOf(ids) : new Map<string, Record<string, unknown>[]>();
        yield rows.map((r): SourceUser => ({
          sourceId: String(r.id),
          email: asText(r.email),
          hash: asText(r.hashed_password) || null,
          isActive: asBool(r.is_active),
          isVerified: asBool(r.is_verified),
          role: asBool(r.is_superuser) ? 'super_admin' : undefined,
          username: o.usernameColumn ? asText(r[o.usernameColumn]) : null,
          fullName: o.fullNameColumn ? asText(r[o.fullNameColumn]) : null,
          createdAt: null,
          accounts: (found.get(String(r.id)) ?? []).map(toAccount),
        }));
      }
    },
    close: () => src.close(),
  };
}

export { SourceError };

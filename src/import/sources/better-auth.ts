import type { ImportSource, SourceAccount, SourceUser } from '../source.ts';
import { asBool, asIso, asText, from, requireColumns, requireTable, showTable, tableName, userTable, type SourceDb } from '../source-db.ts';

export interface BetterAuthOptions {
  usersTable?: string;
  accountsTable?: string;
  usernameColumn?: string;
  fullNameColumn?: string;
}

/** The account row Better Auth's email-and-password sign-in keeps the password hash in. */
const CREDENTIAL = 'credential';

/**
 * Better Auth's core schema (better-auth's getMigrations): `user` (id text, name, email, emailVerified, image,
 * createdAt, updatedAt) and `account` (id, accountId, providerId, userId, accessToken, refreshToken, idToken,
 * accessTokenExpiresAt, refreshTokenExpiresAt, scope, password, createdAt, updatedAt). The password hash lives in the
 * account whose providerId is `credential` (scrypt by default: `<salt hex>:<key hex>`, see crypto/legacy-hashes.ts);
 * every other account is a social login. Columns of its plugins are read when present: the username plugin's
 * `username`, the admin plugin's `role` (an `admin` becomes a super admin: the plugin's admin may manage every user)
 * and `banned` / `banExpires` (a user banned now is imported inactive).
 */
export async function betterAuthSource(src: SourceDb, o: BetterAuthOptions = {}): Promise<ImportSource> {
  const users = tableName(o.usersTable ?? 'user');
  const accounts = tableName(o.accountsTable ?? 'account');
  const userCols = await requireTable(src, users, '--users-table');
  const extra = [o.usernameColumn, o.fullNameColumn].filter((c): c is string => c !== undefined);
  requireColumns(userCols, users, ['id', 'email', 'emailVerified', 'name', 'createdAt', ...extra]);
  requireColumns(await requireTable(src, accounts, '--accounts-table'), accounts, ['id', 'accountId', 'providerId', 'userId', 'password', 'accessToken', 'refreshToken', 'accessTokenExpiresAt', 'scope']);
  const usernameColumn = o.usernameColumn ?? (userCols.has('username') ? 'username' : undefined);
  const fullNameColumn = o.fullNameColumn ?? 'name';
  const plugin = ['role', 'banned', 'banExpires'].filter((c) => userCols.has(c));
  const columns = [...new Set(['id', 'email', 'emailVerified', 'createdAt', fullNameColumn, ...(usernameColumn ? [usernameColumn] : []), ...plugin])];

  const table = userTable(src, users);
  return {
    name: 'better-auth',
    uniqueIds: true,
    describe: `users from "${showTable(users)}", passwords and social accounts from "${showTable(accounts)}"`,
    count: () => table.count(),
    async *batches(size, opts = {}) {
      const now = Date.now();
      for await (const rows of table.pages(columns, size)) {
        const ids = rows.map((r) => String(r.id));
        let q = from(src, accounts).select(['userId', 'providerId', 'accountId', 'password', 'accessToken', 'refreshToken', 'accessTokenExpiresAt', 'scope'])
          .where('userId', 'in', ids).orderBy('id');
        if (opts.accounts === false) q = q.where('providerId', '=', CREDENTIAL);
        const hashes = new Map<string, string>();
        const social = new Map<string, SourceAccount[]>();
        for (const a of await q.execute()) {
          const user = String(a.userId);
          if (a.providerId === CREDENTIAL) {
            if (a.password) hashes.set(user, String(a.password));
            continue;
          }
          const list = social.get(user) ?? [];
          list.push({
            provider: String(a.providerId), accountId: String(a.accountId), accountEmail: null,
            accessToken: asText(a.accessToken) || null, refreshToken: asText(a.refreshToken) || null,
            expiresAt: asIso(a.accessTokenExpiresAt), scope: asText(a.scope) || null,
          });
          social.set(user, list);
        }
        yield rows.map((r): SourceUser => {
          const id = String(r.id);
          const bannedUntil = asIso(r.banExpires);
          const banned = asBool(r.banned) && (bannedUntil === null || Date.parse(bannedUntil) > now);
          const roles = String(r.role ?? '').split(',').map((s) => s.trim());
          return {
            sourceId: id,
            email: asText(r.email),
            hash: hashes.get(id) ?? null,
            isActive: !banned,
            isVerified: asBool(r.emailVerified),
            role: roles.includes('admin') ? 'super_admin' : undefined,
            username: usernameColumn ? asText(r[usernameColumn]) : null,
            fullName: asText(r[fullNameColumn]) || null,
            createdAt: asIso(r.createdAt),
            accounts: social.get(id) ?? [],
          };
        });
      }
    },
    close: () => src.close(),
  };
}

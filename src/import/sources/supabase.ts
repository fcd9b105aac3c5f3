import type { ImportSource, SourceAccount, SourceUser } from '../source.ts';
import { asBool, asIso, asText, from, requireColumns, requireTable, showTable, tableName, userTable, type SourceDb } from '../source-db.ts';

export interface SupabaseOptions {
  usersTable?: string;
  accountsTable?: string;
  usernameColumn?: string;
  fullNameColumn?: string;
}

/** Identities that are the user's own email or phone, not a social account. */
const OWN = new Set(['email', 'phone']);

const json = (v: unknown): Record<string, unknown> => {
  if (v && typeof v === 'object') return v as Record<string, unknown>;
  if (typeof v !== 'string' || v === '') return {};
  try {
    const parsed: unknown = JSON.parse(v);
    return parsed && typeof parsed === 'object' ? parsed as Record<string, unknown> : {};
  } catch {
    return {};
  }
};

/**
 * Supabase Auth (GoTrue, github.com/supabase/auth, its migrations): `auth.users` (id uuid, email,
 * encrypted_password — bcrypt `$2a$` from Go —, email_confirmed_at, banned_until, deleted_at, is_super_admin,
 * is_anonymous, raw_user_meta_data jsonb, created_at…) and `auth.identities` (provider, provider_id — `id` before
 * 2023-11 —, user_id, identity_data jsonb with the provider's email). On SQLite (an export) the tables are `users` and
 * `identities`. A user deleted softly (deleted_at) or anonymous is not imported; one banned now is imported inactive;
 * `email`/`phone` identities are the user's own and not social accounts. Supabase keeps no provider tokens there.
 */
export async function supabaseSource(src: SourceDb, o: SupabaseOptions = {}): Promise<ImportSource> {
  const pg = src.dialect === 'postgres';
  const users = tableName(o.usersTable ?? (pg ? 'auth.users' : 'users'));
  const identities = tableName(o.accountsTable ?? (pg ? 'auth.identities' : 'identities'));
  const userCols = await requireTable(src, users, '--users-table');
  const extra = [o.usernameColumn, o.fullNameColumn].filter((c): c is string => c !== undefined);
  requireColumns(userCols, users, ['id', 'email', 'encrypted_password', 'created_at', ...extra]);
  const idCols = await requireTable(src, identities, '--accounts-table');
  requireColumns(idCols, identities, ['user_id', 'identity_data', 'provider']);
  const providerId = idCols.has('provider_id') ? 'provider_id' : 'id';
  const optional = ['email_confirmed_at', 'confirmed_at', 'banned_until', 'deleted_at', 'is_super_admin', 'is_anonymous', 'raw_user_meta_data'].filter((c) => userCols.has(c));
  const columns = [...new Set(['id', 'email', 'encrypted_password', 'created_at', ...optional, ...extra])];

  const live = <Q extends { where: (...a: any[]) => Q }>(q: Q): Q => {
    let r = q;
    if (userCols.has('deleted_at')) r = r.where('deleted_at', 'is', null);
    if (userCols.has('is_anonymous')) r = r.where((eb: any) => eb.or([eb('is_anonymous', 'is', null), eb('is_anonymous', '=', pg ? false : 0)]));
    return r;
  };
  const table = userTable(src, users, live);

  return {
    name: 'supabase',
    uniqueIds: true,
    describe: `users from "${showTable(users)}", social accounts from "${showTable(identities)}"`,
    count: () => table.count(),
    async *batches(size, opts = {}) {
      const now = Date.now();
      for await (const rows of table.pages(columns, size)) {
        const ids = rows.map((r) => String(r.id));
        const social = new Map<string, SourceAccount[]>();
        if (opts.accounts !== false) {
          const found = await from(src, identities).select(['user_id', 'provider', `${providerId} as provider_id`, 'identity_data'])
            .where('user_id', 'in', ids).where('provider', 'not in', [...OWN]).orderBy('user_id').orderBy('provider').execute();
          for (const a of found) {
            const list = social.get(String(a.user_id)) ?? [];
            list.push({
              provider: String(a.provider), accountId: String(a.provider_id), accountEmail: asText(json(a.identity_data).email),
              accessToken: null, refreshToken: null, expiresAt: null, scope: null,
            });
            social.set(String(a.user_id), list);
          }
        }
        yield rows.map((r): SourceUser => {
          const meta = json(r.raw_user_meta_data);
          const bannedUntil = asIso(r.banned_until);
          return {
            sourceId: String(r.id),
            email: asText(r.email) || null,
            hash: asText(r.encrypted_password) || null,
            isActive: bannedUntil === null || Date.parse(bannedUntil) <= now,
            isVerified: asIso(r.email_confirmed_at ?? r.confirmed_at) !== null,
            role: asBool(r.is_super_admin) ? 'super_admin' : undefined,
            username: o.usernameColumn ? asText(r[o.usernameColumn]) : null,
            fullName: o.fullNameColumn ? asText(r[o.fullNameColumn]) : asText(meta.full_name ?? meta.name) || null,
            createdAt: asIso(r.created_at),
            accounts: social.get(String(r.id)) ?? [],
          };
        });
      }
    },
    close: () => src.close(),
  };
}

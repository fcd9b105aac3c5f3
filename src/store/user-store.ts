import { sql, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { User } from '../model/user.ts';
import { lookupKey } from '../model/user.ts';
import { isRole, type Role } from '../model/roles.ts';
import { bit, toBool, toIso, type Database, type UsersTable } from './schema.ts';
import { translateWriteError } from './errors.ts';
import { LocalChangeFeed, type ChangeFeed } from './change-feed.ts';
import { firstRow, sqlOf } from './compiled-sql.ts';
import type { DialectName } from './database.ts';

/** Guarded writes refuse, with this answer, to remove the last active super admin. */
export type LastSuperuser = 'last_superuser';
export interface SuperuserGuard { keepOneSuperuser?: boolean }

export type NewUser = Omit<User, 'createdAt' | 'updatedAt' | 'mfaEnabled'>;
export type UserChanges = Partial<Pick<User, 'email' | 'username' | 'fullName' | 'hashedPassword' | 'isActive' | 'isVerified' | 'role'>>;

export function rowToUser(r: Selectable<UsersTable>): User {
  if (!isRole(r.role)) throw new Error(`user ${r.id} has an unknown role ${JSON.stringify(r.role)}`);
  return {
    id: r.id,
    email: r.email,
    username: r.username,
    fullName: r.full_name,
    hashedPassword: r.hashed_password,
    isActive: toBool(r.is_active),
    isVerified: toBool(r.is_verified),
    role: r.role,
    mfaEnabled: toBool(r.mfa_enabled),
    createdAt: toIso(r.created_at),
    updatedAt: toIso(r.updated_at),
  };
}

/** SQL for users, and nothing else. Unique violations surface as DuplicateKeyError. */
export class UserStore {
  private readonly db: Kysely<Database>;
  private readonly changes: ChangeFeed;
  /** Every password login reads its user by one of these, every registration by the first and then inserts one:
   * compiled once (sqlOf). */
  private readonly byKey: { email_key: string; username_key: string };
  private readonly insertSql: string;
  /** Needed by the super-admin guard (its lock is dialect-specific); a store made without it cannot guard. */
  private readonly dialect: DialectName | undefined;

  /** `changes` hears of every user whose row changed or went (caches of users listen to it). */
  constructor(db: Kysely<Database>, changes: ChangeFeed = new LocalChangeFeed(), dialect?: DialectName) {
    this.db = db;
    this.changes = changes;
    this.dialect = dialect;
    const byKey = (column: 'email_key' | 'username_key') => sqlOf(db.selectFrom('users').selectAll().where(column, '=', '?'), 1);
    this.byKey = { email_key: byKey('email_key'), username_key: byKey('username_key') };
    this.insertSql = sqlOf(db.insertInto('users').values({
      id: '?', email: '?', email_key: '?', username: '?', username_key: '?', full_name: '?', hashed_password: '?',
      is_active: 0, is_verified: 0, role: '?', created_at: '?', updated_at: '?',
    }).returningAll(), 12);
  }

  async insert(u: NewUser, now = new Date().toISOString()): Promise<User> {
    const row = await firstRow<Selectable<UsersTable>>(this.db, this.insertSql, [
      u.id, u.email, lookupKey(u.email), u.username, u.username === null ? null : lookupKey(u.username), u.fullName,
      u.hashedPassword, bit(u.isActive), bit(u.isVerified), u.role, now, now,
    ]).catch(translateWriteError);
    return rowToUser(row!);
  }

  async byId(id: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && rowToUser(row);
  }

  async byEmail(email: string): Promise<User | undefined> {
    const row = await firstRow<Selectable<UsersTable>>(this.db, this.byKey.email_key, [lookupKey(email)]);
    return row && rowToUser(row);
  }

  /** The login form's "username": an email when it has an "@", else a username. */
  async byLogin(login: string): Promise<User | undefined> {
    const column = login.includes('@') ? 'email_key' : 'username_key';
    const row = await firstRow<Selectable<UsersTable>>(this.db, this.byKey[column], [lookupKey(login)]);
    return row && rowToUser(row);
  }

  /**
   * Applies the changes and returns the updated user, or undefined when the user is gone. With keepOneSuperuser,
   * refuses ('last_superuser', nothing written) when the user is the last active super admin and would stop being one.
   */
  async update(id: string, c: UserChanges, now?: string): Promise<User | undefined>;
  async update(id: string, c: UserChanges, now: string | undefined, guard: SuperuserGuard): Promise<User | undefined | LastSuperuser>;
  async update(id: string, c: UserChanges, now = new Date().toISOString(), guard: SuperuserGuard = {}): Promise<User | undefined | LastSuperuser> {
    const set: Updateable<UsersTable> = { updated_at: now };
    if (c.email !== undefined) { set.email = c.email; set.email_key = lookupKey(c.email); }
    if (c.username !== undefined) { set.username = c.username; set.username_key = c.username === null ? null : lookupKey(c.username); }
    if (c.fullName !== undefined) set.full_name = c.fullName;
    if (c.hashedPassword !== undefined) set.hashed_password = c.hashedPassword;
    if (c.isActive !== undefined) set.is_active = bit(c.isActive);
    if (c.isVerified !== undefined) set.is_verified = bit(c.isVerified);
    if (c.role !== undefined) set.role = c.role;
    const write = (db: Kysely<Database>) => db.updateTable('users').set(set).where('id', '=', id).returningAll().executeTakeFirst();
    const row = await (guard.keepOneSuperuser ? this.unlessLastSuperuser(id, write) : write(this.db)).catch(translateWriteError);
    if (row === 'last_superuser') return row;
    if (row) this.changes.publish({ kind: 'user', id });
    return row && rowToUser(row);
  }

  /** Records whether the user has a second factor (src/mfa/ recomputes it whenever a factor changes). */
  async setMfaEnabled(id: string, enabled: boolean): Promise<void> {
    const r = await this.db.updateTable('users').set({ mfa_enabled: bit(enabled) }).where('id', '=', id).executeTakeFirst();
    if (r.numUpdatedRows > 0n) this.changes.publish({ kind: 'user', id });
  }

  /** Replaces the hash only if it is still the one that was verified (a concurrent password change wins). */
  async replaceHash(id: string, oldHash: string, newHash: string): Promise<void> {
    const r = await this.db.updateTable('users').set({ hashed_password: newHash })
      .where('id', '=', id).where('hashed_password', '=', oldHash).executeTakeFirst();
    if (r.numUpdatedRows > 0n) this.changes.publish({ kind: 'user', id });
  }

  /** Deletes the user; with keepOneSuperuser, not the last active super admin ('last_superuser', nothing deleted). */
  async delete(id: string, guard: SuperuserGuard = {}): Promise<boolean | LastSuperuser> {
    const write = (db: Kysely<Database>) => db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
    const r = guard.keepOneSuperuser ? await this.unlessLastSuperuser(id, write) : await write(this.db);
    if (r === 'last_superuser') return r;
    if (r.numDeletedRows > 0n) this.changes.publish({ kind: 'user', id });
    return r.numDeletedRows > 0n;
  }

  /**
   * Runs `write` (which may demote, deactivate or delete the user `id`) unless `id` is the only active super admin,
   * as one atomic step across every instance. A count followed by a write is not: two admins demoting each other
   * at once both count two, and none is left.
   * - PostgreSQL: the transaction first locks every active super admin's row (SELECT … FOR UPDATE, in id order so
   *   two such transactions cannot deadlock). A second transaction waits on those locks; under READ COMMITTED it
   *   then re-reads each locked row and drops those no longer active super admins, so it counts what the first one
   *   left. (A conditional UPDATE … WHERE EXISTS (another super admin) alone is not enough: two transactions
   *   changing two different rows do not wait for each other, and each sees the other's row unchanged.)
   * - SQLite: one writer at a time. BEGIN IMMEDIATE takes the write lock before the count (waiting, busy_timeout,
   *   for another process that holds it), and a transaction holds this process's one connection, so nothing
   *   writes between the count and the write. (A deferred BEGIN would fail with "database is locked" when two
   *   processes both read and then both try to write.)
   */
  private async unlessLastSuperuser<T>(id: string, write: (db: Kysely<Database>) => Promise<T>): Promise<T | LastSuperuser> {
    if (!this.dialect) throw new Error('UserStore: the super-admin guard needs the dialect');
    const guarded = async (db: Kysely<Database>, lock: boolean) => {
      let q = db.selectFrom('users').select('id').where('role', '=', 'super_admin').where('is_active', '=', bit(true)).orderBy('id');
      if (lock) q = q.forUpdate();
      const admins = (await q.execute()).map((r) => r.id);
      if (admins.length <= 1 && admins.includes(id)) return 'last_superuser' as const;
      return write(db);
    };
    if (this.dialect === 'postgres') return this.db.transaction().execute((trx) => guarded(trx, true));
    return this.db.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      try {
        const r = await guarded(conn, false);
        await sql`commit`.execute(conn);
        return r;
      } catch (err) {
        await sql`rollback`.execute(conn);
        throw err;
      }
    });
  }

  /**
   * A page of users, newest first, optionally filtered by a search on email/username/full name (case-insensitive
   * substring) and by role; with the total that matches.
   */
  async list(q: { search?: string; role?: Role; limit: number; offset: number }): Promise<{ items: User[]; total: number }> {
    let base = this.db.selectFrom('users');
    if (q.role) base = base.where('role', '=', q.role);
    if (q.search) {
      // The search is text, not a pattern: %, _ and \ match themselves (ESCAPE, the same on SQLite and PostgreSQL).
      const like = `%${lookupKey(q.search).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      base = base.where(sql<boolean>`(email_key like ${like} escape '\\' or username_key like ${like} escape '\\' or lower(full_name) like ${like} escape '\\')`);
    }
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy('created_at', 'desc').orderBy('id').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(rowToUser), total: Number(count.n) };
  }
}

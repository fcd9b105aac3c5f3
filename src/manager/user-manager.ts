import { AppError, type ErrorCode } from '../errors.ts';
import { newId, parseUuid } from '../model/ids.ts';
import type { User } from '../model/user.ts';
import { isUserManager, mayGrant, mayManage, type Role } from '../model/roles.ts';
import type { PasswordHasher } from '../crypto/password-hasher.ts';
import type { UserStore, UserChanges } from '../store/user-store.ts';
import type { SessionStore } from '../store/session-store.ts';
import { DuplicateKeyError } from '../store/errors.ts';
import type { ClientInfo } from '../model/client-info.ts';
import { lookupKey } from '../model/user.ts';
import { normalizeEmail, requireEmail } from '../model/email.ts';
import type { PasswordPolicy } from './password-policy.ts';
import type { AuditLog } from './audit-log.ts';
import type { LoginThrottle } from './login-throttle.ts';
import type { TrustedDevices } from './trusted-devices.ts';
import type { KeyedDigest } from '../crypto/keyed-digest.ts';
import type { Proof, RecentProof } from './recent-proof.ts';

/** Where a changed email is announced to the old address (MailQueue). */
export interface EmailChangeNotices { emailChanged(oldEmail: string, newEmail: string): Promise<void> }

export interface RegisterInput { email: string; password: string; username?: string | null; fullName?: string | null }

/** What a user may change about themselves (PATCH /users/me). */
export interface SelfUpdate { email?: string; password?: string; username?: string | null; fullName?: string | null }

/** What a user manager may change (PATCH /users/{id}): the same plus the privileged fields. */
export interface AdminUpdate extends SelfUpdate { isActive?: boolean; isVerified?: boolean; isSuperuser?: boolean; role?: Role }

export interface UserManagerDeps {
  users: UserStore;
  sessions: SessionStore;
  hasher: PasswordHasher;
  policy: PasswordPolicy;
  audit: AuditLog;
  throttle: LoginThrottle;
  requireVerifiedLogin: boolean;
  /** Device cookies: a browser that gave the right password before is locked out on its own (trusted-devices.ts). */
  devices: TrustedDevices;
  /** Names a typed login that is no account in the audit log, without keeping what was typed. */
  loginDigest: KeyedDigest;
  /** PATCH /users/me: email and password changes need a recent proof of the user. */
  proof: RecentProof;
  notices: EmailChangeNotices;
}

/**
 * Everything that happens to users: registration, password login, updates under the role policy, deletion.
 * It never sees an HTTP request; it throws AppError with a code from the registry.
 */
export class UserManager {
  private readonly users: UserStore;
  private readonly sessions: SessionStore;
  private readonly hasher: PasswordHasher;
  private readonly d: UserManagerDeps;

  constructor(deps: UserManagerDeps) {
    this.users = deps.users;
    this.sessions = deps.sessions;
    this.hasher = deps.hasher;
    this.d = deps;
  }

  async register(input: RegisterInput, client: ClientInfo): Promise<User> {
    const email = requireEmail(input.email); // the one rule (model/email.ts), before the uniqueness check
    this.checkPassword(input.password, email, 'REGISTER_INVALID_PASSWORD');
    if (await this.users.byEmail(email)) throw new AppError('REGISTER_USER_ALREADY_EXISTS');
    const hashedPassword = await this.hasher.hash(input.password); // outside any transaction
    try {
      const user = await this.users.insert({
        id: newId(), email, username: input.username ?? null, fullName: input.fullName ?? null,
        hashedPassword, isActive: true, isVerified: false, role: 'user',
      });
      await this.d.audit.record('register', { userId: user.id, client });
      return user;
    } catch (err) {
      // Two registrations of one email at once: the database's unique index lets exactly one through.
      if (err instanceof DuplicateKeyError) throw new AppError('REGISTER_USER_ALREADY_EXISTS');
      throw err;
    }
  }

  /** Creates a super admin, or promotes an existing user (`gatehouse create-superuser`). */
  async createSuperuser(typedEmail: string, password: string): Promise<{ user: User; created: boolean }> {
    const email = requireEmail(typedEmail);
    this.checkPassword(password, email, 'REGISTER_INVALID_PASSWORD');
    const hashedPassword = await this.hasher.hash(password);
    const existing = await this.users.byEmail(email);
    if (existing) {
      const user = await this.users.update(existing.id, { role: 'super_admin', isActive: true, isVerified: true, hashedPassword });
      await this.sessions.revokeAllOf(existing.id, new Date().toISOString());
      await this.d.audit.record('role.change', { userId: existing.id, detail: { from: existing.role, to: 'super_admin', via: 'cli' } });
      return { user: user!, created: false };
    }
    const user = await this.users.insert({
      id: newId(), email, username: null, fullName: null, hashedPassword, isActive: true, isVerified: true, role: 'super_admin',
    });
    await this.d.audit.record('register', { userId: user.id, detail: { role: 'super_admin', via: 'cli' } });
    return { user, created: true };
  }

  /**
   * Password login. Wrong password, unknown user and inactive user fail alike (LOGIN_BAD_CREDENTIALS) and cost
   * one password verification each, so neither the answer nor its timing tells whether the account exists.
   * Repeated failures lock what was typed for a while (LoginThrottle), whether or not such an account exists; the
   * attempt is counted before the verification, so parallel guesses cannot outrun the lock. An attempt that brings
   * a device cookie issued for this login (`deviceCookie`) is counted on that device's own lock instead, so an
   * attacker's failures do not lock the owner's browser out. A success answers a new device cookie for the login.
   */
  async authenticate(typed: string, password: string, client: ClientInfo, deviceCookie?: string): Promise<{ user: User; deviceCookie: string }> {
    const { login, key: loginKey } = loginOf(typed);
    const device = this.d.devices.keyOf(loginKey, deviceCookie);
    const key = device ?? loginKey;
    const via = device ? { trusted_device: true } : {};
    try {
      await this.d.throttle.reserve(key);
    } catch (err) {
      if (err instanceof AppError) await this.d.audit.record('login.locked', { client, detail: { ...this.typedLogin(login, await this.users.byLogin(login)), ...via } });
      throw err;
    }
    let user: User | undefined;
    let verdict: { ok: boolean; needsRehash: boolean };
    try {
      user = await this.users.byLogin(login);
      verdict = user?.hashedPassword ? await this.hasher.verify(user.hashedPassword, password) : await this.burn(password);
    } catch (err) {
      await this.d.throttle.release(key).catch(() => {});
      throw err;
    }
    if (!user || !verdict.ok || !user.isActive) {
      const locked = await this.d.throttle.fail(key);
      await this.d.audit.record('login.failure', { userId: user?.id ?? null, client, detail: { ...this.typedLogin(login, user), ...via, ...(locked ? { locked_seconds: locked } : {}) } });
      throw new AppError('LOGIN_BAD_CREDENTIALS');
    }
    await this.d.throttle.succeed(key);
    if (this.d.requireVerifiedLogin && !user.isVerified) throw new AppError('LOGIN_USER_NOT_VERIFIED');
    if (verdict.needsRehash) await this.users.replaceHash(user.id, user.hashedPassword!, await this.hasher.hash(password));
    await this.d.audit.record('login.success', { userId: user.id, client, ...(device ? { detail: via } : {}) });
    return { user, deviceCookie: this.d.devices.issue(loginKey) };
  }

  /**
   * What the per-account login rate limit counts an attempt on: the device's key when `deviceCookie` was issued for
   * this login (its owner is not held back by an attacker's attempts), else the typed login.
   */
  loginLimitKey(typed: string, deviceCookie: string | undefined): string {
    const { key } = loginOf(typed);
    return this.d.devices.keyOf(key, deviceCookie) ?? key.slice(0, 320);
  }

  /**
   * What the audit log keeps of a typed login: the text when it names an account, else only a keyed hash of it
   * (`login_hmac`), since a login that names no account is often a password typed in the wrong field. Repeated
   * attempts on one unknown name still share one hash.
   */
  private typedLogin(login: string, user: User | undefined): { login: string } | { login_hmac: string } {
    return user ? { login: login.slice(0, 320) } : { login_hmac: this.d.loginDigest.hex(lookupKey(login)) };
  }

  /** The same work as a verification, for an account that does not exist (or has no password). */
  private async burn(password: string): Promise<{ ok: false; needsRehash: false }> {
    await this.hasher.burn(password);
    return { ok: false, needsRehash: false };
  }

  async get(id: string): Promise<User> {
    const canonical = parseUuid(id); // `/users/{ID}` in any form Python's UUID() reads, as fastapi-users
    const user = canonical === undefined ? undefined : await this.users.byId(canonical);
    if (!user) throw new AppError('Not Found');
    return user;
  }

  /**
   * PATCH /users/me: privileged fields are not part of SelfUpdate; the current session survives a password change.
   * A new password or a new email address needs a recent proof of the user (RecentProof), checked before anything
   * is hashed or written.
   */
  async updateSelf(user: User, patch: SelfUpdate, proof: Proof, client: ClientInfo): Promise<User> {
    // The same address in another form (case, spaces, the domain's spelling) is no change and needs no proof.
    const newEmail = patch.email !== undefined && lookupKey(requireEmail(patch.email)) !== lookupKey(user.email);
    if (patch.password !== undefined || newEmail) await this.d.proof.check(user, proof);
    return this.apply(user, await this.changes(user, patch), proof.sessionId ?? undefined, { actor: undefined, client });
  }

  /** GET /users/{id}: any user manager may read any user. */
  async getAs(actor: User, id: string): Promise<User> {
    if (!isUserManager(actor.role)) throw new AppError('Forbidden');
    return this.get(id);
  }

  /** GET /users: any user manager may list and search all users. */
  async listAs(actor: User, q: { search?: string; role?: Role; limit: number; offset: number }): Promise<{ items: User[]; total: number }> {
    if (!isUserManager(actor.role)) throw new AppError('Forbidden');
    return this.users.list(q);
  }

  /** PATCH /users/{id} under the role policy (model/roles.ts). */
  async updateAs(actor: User, id: string, patch: AdminUpdate, client: ClientInfo): Promise<User> {
    const target = await this.manageableBy(actor, id);
    const changes = await this.changes(target, patch);
    const role = resolveRole(target.role, patch);
    if (role !== undefined && role !== target.role) {
      if (!mayGrant(actor.role, role)) throw new AppError('ROLE_CHANGE_NOT_ALLOWED', { reason: `${actor.role} may not grant ${role}` });
      changes.role = role;
    }
    if (patch.isActive !== undefined) changes.isActive = patch.isActive;
    if (patch.isVerified !== undefined) changes.isVerified = patch.isVerified;
    return this.apply(target, changes, undefined, { actor, client });
  }

  async deleteAs(actor: User, id: string, client: ClientInfo): Promise<void> {
    const target = await this.manageableBy(actor, id);
    // Sessions go with the user (ON DELETE CASCADE). The store refuses to delete the last active super admin.
    const deleted = await this.users.delete(target.id, { keepOneSuperuser: true });
    if (deleted === 'last_superuser') throw new AppError('LAST_SUPERUSER');
    await this.d.audit.record('user.delete', { userId: target.id, actorId: actor.id, client, detail: { email: target.email } });
  }

  /** The user `id`, if `actor` may manage them (edit, end their sessions); else 403 (or 404). */
  async manageableBy(actor: User, id: string): Promise<User> {
    const target = await this.getAs(actor, id);
    if (!mayManage(actor.role, target.role)) throw new AppError('Forbidden');
    return target;
  }

  /** The changes a SelfUpdate asks for, validated; a new email must be verified again. */
  private async changes(user: User, patch: SelfUpdate): Promise<UserChanges> {
    const c: UserChanges = {};
    const email = patch.email === undefined ? undefined : requireEmail(patch.email);
    if (email !== undefined && email !== user.email) {
      c.email = email;
      if (lookupKey(email) !== lookupKey(user.email)) c.isVerified = false;
    }
    if (patch.username !== undefined) c.username = patch.username;
    if (patch.fullName !== undefined) c.fullName = patch.fullName;
    if (patch.password !== undefined) {
      this.checkPassword(patch.password, c.email ?? user.email, 'UPDATE_USER_INVALID_PASSWORD');
      c.hashedPassword = await this.hasher.hash(patch.password);
    }
    return c;
  }

  private async apply(user: User, c: UserChanges, keepSession: string | undefined, by: { actor: User | undefined; client: ClientInfo }): Promise<User> {
    let updated: User | undefined | 'last_superuser';
    // A demotion or deactivation might remove the last active super admin: the store checks and writes atomically
    // (every instance, every database), so two admins demoting each other at once cannot leave none.
    const keepOneSuperuser = (c.role !== undefined && c.role !== 'super_admin') || c.isActive === false;
    try {
      updated = await this.users.update(user.id, c, undefined, { keepOneSuperuser });
    } catch (err) {
      if (err instanceof DuplicateKeyError) throw new AppError('UPDATE_USER_EMAIL_ALREADY_EXISTS');
      throw err;
    }
    if (updated === 'last_superuser') throw new AppError('LAST_SUPERUSER');
    if (!updated) throw new AppError('Not Found');
    // A new password, a deactivation or a role change ends the user's other sessions (all of them when an admin did it).
    if (c.hashedPassword !== undefined || c.isActive === false || (c.role !== undefined && c.role !== user.role)) {
      await this.sessions.revokeAllOf(user.id, new Date().toISOString(), c.isActive === false ? undefined : keepSession);
    }
    await this.auditChanges(user, updated, c, by);
    // Last, so that a failure to queue it cannot leave the change without its revocations and audit: the old address
    // hears of a new one (the owner learns of a takeover even if the token was stolen).
    if (lookupKey(user.email) !== lookupKey(updated.email)) await this.d.notices.emailChanged(user.email, updated.email);
    return updated;
  }

  private async auditChanges(before: User, after: User, c: UserChanges, by: { actor: User | undefined; client: ClientInfo }): Promise<void> {
    const ctx = { userId: before.id, actorId: by.actor?.id ?? null, client: by.client };
    if (before.email !== after.email) await this.d.audit.record('email.change', { ...ctx, detail: { from: before.email, to: after.email } });
    if (c.hashedPassword !== undefined) await this.d.audit.record('password.change', ctx);
    if (before.role !== after.role) await this.d.audit.record('role.change', { ...ctx, detail: { from: before.role, to: after.role } });
    if (before.isActive !== after.isActive) await this.d.audit.record(after.isActive ? 'user.activate' : 'user.deactivate', ctx);
    if (!before.isVerified && after.isVerified) await this.d.audit.record('email.verify', { ...ctx, detail: { email: after.email } });
  }

  private checkPassword(password: string, email: string, code: ErrorCode): void {
    const reason = this.d.policy.problem(password, email);
    if (reason) throw new AppError(code, { reason });
  }
}

/** The role a PATCH asks for: `role`, or fastapi-users' `is_superuser` (true = super_admin, false = demote to user). */
function resolveRole(current: Role, patch: AdminUpdate): Role | undefined {
  const fromFlag = patch.isSuperuser === undefined ? undefined
    : patch.isSuperuser ? 'super_admin' : current === 'super_admin' ? 'user' : current;
  if (patch.role !== undefined && fromFlag !== undefined && (patch.role === 'super_admin') !== patch.isSuperuser) {
    throw new AppError('INVALID_ROLE_UPDATE');
  }
  return patch.role ?? fromFlag;
}

/**
 * The login as looked up, and its lockout key. No email or username holds a NUL, and PostgreSQL text cannot (the
 * lookup failed with a 500; found by fuzzing): such a login is an unknown account like any other. An email is looked
 * up in the form it was stored in (the one rule: trimmed, the domain's one spelling), so the address typed at
 * registration logs in, and its variants share one lockout key. A username is taken as typed.
 */
function loginOf(typed: string): { login: string; key: string } {
  const noNul = typed.replaceAll('\u0000', '\uFFFD');
  const asEmail = noNul.includes('@') ? normalizeEmail(noNul) : undefined;
  const login = asEmail?.ok ? asEmail.email : noNul;
  return { login, key: lookupKey(login) };
}

/** Roles, lowest first (seed 002): a user, an admin who manages ordinary users, a super admin who manages everyone. */
export const ROLES = ['user', 'admin', 'super_admin'] as const;
export type Role = (typeof ROLES)[number];

export const rank = (role: Role): number => ROLES.indexOf(role);
export const atLeast = (role: Role, minimum: Role): boolean => rank(role) >= rank(minimum);
export const isRole = (s: unknown): s is Role => typeof s === 'string' && (ROLES as readonly string[]).includes(s);

/**
 * The whole role policy, one row per acting role:
 * - manage: roles of the users it may read, edit, deactivate and delete through /users/{id};
 * - grant:  roles it may give (nobody grants a role above their own).
 * An admin manages ordinary users only; only a super admin edits an admin or a super admin.
 */
export const POLICY: Record<Role, { manage: readonly Role[]; grant: readonly Role[] }> = {
  user: { manage: [], grant: [] },
  admin: { manage: ['user'], grant: ['user', 'admin'] },
  super_admin: { manage: ['user', 'admin', 'super_admin'], grant: ['user', 'admin', 'super_admin'] },
};

/** May `actor` manage users at all (list them, open /users/{id})? */
export const isUserManager = (actor: Role): boolean => POLICY[actor].manage.length > 0;
export const mayManage = (actor: Role, target: Role): boolean => POLICY[actor].manage.includes(target);
export const mayGrant = (actor: Role, role: Role): boolean => POLICY[actor].grant.includes(role);

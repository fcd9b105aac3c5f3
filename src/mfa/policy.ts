import type { Role } from '../model/roles.ts';
import type { User } from '../model/user.ts';

/**
 * Who must have a second factor (MFA_REQUIRED_ROLES, default admin and super_admin: NIST SP 800-63B-4 AAL2 for
 * privileged accounts). Such a user without one may only enrol: every other route answers MFA_ENROLLMENT_REQUIRED
 * (http/guards.ts, the routes that stay open say `beforeEnrolment`).
 */
export class MfaPolicy {
  private readonly roles: Set<Role>;

  constructor(requiredRoles: readonly Role[]) {
    this.roles = new Set(requiredRoles);
  }

  required(user: Pick<User, 'role'>): boolean {
    return this.roles.has(user.role);
  }

  mustEnrol(user: Pick<User, 'role' | 'mfaEnabled'>): boolean {
    return !user.mfaEnabled && this.required(user);
  }
}

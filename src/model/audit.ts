/** What the audit log records. One name per event; the HTTP filter and the docs use the same names. */
export const AUDIT_TYPES = [
  'register', 'login.success', 'login.failure', 'login.locked', 'logout', 'refresh.reuse', 'session.revoke',
  'password.change', 'password.reset.request', 'password.reset', 'email.change', 'email.verify.request', 'email.verify',
  'role.change', 'user.deactivate', 'user.activate', 'user.delete', 'oauth.link', 'oauth.unlink',
  'mfa.totp_enabled', 'mfa.totp_removed', 'mfa.recovery_used', 'mfa.recovery_regenerated', 'mfa.failed', 'mfa.locked',
  'mfa.success', 'mfa.factors_reset_by_admin', 'reauth',
  'passkey.added', 'passkey.removed', 'passkey.used', 'passkey.counter_regression', 'users.import',
] as const;
export type AuditType = (typeof AUDIT_TYPES)[number];

export interface AuditEvent {
  id: string;
  type: AuditType;
  /** The user the event is about (null: unknown account, e.g. a failed login for an email nobody has). */
  userId: string | null;
  /** Who did it, when not the user themselves (an admin). */
  actorId: string | null;
  ip: string | null;
  userAgent: string | null;
  detail: Record<string, unknown> | null;
  createdAt: string;
}

/** An event as the audit log shows it: with the current email of its user and actor (null once they are deleted). */
export interface AuditEntry extends AuditEvent {
  userEmail: string | null;
  actorEmail: string | null;
}

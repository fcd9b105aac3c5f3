import { AppError } from '../errors.ts';
import type { AuthMethod } from '../model/authentication.ts';
import type { FactorChange, PasskeySummary, PasskeyVerifier } from '../model/factors.ts';
import type { User } from '../model/user.ts';
import type { ClientInfo } from '../model/client-info.ts';
import type { UserStore } from '../store/user-store.ts';
import type { SessionStore } from '../store/session-store.ts';
import type { AuditLog } from '../manager/audit-log.ts';
import type { SecurityEvent } from '../mail/templates.ts';
import type { Totp, TotpEnrolment, TotpStatus } from './totp.ts';
import type { RecoveryCodes } from './recovery-codes.ts';
import type { SecondStepLockout } from './second-step-lockout.ts';
import type { MfaPolicy } from './policy.ts';

/** A second factor presented: exactly one of them. */
export interface SecondFactorProof { totpCode?: string; recoveryCode?: string; passkey?: unknown }
export type LoginMethod = 'totp' | 'recovery_code' | 'passkey';

export interface FactorList {
  mfaEnabled: boolean;
  mfaRequired: boolean;
  totp: TotpStatus;
  recoveryCodes: { remaining: number };
  passkeys: PasskeySummary[];
}

/** Where factor changes are mailed to the user (MailQueue). */
export interface SecurityNotices { securityNotice(email: string, event: SecurityEvent): Promise<void> }

export interface FactorsDeps {
  users: UserStore;
  sessions: SessionStore;
  totp: Totp;
  recovery: RecoveryCodes;
  lockout: SecondStepLockout;
  policy: MfaPolicy;
  audit: AuditLog;
  notices: SecurityNotices;
}

/**
 * A user's second factors: the list, TOTP enrolment and removal, recovery codes, an admin's reset, and the check of a
 * presented factor (counted by the per-account lockout). Keeps `users.mfa_enabled` true exactly when the user has a
 * confirmed TOTP or a passkey (`factorsChanged`, also called by src/passkeys/). Passkeys are optional: without
 * `usePasskeys` the user simply has none.
 */
export class Factors {
  private readonly d: FactorsDeps;
  private passkeys: PasskeyVerifier | undefined;

  constructor(deps: FactorsDeps) {
    this.d = deps;
  }

  /** Wires passkeys in (src/passkeys/ is built after this, with `factorsChanged` as its callback). */
  usePasskeys(p: PasskeyVerifier): void {
    this.passkeys = p;
  }

  get passkeyVerifier(): PasskeyVerifier | undefined {
    return this.passkeys;
  }

  async list(user: User): Promise<FactorList> {
    const [totp, remaining, passkeys] = await Promise.all([this.d.totp.status(user.id), this.d.recovery.remaining(user.id), this.passkeysOf(user.id)]);
    return { mfaEnabled: totp.enabled || passkeys.length > 0, mfaRequired: this.d.policy.required(user), totp, recoveryCodes: { remaining }, passkeys };
  }

  /** What the second step of a login may be answered with, for a user whose first factor just succeeded. */
  async methods(userId: string): Promise<LoginMethod[]> {
    const [totp, remaining, passkeys] = await Promise.all([this.d.totp.status(userId), this.d.recovery.remaining(userId), this.passkeysOf(userId)]);
    return [...(totp.enabled ? ['totp' as const] : []), ...(remaining > 0 ? ['recovery_code' as const] : []), ...(passkeys.length > 0 ? ['passkey' as const] : [])];
  }

  /** Starts (or restarts) a TOTP enrolment: pending until confirmed. */
  async enrolTotp(user: User): Promise<TotpEnrolment> {
    const e = await this.d.totp.enrol(user.id, user.email);
    if (!e) throw new AppError('TOTP_ALREADY_ENABLED');
    return e;
  }

  /**
   * Confirms the pending TOTP with a first code: the factor is active, 10 new recovery codes are returned (shown
   * once), the user's other sessions end (they were made without it), and the user is told by mail.
   */
  async confirmTotp(user: User, code: string, keepSession: string, client: ClientInfo): Promise<string[]> {
    const r = await this.d.totp.confirm(user.id, code);
    if (r === 'none') throw new AppError('TOTP_NOT_PENDING');
    if (r === 'wrong') throw new AppError('MFA_CODE_INVALID');
    const codes = await this.d.recovery.generate(user.id);
    await this.factorsChanged(user.id, { added: true, keepSession });
    await this.d.audit.record('mfa.totp_enabled', { userId: user.id, client });
    await this.d.notices.securityNotice(user.email, 'totp_enabled');
    return codes;
  }

  async removeTotp(user: User, client: ClientInfo): Promise<void> {
    if (!(await this.d.totp.remove(user.id))) throw new AppError('Not Found');
    await this.factorsChanged(user.id);
    // Without a second factor the recovery codes recover nothing: they go too (a new enrolment makes new ones).
    if (!(await this.hasFactor(user.id))) await this.d.recovery.removeAll(user.id);
    await this.d.audit.record('mfa.totp_removed', { userId: user.id, client });
    await this.d.notices.securityNotice(user.email, 'totp_removed');
  }

  /** New recovery codes (the old ones die); only for a user with a second factor. */
  async regenerateRecoveryCodes(user: User, client: ClientInfo): Promise<string[]> {
    if (!(await this.hasFactor(user.id))) throw new AppError('MFA_NOT_ENABLED');
    const codes = await this.d.recovery.generate(user.id);
    await this.d.audit.record('mfa.recovery_regenerated', { userId: user.id, client });
    await this.d.notices.securityNotice(user.email, 'recovery_regenerated');
    return codes;
  }

  /** Lost-device recovery by an admin: every factor of `target` goes (TOTP, recovery codes, passkeys). */
  async resetByAdmin(actor: User, target: User, client: ClientInfo): Promise<{ totp: boolean; recoveryCodes: number; passkeys: number }> {
    const totp = await this.d.totp.remove(target.id);
    const recoveryCodes = await this.d.recovery.removeAll(target.id);
    const passkeys = (await this.passkeys?.removeAll(target.id)) ?? 0;
    await this.factorsChanged(target.id);
    await this.d.audit.record('mfa.factors_reset_by_admin', { userId: target.id, actorId: actor.id, client, detail: { totp, recovery_codes: recoveryCodes, passkeys } });
    await this.d.notices.securityNotice(target.email, 'factors_reset_by_admin');
    return { totp, recoveryCodes, passkeys };
  }

  /**
   * Recomputes `users.mfa_enabled` after a factor changed. When a factor was added (`added`), or the account just
   * gained its first one, every other session of the user ends (all of them without `keepSession`): they were made
   * without it.
   */
  async factorsChanged(userId: string, opts: FactorChange = {}): Promise<void> {
    const user = await this.d.users.byId(userId);
    if (!user) return;
    const enabled = await this.hasFactor(userId);
    if (enabled !== user.mfaEnabled) await this.d.users.setMfaEnabled(userId, enabled);
    if (enabled && (opts.added || !user.mfaEnabled)) await this.d.sessions.revokeAllOf(userId, new Date().toISOString(), opts.keepSession);
  }

  /**
   * Checks a presented second factor as one counted attempt of the account (MFA_LOCKED while locked): the amr it
   * proves, or MFA_CODE_INVALID. `attempt`: what a passkey assertion's challenge is bound to. `before`: only factors
   * that existed then count (a login's challenge creation time).
   */
  async prove(user: User, proof: SecondFactorProof, attempt: string, client: ClientInfo, before?: string): Promise<AuthMethod[]> {
    const given = [proof.totpCode, proof.recoveryCode, proof.passkey].filter((p) => p !== undefined).length;
    if (given !== 1) throw new AppError('MFA_CODE_INVALID', { reason: 'send exactly one of totp_code, recovery_code, passkey' });
    let amr: AuthMethod[] = [];
    const method = proof.totpCode !== undefined ? 'totp' : proof.recoveryCode !== undefined ? 'recovery_code' : 'passkey';
    const verdict = await this.d.lockout.attempt(user.id, async () => {
      if (proof.totpCode !== undefined) return (amr = ['otp'], await this.d.totp.verify(user.id, proof.totpCode, before));
      if (proof.recoveryCode !== undefined) return (amr = ['rec'], await this.d.recovery.use(user.id, proof.recoveryCode, before));
      if (!this.passkeys) return false;
      try {
        amr = await this.passkeys.verifyFor(user.id, attempt, proof.passkey, client);
        return true;
      } catch (err) {
        if (err instanceof AppError && (err.code === 'MFA_CODE_INVALID')) return false;
        throw err;
      }
    });
    if (!verdict.ok) {
      const locked = verdict.lockedSeconds;
      await this.d.audit.record('mfa.failed', { userId: user.id, client, detail: { method, ...(locked ? { locked_seconds: locked } : {}) } });
      if (locked) await this.d.audit.record('mfa.locked', { userId: user.id, client, detail: { seconds: locked } });
      throw new AppError('MFA_CODE_INVALID');
    }
    if (method === 'recovery_code') {
      await this.d.audit.record('mfa.recovery_used', { userId: user.id, client, detail: { remaining: await this.d.recovery.remaining(user.id) } });
      await this.d.notices.securityNotice(user.email, 'recovery_used');
    }
    return amr;
  }

  /** Whether the user has a TOTP and whether passkeys: what step-up must ask for. */
  async strongest(userId: string): Promise<{ passkey: boolean; totp: boolean }> {
    const [totp, passkeys] = await Promise.all([this.d.totp.status(userId), this.passkeysOf(userId)]);
    return { passkey: passkeys.length > 0, totp: totp.enabled };
  }

  private async hasFactor(userId: string): Promise<boolean> {
    const s = await this.strongest(userId);
    return s.totp || s.passkey;
  }

  private async passkeysOf(userId: string): Promise<PasskeySummary[]> {
    return (await this.passkeys?.list(userId)) ?? [];
  }
}

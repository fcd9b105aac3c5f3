import { AppError } from '../errors.ts';
import type { User } from '../model/user.ts';
import { requireEmail } from '../model/email.ts';
import type { ClientInfo } from '../model/client-info.ts';
import type { PasswordHasher } from '../crypto/password-hasher.ts';
import type { SessionStore } from '../store/session-store.ts';
import type { UserStore } from '../store/user-store.ts';
import type { AccountTokens } from './account-tokens.ts';
import type { AuditLog } from './audit-log.ts';
import type { MailQueue } from './mail-queue.ts';
import type { PasswordPolicy } from './password-policy.ts';

/**
 * fastapi-users' verify and reset-password flows. Asking for a mail always answers the same, at once: the mail
 * is queued for after the response. Using a token checks it is the right purpose, unused, unexpired, and still
 * matches the user's email and password.
 */
export class AccountFlows {
  private readonly d: { users: UserStore; sessions: SessionStore; tokens: AccountTokens; mail: MailQueue; hasher: PasswordHasher; policy: PasswordPolicy; audit: AuditLog };

  constructor(deps: AccountFlows['d']) {
    this.d = deps;
  }

  async requestVerify(typed: string, client: ClientInfo): Promise<void> {
    const email = requireEmail(typed); // queued as stored, so the worker finds " A@Example.COM " as a@example.com's user
    await this.d.mail.enqueue('verify', email);
    await this.d.audit.record('email.verify.request', { client, detail: { email } });
  }

  async verify(token: string, client: ClientInfo): Promise<User> {
    const user = await this.d.tokens.check(token, 'verify');
    if (!user) {
      // The same link again (a second click, a mail scanner first): fastapi-users' stateless token said "already
      // verified" here. Only for a token that was good and is used up, so it tells its holder nothing new.
      // Used after the user's last change: the verification it made stands, or is being written by the request that
      // used it a moment ago. (Used before a change, e.g. an admin took the verification back: a bad token.)
      const used = await this.d.tokens.usedBy(token, 'verify');
      if (used && (used.user.isVerified || Date.parse(used.usedAt) >= Date.parse(used.user.updatedAt))) throw new AppError('VERIFY_USER_ALREADY_VERIFIED');
      throw new AppError('VERIFY_USER_BAD_TOKEN');
    }
    if (user.isVerified) throw new AppError('VERIFY_USER_ALREADY_VERIFIED');
    // Another request used this very token a moment ago: it is verifying this user.
    if (!(await this.d.tokens.consume(token))) throw new AppError('VERIFY_USER_ALREADY_VERIFIED');
    const updated = await this.d.users.update(user.id, { isVerified: true });
    if (!updated) throw new AppError('VERIFY_USER_BAD_TOKEN');
    await this.d.audit.record('email.verify', { userId: user.id, client, detail: { email: user.email } });
    return updated;
  }

  async forgotPassword(typed: string, client: ClientInfo): Promise<void> {
    const email = requireEmail(typed);
    await this.d.mail.enqueue('reset', email);
    await this.d.audit.record('password.reset.request', { client, detail: { email } });
  }

  /** Sets the new password and ends every session of the user. The token survives a refused password. */
  async resetPassword(token: string, password: string, client: ClientInfo): Promise<void> {
    const user = await this.d.tokens.check(token, 'reset');
    if (!user) throw new AppError('RESET_PASSWORD_BAD_TOKEN');
    const reason = this.d.policy.problem(password, user.email);
    if (reason) throw new AppError('RESET_PASSWORD_INVALID_PASSWORD', { reason });
    const hashedPassword = await this.d.hasher.hash(password);
    if (!(await this.d.tokens.consume(token))) throw new AppError('RESET_PASSWORD_BAD_TOKEN');
    await this.d.users.update(user.id, { hashedPassword });
    await this.d.sessions.revokeAllOf(user.id, new Date().toISOString());
    await this.d.audit.record('password.reset', { userId: user.id, client });
  }
}

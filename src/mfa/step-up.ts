import { AppError } from '../errors.ts';
import type { AuthMethod } from '../model/authentication.ts';
import type { ClientInfo } from '../model/client-info.ts';
import type { Authenticated } from '../auth/jwt-strategy.ts';
import type { PasswordHasher } from '../crypto/password-hasher.ts';
import type { RateLimiter } from '../limits/rate-limiter.ts';
import type { SessionManager } from '../manager/session-manager.ts';
import type { AuditLog } from '../manager/audit-log.ts';
import type { Factors, SecondFactorProof } from './factors.ts';

export interface StepUpProof extends SecondFactorProof { password?: string }

/** Factors of different kinds: two of them make `mfa` (RFC 8176). A recovery code stands in for a possession factor. */
const KIND: Partial<Record<AuthMethod, string>> = { pwd: 'knowledge', fed: 'federated', otp: 'possession', hwk: 'possession', swk: 'possession', rec: 'possession' };

/** The session's methods after a re-authentication: what it had, plus what was proven now (and `mfa` when two kinds). */
export function steppedUpAmr(had: AuthMethod[], proven: AuthMethod[]): AuthMethod[] {
  const all = [...new Set([...had.filter((m) => m !== 'mfa'), ...proven])];
  const kinds = new Set(all.map((m) => KIND[m]).filter((k) => k !== undefined));
  return kinds.size >= 2 || had.includes('mfa') ? [...all, 'mfa'] : all;
}

/**
 * Step-up (re-authentication) inside a session: the user proves themselves again, the session's auth_time becomes now
 * and a new access token says so; the session and its refresh token stay. The proof must be the account's STRONGEST
 * factor: a passkey if it has one, else its TOTP; a recovery code stands in for either (the lost-device path, mailed);
 * only an account without a second factor may use its password (counted by RATE_LIMIT_REAUTH_ACCOUNT). Factors are
 * counted by the second-step lockout, so a stolen access token is no unthrottled TOTP oracle.
 */
export class StepUp {
  private readonly d: { factors: Factors; sessions: SessionManager; hasher: PasswordHasher; limiter: RateLimiter | undefined; audit: AuditLog };

  constructor(deps: StepUp['d']) {
    this.d = deps;
  }

  /** The WebAuthn options for a passkey step-up, bound to the session. */
  async passkeyOptions(auth: Authenticated): Promise<Record<string, unknown>> {
    const passkeys = this.d.factors.passkeyVerifier;
    if (!passkeys || (await passkeys.list(auth.user.id)).length === 0) throw new AppError('Not Found');
    return passkeys.optionsFor(auth.user.id, attemptOf(auth));
  }

  async reauthenticate(auth: Authenticated, proof: StepUpProof, client: ClientInfo): Promise<{ accessToken: string; expiresIn: number }> {
    const { user } = auth;
    const given = [proof.password, proof.totpCode, proof.recoveryCode, proof.passkey].filter((p) => p !== undefined).length;
    if (given !== 1) throw new AppError('REAUTHENTICATION_FAILED', { reason: 'send exactly one of password, totp_code, recovery_code, passkey' });
    const has = await this.d.factors.strongest(user.id);
    const expected = has.passkey ? 'a passkey (or a recovery code)' : has.totp ? 'a TOTP code (or a recovery code)' : user.hashedPassword !== null ? 'the password' : null;
    if (expected === null) throw new AppError('REAUTHENTICATION_FAILED', { reason: 'this account has no password and no second factor: sign in again' });
    const allowed = has.passkey ? proof.passkey !== undefined || proof.recoveryCode !== undefined
      : has.totp ? proof.totpCode !== undefined || proof.recoveryCode !== undefined
        : proof.password !== undefined;
    if (!allowed) throw new AppError('REAUTHENTICATION_FAILED', { reason: `this account re-authenticates with ${expected}` });
    let proven: AuthMethod[];
    if (proof.password !== undefined) {
      await this.d.limiter?.hit('reauth_account', user.id);
      const { ok } = await this.d.hasher.verify(user.hashedPassword!, proof.password);
      if (!ok) throw new AppError('REAUTHENTICATION_FAILED', { reason: 'wrong password' });
      proven = ['pwd'];
    } else {
      proven = await this.d.factors.prove(user, proof, attemptOf(auth), client);
    }
    const amr = steppedUpAmr(auth.amr, proven);
    const token = await this.d.sessions.reauthenticate(user, sessionOf(auth), amr);
    await this.d.audit.record('reauth', { userId: user.id, client, detail: { session_id: auth.sessionId, amr: proven } });
    return token;
  }
}

/** A passkey step-up's attempt: bound to the session it happens in. */
const attemptOf = (auth: Authenticated) => `reauth:${sessionOf(auth)}`;

/** The session a step-up renews. A token of the fastapi-users window has none: its user signs in to Gatehouse first. */
function sessionOf(auth: Authenticated): string {
  if (auth.sessionId === null) throw new AppError('REAUTHENTICATION_FAILED', { reason: 'this token names no session (fastapi-users window): sign in again' });
  return auth.sessionId;
}

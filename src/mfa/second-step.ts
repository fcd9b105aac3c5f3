import { AppError } from '../errors.ts';
import type { AuthMethod } from '../model/authentication.ts';
import type { User } from '../model/user.ts';
import type { ClientInfo } from '../model/client-info.ts';
import type { UserStore } from '../store/user-store.ts';
import type { ChallengeTransport } from '../store/mfa-challenge-store.ts';
import type { AuditLog } from '../manager/audit-log.ts';
import type { LoginChallenges } from './login-challenges.ts';
import type { Factors, LoginMethod, SecondFactorProof } from './factors.ts';

/** A login that needs its second step: what the client is told. */
export interface PendingLogin { token: string; methods: LoginMethod[]; expiresIn: number }

/** The answer to a first factor that succeeded for a user with a second one: no session, a challenge (one body shape). */
export function loginMfaRequired(p: PendingLogin): AppError {
  return new AppError('LOGIN_MFA_REQUIRED', {
    reason: 'this account has a second factor: send mfa_token with one of methods to the second step',
    extra: { mfa_token: p.token, methods: p.methods, expires_in: p.expiresIn },
  });
}

/** RFC 8176: both factors' methods, then `mfa` (more than one factor was used). */
export const combinedAmr = (first: AuthMethod[], second: AuthMethod[]): AuthMethod[] => [...new Set([...first, ...second, 'mfa' as const])];

/**
 * The second step of every login path (password: bearer, cookie, /token; social: SPA-forwarded, server callback,
 * token exchange). Each path calls `begin` after its first factor succeeded: null for a user without a second factor
 * (the login goes on unchanged), else a challenge and no session. `complete` checks the challenge (live, unused, same
 * transport, same browser), then the factor (counted per account), then claims the challenge (single use), and says
 * whom to open a session for and with which amr.
 */
export class SecondStep {
  private readonly d: { challenges: LoginChallenges; factors: Factors; users: UserStore; audit: AuditLog };

  constructor(deps: SecondStep['d']) {
    this.d = deps;
  }

  async begin(user: User, firstFactor: AuthMethod[], transport: ChallengeTransport, browserSecret: string | null): Promise<PendingLogin | null> {
    if (!user.mfaEnabled) return null;
    const methods = await this.d.factors.methods(user.id);
    const { token, expiresIn } = await this.d.challenges.begin(user.id, firstFactor, transport, browserSecret);
    return { token, methods, expiresIn };
  }

  async complete(token: string, transport: ChallengeTransport, browserSecret: string | undefined, proof: SecondFactorProof, client: ClientInfo): Promise<{ user: User; amr: AuthMethod[] }> {
    const c = await this.d.challenges.open(token, transport, browserSecret);
    const user = await this.d.users.byId(c.userId);
    if (!user?.isActive) throw new AppError('MFA_CHALLENGE_INVALID');
    const second = await this.d.factors.prove(user, proof, c.idHash, client, c.createdAt);
    if (!(await this.d.challenges.claim(c))) throw new AppError('MFA_CHALLENGE_INVALID');
    await this.d.audit.record('mfa.success', { userId: user.id, client, detail: { amr: second } });
    return { user, amr: combinedAmr(c.amr, second) };
  }

  /**
   * WebAuthn request options for the challenge's user, bound to this challenge (the attempt). Either transport may
   * ask; a cookie challenge still only from its browser.
   */
  async passkeyOptions(token: string, browserSecret: string | undefined): Promise<Record<string, unknown>> {
    const passkeys = this.d.factors.passkeyVerifier;
    if (!passkeys) throw new AppError('Not Found');
    const c = await this.d.challenges.open(token, 'either', browserSecret);
    // A user without a passkey has nothing to offer (the login's `methods` did not list one).
    if ((await passkeys.list(c.userId)).length === 0) throw new AppError('Not Found');
    return passkeys.optionsFor(c.userId, c.idHash);
  }
}

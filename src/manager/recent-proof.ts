import { AppError } from '../errors.ts';
import type { User } from '../model/user.ts';
import type { PasswordHasher } from '../crypto/password-hasher.ts';
import type { SessionStore } from '../store/session-store.ts';
import type { RateLimiter } from '../limits/rate-limiter.ts';
import { isRecent, reauthenticationRequired } from '../auth/reauthentication.ts';

export interface RecentProofSettings {
  /** REQUIRE_CURRENT_PASSWORD; false = fastapi-users' behaviour (the access token alone suffices). */
  required: boolean;
  /** REAUTH_MAX_AGE: how recent the proof of a user without a password, or with a second factor, must be. */
  maxAgeSeconds: number;
}

/**
 * What the user showed, besides the access token: the password they typed, the session they act in, and when they
 * last proved themselves in it (the access token's auth_time, epoch seconds).
 */
export interface Proof { currentPassword?: string; sessionId: string; authTime: number }

/**
 * A sensitive change of one's own account (email, password) needs a recent proof of the user, not only a
 * 15-minute access token that may have been stolen (OWASP ASVS 5.0 6.2.3 and 7.5.1: re-authenticate
 * before changing authentication factors or the recovery address).
 * - A user with a password proves it with `current_password`, verified like a login (argon2id, off the event loop).
 *   Each check counts against a per-user rate limit (RATE_LIMIT_REAUTH_ACCOUNT), so this is no unthrottled
 *   password oracle for whoever holds a token. It is deliberately not counted in the login lockout: the token
 *   holder is already signed in, and locking the owner's login from a stolen token would add a denial of service.
 * - A user without a password (social login only) proves it by a login within REAUTH_MAX_AGE: the session's
 *   auth_time (a refresh keeps the session, so refreshing does not renew the proof; a re-authentication does).
 * - A user with a second factor proves it by a step-up within REAUTH_MAX_AGE (the login, or POST
 *   /auth/reauthenticate with the strongest factor): the password alone is not enough, whatever REQUIRE_CURRENT_PASSWORD
 *   says, so a stolen access token plus a phished password cannot take the account over. Else 403
 *   REAUTHENTICATION_REQUIRED with RFC 9470's challenge.
 */
export class RecentProof {
  private readonly d: { hasher: PasswordHasher; sessions: SessionStore; limiter: RateLimiter | undefined; settings: RecentProofSettings };

  constructor(deps: RecentProof['d']) {
    this.d = deps;
  }

  /** Throws unless `proof` is enough for `user` to make a sensitive change. */
  async check(user: User, proof: Proof, now = Date.now()): Promise<void> {
    const maxAge = this.d.settings.maxAgeSeconds;
    if (user.mfaEnabled) {
      if (!isRecent(proof.authTime, maxAge, now)) throw reauthenticationRequired({ maxAge });
      return;
    }
    if (!this.d.settings.required) return;
    if (user.hashedPassword === null) {
      const session = await this.d.sessions.byId(proof.sessionId);
      const age = session ? now - Date.parse(session.authTime) : Infinity;
      if (!(age <= this.d.settings.maxAgeSeconds * 1000)) throw new AppError('UPDATE_USER_REAUTHENTICATION_REQUIRED');
      return;
    }
    if (proof.currentPassword === undefined) {
      throw new AppError('UPDATE_USER_CURRENT_PASSWORD_INVALID', { reason: 'current_password is required to change the email or password' });
    }
    await this.d.limiter?.hit('reauth_account', user.id);
    const { ok } = await this.d.hasher.verify(user.hashedPassword, proof.currentPassword);
    if (!ok) throw new AppError('UPDATE_USER_CURRENT_PASSWORD_INVALID');
  }
}

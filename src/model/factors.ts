import type { AuthMethod } from './authentication.ts';
/** A passkey as the user sees it in their list. */
export interface PasskeySummary { id: string; name: string; createdAt: string; lastUsedAt: string | null; backedUp: boolean; deviceType: 'singleDevice' | 'multiDevice' }
/** What the login's second step, step-up and the factor list need from passkeys (implemented by src/passkeys/). */
export interface PasskeyVerifier {
  /** WebAuthn request options (JSON, for @simplewebauthn/browser startAuthentication) listing only this user's passkeys;
   *  the challenge is stored server-side, single-use, short-lived, bound to `attempt` (an opaque id the caller owns,
   *  e.g. the MFA challenge id or the session id for step-up). userVerification 'preferred' (second factor). */
  optionsFor(userId: string, attempt: string): Promise<Record<string, unknown>>;
  /** Verifies an assertion made for those options: the credential is looked up WITHIN userId only (userHandle is not
   *  signed), origin/RP ID/challenge checked, counter regression refused (and audited); consumes the challenge.
   *  Returns the amr it proves (['hwk'] or ['swk'], plus 'user' when UV was done) or throws AppError('MFA_CODE_INVALID'). */
  verifyFor(userId: string, attempt: string, response: unknown, client: { ip: string | null; userAgent: string | null }): Promise<AuthMethod[]>;
  list(userId: string): Promise<PasskeySummary[]>;
  /** Admin lost-device recovery: deletes every passkey of the user; returns how many. */
  removeAll(userId: string): Promise<number>;
}

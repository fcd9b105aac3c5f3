import type { MfaChallenge, MfaMethod } from '../../../client/src/index.ts';

/**
 * The login's second step in progress: the challenge a password login answered, handed from the sign-in page to
 * /mfa in memory only (a reload starts the sign-in again: the challenge is short-lived and single-use anyway).
 */
export interface PendingSignIn { challenge: MfaChallenge; next: string }

let pending: PendingSignIn | null = null;

export const holdSignIn = (signIn: PendingSignIn): void => { pending = signIn; };
/** Read, not consumed: React may render twice. */
export const pendingSignIn = (): PendingSignIn | null => pending;
export const endSignIn = (): void => { pending = null; };

const ALL: MfaMethod[] = ['totp', 'passkey', 'recovery_code'];

/**
 * The challenge to pass on /mfa: the one the sign-in page holds, or the one Gatehouse's social-login callback put in
 * the address (/mfa?token=…, its methods not said: every method is offered and the server judges; the token alone is
 * useless without the cookie the callback set in this browser).
 */
export function challengeFor(tokenFromUrl: string | null, held: PendingSignIn | null): MfaChallenge | null {
  if (tokenFromUrl) return { mfa_token: tokenFromUrl, methods: ALL, expires_in: 300 };
  return held?.challenge ?? null;
}

/** The order the page offers them: the app's code first (typed here), a passkey, the recovery code last. */
export const orderMethods = (methods: readonly MfaMethod[]): MfaMethod[] => ALL.filter((m) => methods.includes(m));

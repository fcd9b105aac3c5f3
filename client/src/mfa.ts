import { isApiError } from './errors.ts';
import type { MfaChallenge, MfaMethod } from './types.ts';

const METHODS: readonly MfaMethod[] = ['totp', 'recovery_code', 'passkey'];

/**
 * The second-step challenge a LOGIN_MFA_REQUIRED error carries (any login: password, social), or null for any other
 * failure. Read defensively: unknown methods are dropped, a challenge without a token is no challenge.
 */
export function mfaChallengeOf(err: unknown): MfaChallenge | null {
  if (!isApiError(err, 'LOGIN_MFA_REQUIRED')) return null;
  const { mfa_token, methods, expires_in } = err.extra;
  if (typeof mfa_token !== 'string' || mfa_token === '') return null;
  return {
    mfa_token,
    methods: Array.isArray(methods) ? METHODS.filter((m) => methods.includes(m)) : [],
    expires_in: typeof expires_in === 'number' ? expires_in : 300,
  };
}

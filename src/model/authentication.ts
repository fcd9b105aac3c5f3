/**
 * How a session's user proved who they are: the `amr` (RFC 8176 §2) and `auth_time` (OpenID Connect Core §2) that
 * every access token of the session carries.
 *
 * Values from the IANA "Authentication Method Reference Values" registry (RFC 8176 §2):
 * - `pwd`  a password;
 * - `otp`  a one-time password (TOTP, RFC 6238);
 * - `hwk`  a proof of possession of a hardware-bound key (a passkey that cannot leave its authenticator);
 * - `swk`  a proof of possession of a software-secured key (a synced passkey: backup eligible);
 * - `user` the authenticator verified the user (WebAuthn UV: a PIN or a biometric on the device);
 * - `mfa`  more than one factor was used.
 * The registry has no value for these two, so Gatehouse uses its own (RFC 8176 §2 allows values outside it):
 * - `fed`  a social login: another identity provider vouched for the user (the value Microsoft Entra ID uses);
 * - `rec`  a single-use recovery code stood in for the second factor.
 */
export const AUTH_METHODS = ['pwd', 'otp', 'hwk', 'swk', 'user', 'mfa', 'fed', 'rec'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

export interface Authentication {
  /** The methods, without duplicates. */
  amr: AuthMethod[];
  /** When the user last proved themselves (a login or a re-authentication), seconds since the epoch. */
  authTime: number;
}

const KNOWN = new Set<string>(AUTH_METHODS);

/** A stored or claimed `amr`, read defensively: unknown values are dropped, order kept, duplicates removed. */
export function parseAmr(value: unknown): AuthMethod[] {
  if (!Array.isArray(value)) return [];
  return [...new Set(value.filter((v): v is AuthMethod => typeof v === 'string' && KNOWN.has(v)))];
}

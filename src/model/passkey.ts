import type { PasskeySummary } from './factors.ts';

/**
 * A WebAuthn credential registered by a user (W3C WebAuthn Level 3 §4 "public key credential source", as the
 * relying party keeps it): the credential id and public key are public values, nothing here is a secret.
 */
export interface Passkey extends PasskeySummary {
  userId: string;
  /** base64url of the credential id (the authenticator's handle, unique among all users). */
  credentialId: string;
  /** base64url of the COSE public key (RFC 9053) the assertions are verified with. */
  publicKey: string;
  /** The signature counter last seen (WebAuthn §6.1.1); 0 for authenticators that keep none (most synced passkeys). */
  counter: number;
  /** Transports the browser reported (usb, nfc, ble, internal, hybrid…): a hint for allowCredentials. */
  transports: string[];
  /** The authenticator model's AAGUID (all zeros for attestation "none" from many platforms). */
  aaguid: string;
}

/** What a challenge is for: registering a passkey, signing in with one alone, or a second factor / step-up. */
export type PasskeyPurpose = 'register' | 'login' | 'second_factor';

/** A pending WebAuthn ceremony: the challenge the server issued, for whom, until when. */
export interface PasskeyChallenge {
  purpose: PasskeyPurpose;
  /** The user it was issued for; null for a passwordless sign-in (the user is not known until the assertion). */
  userId: string | null;
  /** base64url, as it appears in clientDataJSON.challenge. */
  challenge: string;
  /** SHA-256 of the browser binding (cookie) for a passwordless attempt; null otherwise. */
  bindingHash: string | null;
  expiresAt: string;
}

export const PASSKEY_NAME_MAX = 64;

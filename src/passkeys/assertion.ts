import type { AuthenticationResponseJSON, VerifiedAuthenticationResponse } from '@simplewebauthn/server';
import { webauthn } from './webauthn.ts';
import type { WebAuthnConfig } from '../config/webauthn-config.ts';
import type { AuthMethod } from '../model/authentication.ts';
import type { Passkey } from '../model/passkey.ts';

/** Why an assertion was refused: `counter` = a verified signature whose counter did not move forward (a clone). */
export class AssertionRefused extends Error {
  readonly why: 'invalid' | 'counter';
  readonly presentedCounter: number | undefined;

  constructor(why: 'invalid' | 'counter', detail: string, presentedCounter?: number) {
    super(detail);
    this.name = 'AssertionRefused';
    this.why = why;
    this.presentedCounter = presentedCounter;
  }
}

export interface VerifiedAssertion {
  counter: number;
  userVerified: boolean;
  backedUp: boolean;
  /** hwk for a device-bound credential, swk for a backup-eligible (synced) one, plus user when UV was done. */
  amr: AuthMethod[];
}

const isB64url = (v: unknown, max: number): v is string => typeof v === 'string' && v.length > 0 && v.length <= max && /^[A-Za-z0-9_-]+={0,2}$/.test(v);

/** An authentication response (@simplewebauthn/browser's startAuthentication() JSON), or undefined if it is not one. */
export function asAssertion(x: unknown): AuthenticationResponseJSON | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const o = x as Record<string, unknown>;
  const r = o.response as Record<string, unknown> | undefined;
  if (!isB64url(o.id, 1400) || !isB64url(o.rawId, 1400) || o.type !== 'public-key' || typeof r !== 'object' || r === null) return undefined;
  if (!isB64url(r.clientDataJSON, 8192) || !isB64url(r.authenticatorData, 8192) || !isB64url(r.signature, 2048)) return undefined;
  if (r.userHandle !== undefined && r.userHandle !== null && !isB64url(r.userHandle, 128)) return undefined;
  const ext = o.clientExtensionResults;
  if (ext !== undefined && (typeof ext !== 'object' || ext === null)) return undefined;
  return { ...(o as unknown as AuthenticationResponseJSON), clientExtensionResults: (ext ?? {}) as AuthenticationResponseJSON['clientExtensionResults'] };
}

/**
 * Verifies an assertion against a stored passkey (WebAuthn §7.2): type, challenge, origin, RP ID hash, user presence,
 * user verification when required, and the signature, by @simplewebauthn/server; then the signature counter
 * (§7.2 step 22), checked here, after the signature, so that only a genuine but stale counter counts as a clone.
 * The library is given counter 0 so that it does not check it before the signature.
 */
export async function verifyAssertion(
  passkey: Passkey, response: AuthenticationResponseJSON, expectedChallenge: string, rp: WebAuthnConfig, requireUserVerification: boolean,
): Promise<VerifiedAssertion> {
  const { verifyAuthenticationResponse } = await webauthn();
  let verified: VerifiedAuthenticationResponse;
  try {
    verified = await verifyAuthenticationResponse({
      response, expectedChallenge, expectedOrigin: rp.origins, expectedRPID: rp.rpId, requireUserVerification,
      credential: { id: passkey.credentialId, publicKey: Buffer.from(passkey.publicKey, 'base64url'), counter: 0 },
    });
  } catch (err) {
    throw new AssertionRefused('invalid', (err as Error).message);
  }
  if (!verified.verified) throw new AssertionRefused('invalid', 'the signature does not verify');
  const info = verified.authenticationInfo;
  const counter = info.newCounter;
  // An authenticator that keeps a counter sends a greater one each time; 0 then 0 means it keeps none.
  if ((counter > 0 || passkey.counter > 0) && counter <= passkey.counter) {
    throw new AssertionRefused('counter', `signature counter ${counter} is not above the stored ${passkey.counter}`, counter);
  }
  const amr: AuthMethod[] = [passkey.deviceType === 'multiDevice' ? 'swk' : 'hwk'];
  if (info.userVerified) amr.push('user');
  return { counter, userVerified: info.userVerified, backedUp: info.credentialBackedUp, amr };
}

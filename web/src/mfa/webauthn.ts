import {
  WebAuthnAbortService, WebAuthnError, browserSupportsWebAuthn, browserSupportsWebAuthnAutofill, startAuthentication, startRegistration,
} from '@simplewebauthn/browser';
import type {
  AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON,
} from '../../../client/src/index.ts';
import { describeDevice } from '../format.ts';

/** The browser can make and use passkeys at all (WebAuthn present; a secure context). */
export const passkeysSupported = (): boolean => browserSupportsWebAuthn();

/** The browser can offer passkeys in the username field's autofill (conditional mediation). */
export const autofillSupported = (): Promise<boolean> => browserSupportsWebAuthnAutofill();

/** Asks the authenticator for a new passkey for these creation options. */
export const createPasskey = (optionsJSON: PublicKeyCredentialCreationOptionsJSON): Promise<RegistrationResponseJSON> =>
  startRegistration({ optionsJSON });

/** Asks for an assertion with a passkey (a modal prompt); cancels a pending autofill request first. */
export const getPasskey = (optionsJSON: PublicKeyCredentialRequestOptionsJSON): Promise<AuthenticationResponseJSON> =>
  startAuthentication({ optionsJSON });

/**
 * Conditional mediation: the passkeys appear among the username field's suggestions (it must have
 * autocomplete="username webauthn"); resolves when the user picks one. Another WebAuthn request (the "Sign in with a
 * passkey" button) or cancelAutofill() aborts it.
 */
export const autofillPasskey = (optionsJSON: PublicKeyCredentialRequestOptionsJSON): Promise<AuthenticationResponseJSON> =>
  startAuthentication({ optionsJSON, useBrowserAutofill: true });

/** Ends a pending WebAuthn request (leaving the sign-in page). */
export const cancelAutofill = (): void => WebAuthnAbortService.cancelCeremony();

/** A request that ended because another replaced it, or the page cancelled it: not a failure to show. */
export const isAborted = (err: unknown): boolean =>
  (err instanceof WebAuthnError && err.code === 'ERROR_CEREMONY_ABORTED') || (err instanceof Error && err.name === 'AbortError');

/** What went wrong on the browser's side of a passkey request, in the user's words; null for an API error. */
export function passkeyProblem(err: unknown): string | null {
  if (err instanceof WebAuthnError) {
    switch (err.code) {
      case 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED': return 'This device already holds a passkey for your account.';
      case 'ERROR_CEREMONY_ABORTED': return 'The passkey request was cancelled.';
      case 'ERROR_INVALID_DOMAIN': case 'ERROR_INVALID_RP_ID': return 'Passkeys are not set up for this address (the server\'s WebAuthn settings do not match it).';
      case 'ERROR_AUTHENTICATOR_MISSING_DISCOVERABLE_CREDENTIAL_SUPPORT': case 'ERROR_AUTHENTICATOR_MISSING_USER_VERIFICATION_SUPPORT':
        return 'This authenticator cannot hold a passkey (it needs to store it and to check a PIN or biometric).';
      default: break;
    }
  }
  if (err instanceof Error && (err.name === 'NotAllowedError' || err.cause instanceof Error && err.cause.name === 'NotAllowedError')) {
    return 'The passkey request was cancelled or timed out, or no passkey for this site was chosen.';
  }
  if (err instanceof Error && err.message.includes('WebAuthn')) return 'This browser cannot use passkeys here.';
  return null;
}

/** A name for a new passkey the user can keep or change: where it was made ("Chrome on macOS"). */
export const suggestPasskeyName = (userAgent: string | undefined): string => {
  const device = describeDevice(userAgent);
  return device === 'Unknown device' ? 'My passkey' : device;
};

// Passkeys in Chromium without a person: the DevTools protocol's virtual authenticator (CTAP2, built into the
// device, resident keys, user verification that always succeeds) answers the page's WebAuthn requests by itself.
import type { BrowserContext, CDPSession, Page } from 'playwright-core';

export interface VirtualAuthenticator { cdp: CDPSession; id: string }

/** One virtual platform authenticator for `page` (the page's own DevTools session; it lives as long as the page). */
export async function addVirtualAuthenticator(page: Page): Promise<VirtualAuthenticator> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
  return { cdp, id: authenticatorId };
}

/** The passkeys the authenticator holds, private keys and signature counters included. */
export async function credentialsOf(a: VirtualAuthenticator) {
  return (await a.cdp.send('WebAuthn.getCredentials', { authenticatorId: a.id })).credentials;
}

/**
 * A browser without passkey autofill (conditional mediation unavailable): the virtual authenticator would otherwise
 * answer the sign-in page's autofill request at once, before a test can use the password or the button.
 */
export async function withoutAutofill(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    if (typeof PublicKeyCredential !== 'undefined') PublicKeyCredential.isConditionalMediationAvailable = async () => false;
  });
}

/** Records the `mediation` of every navigator.credentials.get() the page makes, in window.__mediations. */
export async function recordMediation(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as { __mediations: string[] };
    w.__mediations = [];
    const get = navigator.credentials.get.bind(navigator.credentials);
    navigator.credentials.get = (options?: CredentialRequestOptions) => {
      w.__mediations.push(options?.mediation ?? 'optional');
      return get(options);
    };
  });
}

export const mediationsOf = (page: Page): Promise<string[]> => page.evaluate(() => (window as unknown as { __mediations: string[] }).__mediations);

import type { RawSettings } from './variables.ts';

/** Passkeys (WebAuthn): who the relying party is and which pages may run its ceremonies. */
export interface WebAuthnConfig {
  /** The RP ID: a domain the origins belong to; credentials are scoped to it (WebAuthn §5.1.3 step 8, §5.1.4.1 step 7). */
  rpId: string;
  /** The name authenticators show ("Sign in to …"). */
  rpName: string;
  /** Origins whose pages may run the ceremonies: clientDataJSON.origin must be one of them exactly (§7.1 step 9, §7.2 step 13). */
  origins: string[];
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * WEBAUTHN_RP_ID (default PUBLIC_URL's host), WEBAUTHN_RP_NAME, WEBAUTHN_ORIGINS (default PUBLIC_URL's origin),
 * checked at start: the RP ID is a bare domain, and every origin is that domain or a subdomain of it (a browser
 * refuses any other RP ID, so every ceremony would fail), https unless on localhost (WebAuthn needs a secure context).
 */
export function webauthnSettings(s: RawSettings, publicUrl: string, fail: (variable: string, why: string) => Error): WebAuthnConfig {
  const url = new URL(publicUrl);
  let rpId = url.hostname;
  if (s.WEBAUTHN_RP_ID !== undefined) {
    rpId = s.WEBAUTHN_RP_ID.trim().toLowerCase();
    if (!DOMAIN.test(rpId) || IPV4.test(rpId)) {
      throw fail('WEBAUTHN_RP_ID', `must be a domain name such as example.com or localhost, without scheme, port or path (browsers refuse IP addresses) (got ${JSON.stringify(s.WEBAUTHN_RP_ID)})`);
    }
  }
  const origins = s.WEBAUTHN_ORIGINS ?? [url.origin];
  if (origins.length === 0) throw fail('WEBAUTHN_ORIGINS', 'must list at least one origin (or be unset: PUBLIC_URL\'s origin)');
  for (const o of origins) {
    const { protocol, hostname } = new URL(o);
    if (hostname !== rpId && !hostname.endsWith(`.${rpId}`)) {
      throw fail(s.WEBAUTHN_ORIGINS ? 'WEBAUTHN_ORIGINS' : 'WEBAUTHN_RP_ID', `the origin ${o} is not on the RP ID ${rpId} or a subdomain of it, so browsers would refuse every passkey ceremony there`);
    }
    if (s.WEBAUTHN_ORIGINS && protocol !== 'https:' && !LOOPBACK.has(hostname)) {
      throw fail('WEBAUTHN_ORIGINS', `${o} is plain http: browsers offer passkeys only to https pages (and http://localhost)`);
    }
  }
  const rpName = s.WEBAUTHN_RP_NAME!.trim();
  if (rpName === '' || rpName.length > 64) throw fail('WEBAUTHN_RP_NAME', 'must be 1 to 64 characters');
  return { rpId, rpName, origins };
}

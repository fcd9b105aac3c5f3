/** What an otpauth:// URI (Key Uri Format) names: the issuer and the account, to show beside its QR code. */
export function describeOtpauth(uri: string): { issuer: string | null; account: string | null } {
  try {
    const url = new URL(uri);
    if (url.protocol !== 'otpauth:') return { issuer: null, account: null };
    const label = decodeURIComponent(url.pathname.replace(/^\/+/, ''));
    const colon = label.indexOf(':');
    const account = (colon >= 0 ? label.slice(colon + 1) : label).trim() || null;
    const issuer = url.searchParams.get('issuer') ?? (colon >= 0 ? label.slice(0, colon).trim() || null : null);
    return { issuer, account };
  } catch {
    return { issuer: null, account: null };
  }
}

/** "JBSWY3DPEHPK3PXP" → "JBSW Y3DP EHPK 3PXP": easier to read out and type into an app by hand. */
export const groupSecret = (secret: string): string => secret.replace(/\s+/g, '').replace(/(.{4})(?=.)/g, '$1 ');

/** What a user typed as a code: spaces and dashes dropped (apps show "123 456"). */
export const cleanCode = (code: string): string => code.replace(/[\s-]+/g, '');

/** A recovery code as typed: trimmed, inner spaces dropped; dashes kept (they may be part of the code). */
export const cleanRecoveryCode = (code: string): string => code.trim().replace(/\s+/g, '');

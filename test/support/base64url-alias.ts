const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * A non-canonical spelling of the same bytes: `encoded` (canonical, unpadded base64url) with its last character
 * replaced by one that keeps the bits that carry data and sets the unused low bits (RFC 4648 §3.5). Decoders that
 * ignore those bits read the same bytes. Null when the last character has no unused bits (length a multiple of 4).
 */
export function sameBytesAlias(encoded: string): string | null {
  const unused = { 0: 0, 2: 4, 3: 2 }[encoded.length % 4 as 0 | 2 | 3];
  if (!unused) return null;
  const last = ALPHABET.indexOf(encoded.at(-1)!);
  return encoded.slice(0, -1) + ALPHABET[last | ((1 << unused) - 1)];
}

/** The token with segment `index` (0 header, 1 payload, 2 signature) spelled by sameBytesAlias; throws if it cannot be. */
export function aliasSegment(token: string, index: number): string {
  const parts = token.split('.');
  const alias = sameBytesAlias(parts[index]!);
  if (alias === null) throw new Error(`segment ${index} (${parts[index]!.length} characters) has no unused bits`);
  parts[index] = alias;
  return parts.join('.');
}

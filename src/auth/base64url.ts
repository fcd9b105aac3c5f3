/** The value of each base64url character (RFC 4648 §5), -1 for anything else. */
const VALUE = new Int8Array(128).fill(-1);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'].entries()) VALUE[c.charCodeAt(0)] = i;

/**
 * True when `s` is the one canonical unpadded base64url encoding of some bytes, as JWS requires (RFC 7515 §2:
 * base64url "with all trailing '=' characters omitted"; RFC 4648 §3.5: the pad bits of the last character must be
 * zero). Decoders (Buffer, atob, and so jose) ignore those bits, so without this check one token has up to 16
 * spellings that all verify — a signature that is not unique, and a string a cache or a deny-list keyed on the
 * token would take for another token. Checks the alphabet, the length (4n+1 characters encode no bytes) and the
 * unused low bits of the last character (4 of them after 2 characters of a group, 2 after 3).
 */
export function isCanonicalBase64url(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || VALUE[c]! < 0) return false;
  }
  const rest = s.length % 4;
  if (rest === 0) return true;
  if (rest === 1) return false;
  const last = VALUE[s.charCodeAt(s.length - 1)]!;
  return (last & (rest === 2 ? 0b1111 : 0b11)) === 0;
}

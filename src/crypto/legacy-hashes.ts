import { createCipheriv, pbkdf2Sync, scryptSync, timingSafeEqual } from 'node:crypto';

/**
 * Password hashes made by other systems, kept after an import (`gatehouse import`) until the user's first login
 * replaces them with argon2id. Recognised here, verified in a hash thread (hash-worker.ts), never on the event loop:
 * - bcrypt `$2a$`/`$2b$`/`$2y$` and argon2 (`$argon2id|i|d$…`), as written by passlib, pwdlib, Go, PHP…
 * - scrypt as Better Auth writes it: `<salt>:<key>`, 32 + 128 hex digits; the salt is the 32-character hex text
 *   itself (its bytes, not the bytes it spells), the password NFKC-normalised, N = 16384, r = 16, p = 1, 64 bytes;
 * - scrypt as a PHC string (passlib's form): `$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<key>`;
 * - PBKDF2 as a PHC string: `$pbkdf2-<sha1|sha256|sha512>$i=<iterations>[,l=<length>]$<salt>$<key>`, or passlib's
 *   `$pbkdf2-sha256$<iterations>$<salt>$<key>`, and Django's `pbkdf2_sha256$<iterations>$<salt>$<key>` (its salt
 *   is text; its key standard base64 with padding).
 * - Firebase Authentication's modified scrypt, with the project's parameters carried in the string:
 *   `$firebase-scrypt$ln=<mem_cost>,r=<rounds>$<salt>$<salt separator>$<signer key>$<hash>` (standard base64, as the
 *   export and the console give them): scrypt(password, salt ‖ separator, N = 2^mem_cost, r, p = 1, 32 bytes) is the
 *   AES-256-CTR key (zero IV) that encrypts the signer key into the hash (github.com/firebase/scrypt). The signer key
 *   sits beside each such hash until the user's first login replaces it.
 * Salts and keys of the `$…$` forms are base64 without padding (the PHC string format's B64); passlib's "adapted"
 * alphabet (`.` for `+`) is read too.
 *
 * Each format's cost is bounded, so an imported hash cannot make one login take minutes or gigabytes.
 */
export type LegacyKind = 'bcrypt' | 'argon2' | 'scrypt' | 'pbkdf2';

export const BCRYPT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
export const ARGON2 = /^\$argon2(id|i|d)\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;
const BETTER_AUTH_SCRYPT = /^([0-9a-f]{32}):([0-9a-f]{128})$/;
const SCRYPT_PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/.]+)\$([A-Za-z0-9+/.]+)$/;
const PBKDF2_PHC = /^\$pbkdf2-(sha1|sha256|sha512)\$(?:i=(\d{1,9})(?:,l=(\d{1,3}))?|(\d{1,9}))\$([A-Za-z0-9+/.]+)\$([A-Za-z0-9+/.]+)$/;
const B64_PADDED = '([A-Za-z0-9+/]*={0,2})';
const FIREBASE_SCRYPT = new RegExp(`^\\$firebase-scrypt\\$ln=(\\d{1,2}),r=(\\d{1,2})\\$${B64_PADDED}\\$${B64_PADDED}\\$${B64_PADDED}\\$${B64_PADDED}$`);
const PBKDF2_DJANGO = /^pbkdf2_(sha1|sha256)\$(\d{1,9})\$([^$]{1,128})\$([A-Za-z0-9+/]+={0,2})$/;

/** Bounds: bcrypt cost, argon2 memory (KiB) / passes / lanes, scrypt memory (bytes), PBKDF2 iterations. */
export const LIMITS = { bcryptCost: 18, argon2MemoryKib: 1 << 20, argon2Passes: 64, argon2Lanes: 64, scryptMemory: 256 * 1024 * 1024, pbkdf2Iterations: 10_000_000 };

interface Scrypt { kind: 'scrypt'; salt: Buffer; key: Buffer; N: number; r: number; p: number; nfkc: boolean }
interface Pbkdf2 { kind: 'pbkdf2'; digest: string; iterations: number; salt: Buffer; key: Buffer }
interface FirebaseScrypt { kind: 'scrypt'; firebase: true; salt: Buffer; signerKey: Buffer; key: Buffer; N: number; r: number }
type Derived = Scrypt | Pbkdf2 | FirebaseScrypt;

/** PHC B64 (RFC 4648 base64 without padding), or passlib's adapted alphabet; undefined if it does not decode exactly. */
function b64(s: string): Buffer | undefined {
  const std = s.replaceAll('.', '+');
  const bytes = Buffer.from(std, 'base64');
  return bytes.toString('base64').replace(/=+$/, '') === std.replace(/=+$/, '') ? bytes : undefined;
}

/** The parameters of a scrypt or PBKDF2 hash, or undefined when `stored` is none of those forms (or out of bounds). */
function parseDerived(stored: string): Derived | undefined {
  let m = BETTER_AUTH_SCRYPT.exec(stored);
  if (m) return { kind: 'scrypt', salt: Buffer.from(m[1]!, 'utf8'), key: Buffer.from(m[2]!, 'hex'), N: 16384, r: 16, p: 1, nfkc: true };
  m = SCRYPT_PHC.exec(stored);
  if (m) {
    const ln = Number(m[1]), r = Number(m[2]), p = Number(m[3]);
    const salt = b64(m[4]!), key = b64(m[5]!);
    if (!salt || !key || ln < 1 || ln > 24 || r < 1 || p < 1 || p > 16 || key.length < 16 || key.length > 128) return undefined;
    if (128 * 2 ** ln * r > LIMITS.scryptMemory) return undefined;
    return { kind: 'scrypt', salt, key, N: 2 ** ln, r, p, nfkc: false };
  }
  m = PBKDF2_PHC.exec(stored);
  if (m) {
    const iterations = Number(m[2] ?? m[4]);
    const salt = b64(m[5]!), key = b64(m[6]!);
    if (!salt || !key || key.length < 16 || key.length > 128) return undefined;
    if (m[3] !== undefined && Number(m[3]) !== key.length) return undefined;
    if (iterations < 1 || iterations > LIMITS.pbkdf2Iterations) return undefined;
    return { kind: 'pbkdf2', digest: m[1]!, iterations, salt, key };
  }
  m = FIREBASE_SCRYPT.exec(stored);
  if (m) {
    const ln = Number(m[1]), r = Number(m[2]);
    const [salt, separator, signerKey, key] = [m[3]!, m[4]!, m[5]!, m[6]!].map((x) => Buffer.from(x, 'base64'));
    if (ln < 1 || ln > 20 || r < 1 || 128 * 2 ** ln * r > LIMITS.scryptMemory || signerKey!.length < 16 || key!.length !== signerKey!.length) return undefined;
    return { kind: 'scrypt', firebase: true, salt: Buffer.concat([salt!, separator!]), signerKey: signerKey!, key: key!, N: 2 ** ln, r };
  }
  m = PBKDF2_DJANGO.exec(stored);
  if (m) {
    const iterations = Number(m[2]);
    const key = Buffer.from(m[4]!, 'base64');
    if (key.length < 16 || iterations < 1 || iterations > LIMITS.pbkdf2Iterations) return undefined;
    return { kind: 'pbkdf2', digest: m[1]!, iterations, salt: Buffer.from(m[3]!, 'utf8'), key };
  }
  return undefined;
}

/** Which kind of hash `stored` is, when Gatehouse can verify it within LIMITS; undefined otherwise. */
export function legacyKind(stored: string): LegacyKind | undefined {
  const bc = BCRYPT.exec(stored);
  if (bc) return Number(bc[1]) >= 4 && Number(bc[1]) <= LIMITS.bcryptCost ? 'bcrypt' : undefined;
  const a = ARGON2.exec(stored);
  if (a) {
    const ok = Number(a[3]) <= LIMITS.argon2MemoryKib && Number(a[4]) >= 1 && Number(a[4]) <= LIMITS.argon2Passes
      && Number(a[5]) >= 1 && Number(a[5]) <= LIMITS.argon2Lanes;
    return ok ? 'argon2' : undefined;
  }
  return parseDerived(stored)?.kind;
}

/** True for the scrypt and PBKDF2 forms above (bcrypt and argon2 have verifiers of their own). */
export const isDerivedKeyHash = (stored: string): boolean => parseDerived(stored) !== undefined;

/**
 * Verifies a scrypt or PBKDF2 hash; synchronous and CPU-bound, so only ever called in a hash thread. The derived
 * key is compared in constant time (timingSafeEqual). A hash that does not parse matches no password.
 */
export function verifyDerivedKey(stored: string, password: string): boolean {
  const d = parseDerived(stored);
  if (!d) return false;
  if ('firebase' in d) {
    const aesKey = scryptSync(password, d.salt, 32, { N: d.N, r: d.r, p: 1, maxmem: 128 * d.N * d.r * 2 + 1024 * 1024 });
    const c = createCipheriv('aes-256-ctr', aesKey, Buffer.alloc(16));
    return timingSafeEqual(Buffer.concat([c.update(d.signerKey), c.final()]), d.key);
  }
  const derived = d.kind === 'scrypt'
    ? scryptSync(d.nfkc ? password.normalize('NFKC') : password, d.salt, d.key.length, { N: d.N, r: d.r, p: d.p, maxmem: 128 * d.N * d.r * 2 + 1024 * 1024 })
    : pbkdf2Sync(password, d.salt, d.iterations, d.key.length, d.digest);
  return timingSafeEqual(derived, d.key);
}

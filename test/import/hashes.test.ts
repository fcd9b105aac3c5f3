// The password hashes an import keeps, made by other libraries (Python's bcrypt, argon2-cffi, hashlib) and by Better
// Auth's own code path (scrypt: N 16384, r 16, the hex salt's text as salt, NFKC): each verifies with the right
// password only, asks for an argon2id rehash, runs in the hash threads, and a hash beyond the cost bounds is refused.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, scryptSync } from 'node:crypto';
import { HashPool } from '../../src/crypto/hash-pool.ts';
import { PasswordHasher } from '../../src/crypto/password-hasher.ts';
import { legacyKind } from '../../src/crypto/legacy-hashes.ts';
import { foreignHashes, type Scheme } from '../support/import-sources.ts';

const pool = new HashPool(2);
const hasher = new PasswordHasher(pool, { memoryCost: 256, timeCost: 1, parallelism: 1 });
after(() => pool.close());

const PASSWORD = 'imported päss wörd';
const schemes: [Scheme, string][] = [
  ['bcrypt-2b', 'bcrypt'], ['bcrypt-2a', 'bcrypt'], ['bcrypt-2y', 'bcrypt'], ['argon2id', 'argon2'], ['argon2i', 'argon2'],
  ['scrypt', 'scrypt'], ['pbkdf2-sha256', 'pbkdf2'], ['pbkdf2-sha512-passlib', 'pbkdf2'], ['pbkdf2-django', 'pbkdf2'],
];
const made = foreignHashes(schemes.map(([scheme]) => ({ scheme, password: PASSWORD })));

/** Better Auth's format, written the way its code writes it (the test of the real package is better-auth.test.ts). */
function betterAuthStyle(password: string): string {
  const salt = randomBytes(16).toString('hex');
  return `${salt}:${scryptSync(password.normalize('NFKC'), salt, 64, { N: 16384, r: 16, p: 1, maxmem: 64 * 1024 * 1024 }).toString('hex')}`;
}

describe('imported password hashes', () => {
  for (const [i, [scheme, kind]] of schemes.entries()) {
    test(`${scheme}: recognised as ${kind}, verifies the right password only, asks for a rehash`, async () => {
      const stored = made[i]!;
      assert.equal(legacyKind(stored), kind, stored);
      assert.deepEqual(await hasher.verify(stored, PASSWORD), { ok: true, needsRehash: true });
      assert.deepEqual(await hasher.verify(stored, `${PASSWORD} `), { ok: false, needsRehash: false });
      assert.deepEqual(await hasher.verify(stored, ''), { ok: false, needsRehash: false });
    });
  }

  test('Better Auth scrypt: NFKC-normalised like Better Auth (the ligature ﬁ is fi), a changed key fails', async () => {
    const stored = betterAuthStyle('\uFB01re');
    assert.equal(legacyKind(stored), 'scrypt');
    assert.deepEqual(await hasher.verify(stored, '\uFB01re'), { ok: true, needsRehash: true });
    assert.deepEqual(await hasher.verify(stored, 'fire'), { ok: true, needsRehash: true }, 'the same password after NFKC');
    const flipped = stored.slice(0, -1) + (stored.endsWith('0') ? '1' : '0');
    assert.deepEqual(await hasher.verify(flipped, '\uFB01re'), { ok: false, needsRehash: false });
  });

  test("Firebase's modified scrypt: the example its own tool publishes (github.com/firebase/scrypt) verifies", async () => {
    // The project's parameters (signer key, salt separator, rounds 8, mem_cost 14), a user's salt, and the hash Firebase's
    // scrypt utility prints for the password "user1password".
    const stored = '$firebase-scrypt$ln=14,r=8$42xEC+ixf3L2lw==$Bw==$'
      + 'jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==$'
      + 'lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==';
    assert.equal(legacyKind(stored), 'scrypt');
    assert.deepEqual(await hasher.verify(stored, 'user1password'), { ok: true, needsRehash: true });
    assert.deepEqual(await hasher.verify(stored, 'user2password'), { ok: false, needsRehash: false });
  });

  test('hashes out of bounds, or not hashes, are refused at import (and never verified)', () => {
    const salt = 'c2FsdHNhbHRzYWx0c2FsdA';
    const key = 'a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U';
    for (const bad of [
      'hunter2', '', '$1$saltsalt$abcdefghijklmnopqrstuv', '$2b$19$' + 'a'.repeat(53), '$2b$03$' + 'a'.repeat(53),
      '$argon2id$v=19$m=2097152,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5',
      `$scrypt$ln=25,r=8,p=1$${salt}$${key}`, `$scrypt$ln=16,r=64,p=1$${salt}$${key}`,
      `$pbkdf2-sha256$i=20000000,l=32$${salt}$${key}`, `$pbkdf2-md5$i=1000$${salt}$${key}`,
      `$pbkdf2-sha256$i=1000,l=16$${salt}$${key}`, `$scrypt$ln=10,r=8,p=1$${salt}$not*base64`,
      'ABCDEF0123456789abcdef0123456789:' + '0'.repeat(128),
    ]) assert.equal(legacyKind(bad), undefined, bad);
  });

  test('a slow imported hash is verified off the event loop: timers keep firing meanwhile', async () => {
    // scrypt with N = 2^16, r = 8: 64 MiB and a few hundred milliseconds of one core.
    const salt = randomBytes(16);
    const key = scryptSync('slow', salt, 32, { N: 2 ** 16, r: 8, p: 1, maxmem: 128 * 1024 * 1024 });
    const stored = `$scrypt$ln=16,r=8,p=1$${salt.toString('base64').replace(/=+$/, '')}$${key.toString('base64').replace(/=+$/, '')}`;
    let ticks = 0;
    const timer = setInterval(() => { ticks++; }, 5);
    const started = performance.now();
    const verdict = await hasher.verify(stored, 'slow');
    const took = performance.now() - started;
    clearInterval(timer);
    assert.deepEqual(verdict, { ok: true, needsRehash: true });
    // On the event loop the timer could not fire at all until the hash was done; in a hash thread it fires
    // throughout (at least a few times however loaded the machine is).
    assert.ok(ticks >= 3, `${ticks} timer ticks during a ${took.toFixed(0)} ms verification`);
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sealer, UnsealError } from '../../src/crypto/sealer.ts';
import { KeyEncryption } from '../../src/auth/keys/key-encryption.ts';

const SECRET = 'test-secret-0123456789abcdef0123456789abcdef';

test('a sealed value opens with the same secret, purpose and associated data, and reveals nothing of the plain text', () => {
  const s = new Sealer(SECRET, 'oauth-provider-tokens');
  const sealed = s.seal('gho_secret-token', 'row-1:access');
  assert.match(sealed, /^v1\.[\w-]{16}\.[\w-]+$/);
  assert.ok(!sealed.includes('gho_'));
  assert.notEqual(s.seal('gho_secret-token', 'row-1:access'), sealed, 'a fresh IV every time');
  assert.equal(s.open(sealed, 'row-1:access'), 'gho_secret-token');
});

test('a sealed value does not open in another row, for another purpose, under another secret, or tampered with', () => {
  const sealed = new Sealer(SECRET, 'oauth-provider-tokens').seal('token', 'row-1:access');
  const cases: [string, () => string][] = [
    ['another row', () => new Sealer(SECRET, 'oauth-provider-tokens').open(sealed, 'row-2:access')],
    ['another field', () => new Sealer(SECRET, 'oauth-provider-tokens').open(sealed, 'row-1:refresh')],
    ['another purpose', () => new Sealer(SECRET, 'signing-key-encryption').open(sealed, 'row-1:access')],
    ['another secret', () => new Sealer(`${SECRET}x`, 'oauth-provider-tokens').open(sealed, 'row-1:access')],
    ['a flipped byte', () => new Sealer(SECRET, 'oauth-provider-tokens').open(sealed.slice(0, -2) + (sealed.endsWith('AA') ? 'BB' : 'AA'), 'row-1:access')],
    ['a foreign format', () => new Sealer(SECRET, 'oauth-provider-tokens').open('v2.abc.def', 'row-1:access')],
  ];
  for (const [what, open] of cases) assert.throws(open, UnsealError, what);
});

test('signing keys sealed before the sealer was shared still open (same HKDF key, same format)', () => {
  // Sealed by the KeyEncryption of commit e240e3e, before it was built on Sealer.
  const before = 'v1.fCHAVm7wfWN-y6SF.CcHMHk7-x4MxDWPlwh8UlZKFuJcONw1429Dau9CzvEnhrdH_f8Vge3feeA';
  assert.equal(new KeyEncryption(SECRET).open(before), '{"kty":"OKP","d":"private"}');
  assert.throws(() => new KeyEncryption(`${SECRET}x`).open(before), /was APP_SECRET changed/);
});

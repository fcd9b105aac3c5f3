import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SignJWT, generateKeyPair } from 'jose';
import { AccessTokens, TokenRejected, isCanonicalCompactJws } from '../src/auth/access-token.ts';
import { SecretKeyRing, type KeyRing } from '../src/auth/keys/key-ring.ts';
import { aliasSegment, sameBytesAlias } from './support/base64url-alias.ts';

const PWD = { amr: ['pwd' as const], authTime: Math.floor(Date.now() / 1000) };
const tokens = () => new AccessTokens({ keys: new SecretKeyRing('HS256', 'k'.repeat(40)), audience: 'gatehouse:auth', issuer: 'http://t', ttlSeconds: 30 });

test('a token verified before is refused once it expires, even though its check was remembered', async (t) => {
  const at = tokens();
  const start = Date.now();
  const token = await at.issue(crypto.randomUUID(), crypto.randomUUID(), PWD, start);
  assert.equal((await at.verify(token)).exp, Math.floor(start / 1000) + 30);
  t.mock.timers.enable({ apis: ['Date'], now: start + 29_000 });
  await at.verify(token); // still valid (and answered from memory)
  t.mock.timers.setTime(start + 40_000);
  await assert.rejects(at.verify(token), (err: unknown) => err instanceof TokenRejected && err.expired);
});

test('a remembered token unused for a minute is verified again and leaves the memo; one in use stays', async (t) => {
  const ring = new SecretKeyRing('HS256', 'k'.repeat(40));
  let fullChecks = 0;
  const verifying = ring.verifying.bind(ring);
  ring.verifying = () => { fullChecks++; return verifying(); };
  let clock = 1_000_000; // lru-cache's clock (performance.now), moved by hand
  const at = new AccessTokens({ keys: ring, audience: 'gatehouse:auth', issuer: 'http://t', ttlSeconds: 900 }, { perf: { now: () => clock } });
  const start = Date.now();
  t.mock.timers.enable({ apis: ['Date'], now: start });
  const [busy, idle] = await Promise.all([1, 2].map(() => at.issue(crypto.randomUUID(), crypto.randomUUID(), PWD, start)));
  await at.verify(busy!);
  await at.verify(idle!);
  assert.equal(fullChecks, 2);
  for (let s = 20; s <= 80; s += 20) { // the busy token is used every 20 s, the idle one not at all
    clock = 1_000_000 + s * 1000;
    await at.verify(busy!);
  }
  assert.equal(fullChecks, 2, 'a token in use is answered from memory, however long');
  // A new token, a minute after the last purge: the pass over the memo drops the idle one.
  t.mock.timers.setTime(start + 80_000);
  await at.verify(await at.issue(crypto.randomUUID(), crypto.randomUUID(), PWD, start + 80_000));
  assert.equal(fullChecks, 3);
  assert.equal(at.remembered, 2, 'the busy token and the new one');
  await at.verify(idle!);
  assert.equal(fullChecks, 4, 'the idle token was checked again (and is still valid)');
});

test('a token that failed its check is never remembered as good', async () => {
  const at = tokens();
  const token = await at.issue(crypto.randomUUID(), crypto.randomUUID(), PWD);
  const [h, p, sig] = token.split('.');
  const forged = `${h}.${p}.${sig!.slice(0, -2)}AA`;
  for (let i = 0; i < 2; i++) await assert.rejects(at.verify(forged), TokenRejected);
  await at.verify(token);
});

test('a token signed with our key whose sub, sid or jti is of the wrong type is refused, not trusted as claims', async () => {
  const ring = new SecretKeyRing('HS256', 'k'.repeat(40));
  const at = new AccessTokens({ keys: ring, audience: 'gatehouse:auth', issuer: 'http://t', ttlSeconds: 30 });
  const { key } = await ring.signing();
  const iat = Math.floor(Date.now() / 1000);
  const good = { sub: crypto.randomUUID(), sid: crypto.randomUUID(), jti: 'j', aud: 'gatehouse:auth', iss: 'http://t', iat, exp: iat + 30, amr: ['pwd'], auth_time: iat };
  const sign = (claims: object) => new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(key);
  assert.deepEqual(await at.verify(await sign(good)), { sub: good.sub, sid: good.sid, jti: 'j', exp: good.exp, iat, amr: ['pwd'], auth_time: iat });
  for (const bad of [{ sub: 'not-a-uuid' }, { sid: 42 }, { jti: ['j'] }]) {
    await assert.rejects(at.verify(await sign({ ...good, ...bad })), (err: unknown) => err instanceof TokenRejected && !err.expired, JSON.stringify(bad));
  }
});

/** A ring with one asymmetric key pair, made here: the AccessTokens under test sign and verify with it. */
async function pairRing(alg: 'EdDSA' | 'ES256' | 'RS256'): Promise<KeyRing> {
  const { publicKey, privateKey } = await generateKeyPair(alg);
  return {
    algorithm: alg,
    signing: async () => ({ alg, kid: 'k1', key: privateKey }),
    verifying: async (kid) => (kid === 'k1' ? { alg, key: publicKey } : undefined),
    jwks: async () => ({ keys: [] }),
  };
}

const RINGS: Array<[string, () => Promise<KeyRing>]> = [
  ...(['HS256', 'HS384', 'HS512'] as const).map((alg): [string, () => Promise<KeyRing>] => [alg, async () => new SecretKeyRing(alg, 'k'.repeat(64))]),
  ...(['EdDSA', 'ES256', 'RS256'] as const).map((alg): [string, () => Promise<KeyRing>] => [alg, () => pairRing(alg)]),
];
const SEGMENTS = ['header', 'payload', 'signature'];

for (const [alg, ring] of RINGS) {
  test(`${alg}: a segment spelled with non-zero unused bits (same bytes) is refused; the canonical token is accepted`, async (t) => {
    const keys = await ring();
    // The issuer's length moves the payload's length, so that its last character has unused bits to set.
    let token = '';
    let at: AccessTokens | undefined;
    for (const issuer of ['http://t', 'http://tt', 'http://ttt']) {
      at = new AccessTokens({ keys, audience: 'gatehouse:auth', issuer, ttlSeconds: 30 });
      token = await at.issue(crypto.randomUUID(), crypto.randomUUID(), PWD);
      if (sameBytesAlias(token.split('.')[1]!) !== null) break;
    }
    const aliased: string[] = [];
    for (const [i, name] of SEGMENTS.entries()) {
      const segment = token.split('.')[i]!;
      if (sameBytesAlias(segment) === null) {
        // 4n characters: every bit carries data, so this segment has no other spelling.
        t.diagnostic(`${name}: ${segment.length} characters, no alias exists`);
        continue;
      }
      const alias = aliasSegment(token, i);
      assert.notEqual(alias, token);
      assert.deepEqual(Buffer.from(alias.split('.')[i]!, 'base64url'), Buffer.from(segment, 'base64url'), 'the alias decodes to the same bytes');
      await assert.rejects(at!.verify(alias), (err: unknown) => err instanceof TokenRejected && !err.expired, `${name} alias`);
      aliased.push(name);
    }
    assert.ok(aliased.includes('payload'), 'the payload was tried');
    // HS384's 48-byte signature is 64 characters: no alias exists; every other algorithm's signature has one.
    assert.equal(aliased.includes('signature'), alg !== 'HS384');
    await at!.verify(token);
    // Still refused after the canonical token was verified and remembered.
    for (const [i] of SEGMENTS.entries()) if (sameBytesAlias(token.split('.')[i]!) !== null) await assert.rejects(at!.verify(aliasSegment(token, i)), TokenRejected);
  });
}

test('isCanonicalCompactJws: only the canonical unpadded base64url spelling of each segment', () => {
  const cases: Array<[string, boolean, string]> = [
    ['eyJh.eyJi.AAAA', true, 'whole groups'],
    ['eyJh.eyJi.AA', true, '2 characters, unused bits zero'],
    ['eyJh.eyJi.AAA', true, '3 characters, unused bits zero'],
    ['eyJh.eyJi.AB', false, '2 characters, lowest unused bit set'],
    ['eyJh.eyJi.AI', false, '2 characters, highest unused bit set'],
    ['eyJh.eyJi.AAB', false, '3 characters, an unused bit set'],
    ['eyJh.eyJi.AAAAA', false, '4n+1 characters encode no whole byte'],
    ['eyJh.eyJi.AA==', false, '= padding'],
    ['eyJh.eyJi.AA+/', false, 'the base64 (not url) alphabet'],
    ['eyJh.eyJi.', false, 'an empty signature'],
    ['eyJh.eyJi.AA.AA', false, 'four segments'],
    ['eyJh.eyJ=.AAAA', false, 'padding in the payload'],
    ['eyJB.eyJi.AAAA', true, 'header of whole groups'],
    ['eyB.eyJi.AAAA', false, 'header: unused bits set'],
  ];
  for (const [token, ok, why] of cases) assert.equal(isCanonicalCompactJws(token), ok, `${token}: ${why}`);
});

test('sameBytesAlias keeps the data bits and sets the unused ones', () => {
  assert.equal(sameBytesAlias('Kogw'), null);
  assert.equal(sameBytesAlias('AA'), 'AP');
  assert.equal(sameBytesAlias('AAA'), 'AAD');
  assert.equal(sameBytesAlias('AQ'), 'Af');
  for (const n of [1, 2, 4, 5, 32, 64]) {
    const bytes = randomBytes(n);
    const alias = sameBytesAlias(bytes.toString('base64url'))!;
    assert.deepEqual(Buffer.from(alias, 'base64url'), bytes);
    assert.notEqual(alias, bytes.toString('base64url'));
  }
});

test('amr and auth_time are required, and amr holds only known RFC 8176 values', async () => {
  const { HmacJws } = await import('../src/auth/hmac-jws.ts');
  const signer = new HmacJws('HS256', new TextEncoder().encode('k'.repeat(40)));
  const at = tokens();
  const now = Math.floor(Date.now() / 1000);
  const base = { sub: crypto.randomUUID(), sid: crypto.randomUUID(), jti: 'j', aud: 'gatehouse:auth', iss: 'http://t', iat: now, exp: now + 30 };
  assert.deepEqual((await at.verify(signer.sign({ ...base, amr: ['pwd', 'otp', 'mfa'], auth_time: now }))).amr, ['pwd', 'otp', 'mfa']);
  for (const [what, extra] of [
    ['no amr', { auth_time: now }], ['no auth_time', { amr: ['pwd'] }], ['amr not an array', { amr: 'pwd', auth_time: now }],
    ['an unknown method', { amr: ['pwd', 'magic'], auth_time: now }], ['auth_time not a number', { amr: ['pwd'], auth_time: String(now) }],
  ] as const) {
    await assert.rejects(at.verify(signer.sign({ ...base, ...extra })), TokenRejected, what);
  }
});

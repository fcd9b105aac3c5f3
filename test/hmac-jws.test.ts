// Access tokens signed with node:crypto's HMAC are ordinary JWS (RFC 7515): jose verifies them, byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { HmacJws } from '../src/auth/hmac-jws.ts';
import { isCanonicalCompactJws } from '../src/auth/access-token.ts';
import { aliasSegment } from './support/base64url-alias.ts';

const secret = new TextEncoder().encode('a secret that is long enough for any HS algorithm, 64+ bytes long!!');

for (const alg of ['HS256', 'HS384', 'HS512'] as const) {
  test(`${alg}: jose verifies the token with the same secret and only that algorithm`, async () => {
    const claims = { sub: 'u', sid: 's', aud: 'gatehouse:auth', iss: 'http://127.0.0.1:8000', iat: 1, exp: 4_000_000_000, jti: 'j', name: 'Zoë ✓' };
    const token = new HmacJws(alg, secret).sign(claims);
    assert.deepEqual(decodeProtectedHeader(token), { alg, typ: 'JWT' });
    const { payload } = await jwtVerify(token, secret, { algorithms: [alg], audience: 'gatehouse:auth' });
    assert.deepEqual(payload, claims);
    const [h, p, s] = token.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'other' })).toString('base64url')}.${s}`;
    await assert.rejects(jwtVerify(tampered, secret, { algorithms: [alg] }));
    await assert.rejects(jwtVerify(token, new TextEncoder().encode('another secret of a decent length, 32+ bytes long'), { algorithms: [alg] }));
    assert.ok(p);
  });
}

test('every token HmacJws writes is canonical base64url in all three segments; jose alone would also take an alias', async () => {
  for (const alg of ['HS256', 'HS384', 'HS512'] as const) {
    const jws = new HmacJws(alg, secret);
    for (const name of ['', 'a', 'ab', 'abc', 'Zoë ✓', 'x'.repeat(100)]) {
      const token = jws.sign({ sub: 'u', name, exp: 4_000_000_000 });
      assert.ok(isCanonicalCompactJws(token), `${alg} ${JSON.stringify(name)}`);
    }
  }
  // Why AccessTokens checks the spelling itself: jose (atob) ignores the unused bits and verifies the alias.
  const token = new HmacJws('HS256', secret).sign({ sub: 'u', exp: 4_000_000_000 });
  const alias = aliasSegment(token, 2);
  assert.equal(isCanonicalCompactJws(alias), false);
  await jwtVerify(alias, secret, { algorithms: ['HS256'] });
});

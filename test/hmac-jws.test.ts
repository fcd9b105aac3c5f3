// Access tokens signed with node:crypto's HMAC are ordinary JWS (RFC 7515): jose verifies them, byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { HmacJws } from '../src/auth/hmac-jws.ts';

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

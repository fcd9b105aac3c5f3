import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SignJWT, base64url, decodeProtectedHeader } from 'jose';
import { onEveryDatabase, TEST_SECRET, type Harness } from '../support/harness.ts';
import { createGatehouse } from '../../src/gatehouse.ts';
import { StoredKeyRing } from '../../src/auth/keys/key-ring.ts';

const run = promisify(execFile);
const support = join(import.meta.dirname, '..', 'support');
const AUD = 'gatehouse:auth';

async function listening(h: Harness): Promise<string> {
  await h.g.app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(h.g.app.server.address() as { port: number }).port}`;
}

for (const alg of ['EdDSA', 'ES256', 'RS256'] as const) {
  onEveryDatabase(`asymmetric access tokens (${alg})`, (h) => {
    let token: string;
    let userId: string;
    let base: string;

    test('tokens are signed with the stored key: alg and kid in the header, the public key in the JWKS', async () => {
      ({ id: userId, token } = await h.user(`keys-${alg}@example.com`));
      const header = decodeProtectedHeader(token);
      assert.equal(header.alg, alg);
      assert.ok(header.kid);
      const jwks = (await h.req({ url: '/.well-known/jwks.json' })).json();
      assert.equal(jwks.keys.length, 1);
      assert.deepEqual([jwks.keys[0].kid, jwks.keys[0].alg, jwks.keys[0].use], [header.kid, alg, 'sig']);
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(jwks.keys[0][secret], undefined, `no private "${secret}"`);
      assert.equal((await h.req({ url: '/users/me', token })).statusCode, 200);
    });

    test('the private key is stored encrypted', async () => {
      const rows = await h.g.db.kysely.selectFrom('signing_keys').select('private_jwk_encrypted').execute();
      assert.ok(rows.every((r) => r.private_jwk_encrypted.startsWith('v1.') && !r.private_jwk_encrypted.includes('"d"')));
    });

    test('an independent verifier in another process checks the token through the JWKS over HTTP', async () => {
      base = await listening(h);
      const { stdout } = await run(process.execPath, [join(support, 'verify-remote.ts'), `${base}/.well-known/jwks.json`, token, h.config.jwt.issuer, AUD], { timeout: 20_000 });
      assert.deepEqual(JSON.parse(stdout), { alg, sub: userId });
      const meta = (await h.req({ url: '/.well-known/openid-configuration' })).json();
      assert.equal(meta.issuer, h.config.jwt.issuer);
      assert.deepEqual(meta.access_token_signing_alg_values_supported, [alg]);
    });

    test('PyJWT (python3-jwt) verifies it too', { skip: !existsSync('/usr/lib/python3/dist-packages/jwt') && 'python3-jwt is not installed' }, async () => {
      const { stdout } = await run('/usr/bin/python3', [join(support, 'verify-remote.py'), `${base}/.well-known/jwks.json`, token, h.config.jwt.issuer, AUD], { timeout: 20_000 });
      assert.deepEqual(JSON.parse(stdout), { sub: userId });
    });

    test('alg confusion: an HS256 token signed with the public key is refused', async () => {
      const jwk = (await h.req({ url: '/.well-known/jwks.json' })).json().keys[0];
      const claims = JSON.parse(new TextDecoder().decode(base64url.decode(token.split('.')[1]!)));
      for (const secret of [JSON.stringify(jwk), jwk.x ?? jwk.n, TEST_SECRET]) {
        const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: jwk.kid }).sign(new TextEncoder().encode(secret));
        assert.equal((await h.req({ url: '/users/me', token: forged })).statusCode, 401);
      }
    });

    test('a token naming an unknown kid is refused', async () => {
      const [head, body, sig] = token.split('.');
      const header = { ...JSON.parse(new TextDecoder().decode(base64url.decode(head!))), kid: 'no-such-key' };
      assert.equal((await h.req({ url: '/users/me', token: `${base64url.encode(JSON.stringify(header))}.${body}.${sig}` })).statusCode, 401);
    });

    test('rotation: the new key signs, the old one keeps verifying and stays in the JWKS; another instance agrees', async () => {
      const ring = h.g.keys as StoredKeyRing;
      const oldKid = decodeProtectedHeader(token).kid;
      const newKid = await ring.rotate();
      assert.notEqual(newKid, oldKid);
      const fresh = await h.login(`keys-${alg}@example.com`);
      assert.equal(decodeProtectedHeader(fresh).kid, newKid);
      assert.equal((await h.req({ url: '/users/me', token })).statusCode, 200, 'old tokens still verify');
      const kids = (await h.req({ url: '/.well-known/jwks.json' })).json().keys.map((k: { kid: string }) => k.kid).sort();
      assert.deepEqual(kids, [oldKid, newKid].sort());
      const other = await createGatehouse(h.config);
      try {
        for (const t of [token, fresh]) assert.equal((await other.app.inject({ url: '/users/me', headers: { authorization: `Bearer ${t}` } })).statusCode, 200);
      } finally {
        await other.close();
      }
    });

    test('once every token of a retired key has expired, the key leaves the JWKS and its tokens are refused', async () => {
      await h.g.db.kysely.updateTable('signing_keys').set({ retired_at: new Date(Date.now() - 86_400_000).toISOString() }).where('retired_at', 'is not', null).execute();
      const other = await createGatehouse(h.config); // reads the keys afresh
      try {
        assert.equal((await other.app.inject({ url: '/users/me', headers: { authorization: `Bearer ${token}` } })).statusCode, 401);
        assert.equal((await other.app.inject('/.well-known/jwks.json')).json().keys.length, 1);
      } finally {
        await other.close();
      }
    });
  }, { JWT_ALGORITHM: alg });
}

onEveryDatabase('HS256 (the default)', (h) => {
  test('signs with APP_SECRET, with no kid, and publishes no keys', async () => {
    const { token } = await h.user('hs256@example.com');
    assert.deepEqual(decodeProtectedHeader(token), { alg: 'HS256', typ: 'JWT' });
    assert.deepEqual((await h.req({ url: '/.well-known/jwks.json' })).json(), { keys: [] });
  });
});

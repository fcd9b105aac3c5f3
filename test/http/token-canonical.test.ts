// One access token, one spelling (RFC 7515 §2, RFC 4648 §3.5): a signature whose last character differs only in
// its unused bits decodes to the same bytes, and must still be refused — through either transport.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onEveryDatabase } from '../support/harness.ts';
import { aliasSegment, sameBytesAlias } from '../support/base64url-alias.ts';

for (const alg of ['HS256', 'EdDSA'] as const) {
  onEveryDatabase(`${alg} access tokens with a non-canonical signature`, (h) => {
    const transports = {
      bearer: (token: string) => h.req({ url: '/users/me', token }),
      cookie: (token: string) => h.g.app.inject({ url: '/users/me', cookies: { gatehouse_access: token } }),
    };
    for (const [name, send] of Object.entries(transports)) {
      test(`${name}: the signature's same-bytes alias is refused with 401, the token as issued answers 200`, async () => {
        const { token } = await h.user(`alias-${name}@example.com`);
        const signature = token.split('.')[2]!;
        assert.notEqual(sameBytesAlias(signature), null, `${alg}'s signature (${signature.length} characters) has unused bits`);
        const alias = aliasSegment(token, 2);
        assert.deepEqual(Buffer.from(alias.split('.')[2]!, 'base64url'), Buffer.from(signature, 'base64url'));
        const refused = await send(alias);
        assert.equal(refused.statusCode, 401, refused.body);
        assert.match(String(refused.headers['www-authenticate']), /invalid_token/);
        assert.equal((await send(token)).statusCode, 200);
        // Refused also once the canonical token was verified and remembered.
        assert.equal((await send(alias)).statusCode, 401);
      });
    }
  }, { JWT_ALGORITHM: alg });
}

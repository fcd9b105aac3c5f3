import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AccessTokens, TokenRejected } from '../src/auth/access-token.ts';
import { SecretKeyRing } from '../src/auth/keys/key-ring.ts';

const tokens = () => new AccessTokens({ keys: new SecretKeyRing('HS256', 'k'.repeat(40)), audience: 'gatehouse:auth', issuer: 'http://t', ttlSeconds: 30 });

test('a token verified before is refused once it expires, even though its check was remembered', async (t) => {
  const at = tokens();
  const start = Date.now();
  const token = await at.issue(crypto.randomUUID(), crypto.randomUUID(), start);
  assert.equal((await at.verify(token)).exp, Math.floor(start / 1000) + 30);
  t.mock.timers.enable({ apis: ['Date'], now: start + 29_000 });
  await at.verify(token); // still valid (and answered from memory)
  t.mock.timers.setTime(start + 40_000);
  await assert.rejects(at.verify(token), (err: unknown) => err instanceof TokenRejected && err.expired);
});

test('a token that failed its check is never remembered as good', async () => {
  const at = tokens();
  const token = await at.issue(crypto.randomUUID(), crypto.randomUUID());
  const [h, p, sig] = token.split('.');
  const forged = `${h}.${p}.${sig!.slice(0, -2)}AA`;
  for (let i = 0; i < 2; i++) await assert.rejects(at.verify(forged), TokenRejected);
  await at.verify(token);
});

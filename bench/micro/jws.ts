// `node bench/micro/jws.ts`: signing an access token with the hand-written HMAC JWS (src/auth/hmac-jws.ts,
// node:crypto, synchronous) against jose's SignJWT (WebCrypto, asynchronous), HS256 with the same claims; and
// verifying it with jose (what AccessTokens does for a token it has not seen), for scale. Every login and refresh
// signs one token; a verify runs once per token (the verified-token memo answers the rest).
import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { HmacJws } from '../../src/auth/hmac-jws.ts';
import { compare, print } from './measure.ts';

const secret = randomBytes(32);
const hmac = new HmacJws('HS256', secret);
const claims = () => {
  const iat = Math.floor(Date.now() / 1000);
  return { sid: randomUUID(), sub: randomUUID(), aud: 'gatehouse:access', iss: 'http://127.0.0.1:8000', iat, exp: iat + 900, jti: randomUUID() };
};
const token = hmac.sign(claims());
const verifyOptions = { algorithms: ['HS256'], audience: 'gatehouse:access', issuer: 'http://127.0.0.1:8000' };

print('sign an access token, HS256', await compare([
  { name: 'HmacJws.sign (node:crypto)', run: (n) => { for (let i = 0; i < n; i++) hmac.sign(claims()); } },
  { name: 'jose SignJWT.sign (WebCrypto)', run: async (n) => { for (let i = 0; i < n; i++) await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(secret); } },
], { batch: 2000 }));

print('for scale: verify it once, jose jwtVerify', await compare([
  { name: 'jose jwtVerify', run: async (n) => { for (let i = 0; i < n; i++) await jwtVerify(token, secret, verifyOptions); } },
], { batch: 2000 }));

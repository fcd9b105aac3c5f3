// An independent verifier, run as its own process: fetches the JWKS over HTTP like any backend would
// (jose's createRemoteJWKSet) and verifies a Gatehouse access token. Prints the claims as JSON, or exits 1.
import { createRemoteJWKSet, jwtVerify } from 'jose';

const [jwksUrl, token, issuer, audience] = process.argv.slice(2);
try {
  const { payload, protectedHeader } = await jwtVerify(token!, createRemoteJWKSet(new URL(jwksUrl!)), { issuer, audience });
  console.log(JSON.stringify({ alg: protectedHeader.alg, sub: payload.sub }));
} catch (err) {
  console.error(`rejected: ${(err as Error).message}`);
  process.exit(1);
}

# An independent verifier in another language: PyJWT (Debian's python3-jwt) fetches the JWKS and verifies the token.
import json, sys
import jwt

jwks_url, token, issuer, audience = sys.argv[1:5]
key = jwt.PyJWKClient(jwks_url).get_signing_key_from_jwt(token)
claims = jwt.decode(token, key.key, algorithms=["EdDSA", "ES256", "RS256"], audience=audience, issuer=issuer)
print(json.dumps({"sub": claims["sub"]}))

"""Mints access tokens exactly as fastapi-users' JWTStrategy.write_token does (fastapi_users/jwt.py generate_jwt):
{"sub": str(user.id), "aud": token_audience, "exp": now + lifetime_seconds}, jwt.encode with PyJWT (Debian's
python3-jwt). Reads a JSON list of specs on stdin, prints a JSON list of tokens. A spec may change what the tests
need to break: the secret, the audience, the algorithm (HS512, RS256 with a fresh key, none), the lifetime (negative:
already expired; null: no exp, as fastapi-users writes with lifetime_seconds=None), extra claims."""
import json
import sys
from datetime import datetime, timedelta, timezone

import jwt

AUDIENCE = ["fastapi-users:auth"]  # JWTStrategy's default token_audience


def mint(spec):
    payload = {"sub": spec["sub"], "aud": spec.get("aud", AUDIENCE), **spec.get("extra", {})}
    lifetime = spec.get("lifetime", 3600)
    if lifetime is not None:
        payload["exp"] = datetime.now(timezone.utc) + timedelta(seconds=lifetime)
    alg = spec.get("alg", "HS256")
    if alg == "none":
        return jwt.encode(payload, None, algorithm="none")
    if alg == "RS256":
        from cryptography.hazmat.primitives.asymmetric import rsa
        return jwt.encode(payload, rsa.generate_private_key(public_exponent=65537, key_size=2048), algorithm="RS256")
    return jwt.encode(payload, spec["secret"], algorithm=alg)


print(json.dumps([mint(s) for s in json.load(sys.stdin)]))

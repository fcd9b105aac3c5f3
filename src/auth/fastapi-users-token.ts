import { jwtVerify, errors } from 'jose';
import { isUuid } from '../model/ids.ts';
import type { FastapiUsersTokenWindow } from '../config/config.ts';
import { TokenRejected, isCanonicalCompactJws } from './access-token.ts';

/** What a fastapi-users token says: whose it is, and until when. */
export interface FastapiUsersClaims { sub: string; exp: number }

/**
 * Not a fastapi-users token at all (not signed with its secret, another algorithm, malformed): the caller answers
 * with its own reason for refusing the token, not this one.
 */
export class NotFastapiUsersToken extends TokenRejected {
  constructor(why: string) {
    super(false, why);
    this.name = 'NotFastapiUsersToken';
  }
}

/** Longer than any token fastapi-users' JWTStrategy writes ({"sub", "aud", "exp"}, ~200 bytes). */
const MAX_TOKEN_LENGTH = 2048;

/**
 * The token window of a move from fastapi-users (FASTAPI_USERS_SECRET, FASTAPI_USERS_TOKENS_UNTIL): access tokens
 * its JWTStrategy wrote — `{"sub": user id, "aud": ["fastapi-users:auth"], "exp"}`, HS256 with its secret, no `iat`,
 * no `jti`, no session — verified the way it read them, until the deadline.
 * - The algorithm is HS256, fixed here, never read from the token (RFC 8725 §2.1, §3.1): `none`, HS512, RS256 and
 *   every other `alg` are refused by jose before any key is used.
 * - `exp` is required: fastapi-users wrote tokens without one when lifetime_seconds was None, valid forever.
 * - From `until` on, every such token is refused, whatever its `exp`: checked first, on every use.
 * - A token with `sid` is Gatehouse's own (possible when APP_SECRET is the old secret and JWT_AUDIENCE is
 *   fastapi-users:auth): it is refused here, so a token of an ended session never passes as a stateless one.
 */
export class FastapiUsersTokens {
  private readonly key: Uint8Array;
  private readonly audience: string;
  readonly until: number;
  private readonly now: () => number;

  constructor(window: FastapiUsersTokenWindow, now: () => number = Date.now) {
    this.key = new TextEncoder().encode(window.secret); // PyJWT signs with the secret's UTF-8 bytes
    this.audience = window.audience;
    this.until = window.until;
    this.now = now;
  }

  /** True while the window is open. */
  open(): boolean {
    return this.now() < this.until;
  }

  async verify(token: string): Promise<FastapiUsersClaims> {
    if (!this.open()) throw new NotFastapiUsersToken('the fastapi-users token window has closed (FASTAPI_USERS_TOKENS_UNTIL)');
    if (token.length > MAX_TOKEN_LENGTH || !isCanonicalCompactJws(token)) throw new NotFastapiUsersToken('malformed token');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        audience: this.audience,
        requiredClaims: ['exp', 'sub'],
        currentDate: new Date(this.now()),
        // PyJWT's leeway in fastapi-users: none.
        clockTolerance: 0,
      }));
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw new TokenRejected(true, 'expired fastapi-users token');
      // Signed with the old secret, but a claim is wrong: a fastapi-users token, refused for that reason.
      if (err instanceof errors.JWTClaimValidationFailed) throw new TokenRejected(false, `fastapi-users token: ${err.message}`);
      throw new NotFastapiUsersToken((err as Error).message);
    }
    if (payload.sid !== undefined) throw new NotFastapiUsersToken('a Gatehouse token (it names a session)');
    if (!isUuid(payload.sub) || payload.sub !== payload.sub.toLowerCase()) throw new TokenRejected(false, 'fastapi-users token: sub is not a user id');
    return { sub: payload.sub, exp: payload.exp as number };
  }
}

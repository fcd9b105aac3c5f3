import { SignJWT, jwtVerify, errors, type JWTHeaderParameters } from 'jose';
import { LRUCache } from 'lru-cache';
import { randomUUID } from 'node:crypto';
import { isUuid } from '../model/ids.ts';
import { AUTH_METHODS, type AuthMethod, type Authentication } from '../model/authentication.ts';
import { isCanonicalBase64url } from './base64url.ts';
import { ASYMMETRIC, isAsymmetric, type KeyRing } from './keys/key-ring.ts';

export interface AccessTokenOptions {
  keys: KeyRing;
  audience: string;
  issuer: string;
  ttlSeconds: number;
}

/** `amr` (RFC 8176) and `auth_time` (OpenID Connect Core §2) say how and when the user proved themselves. */
export interface AccessClaims { sub: string; sid: string; jti: string; exp: number; iat: number; amr: AuthMethod[]; auth_time: number }

/** Why a token was refused; RFC 6750 §3.1 lets the 401 say "expired" apart from "invalid". */
export class TokenRejected extends Error {
  readonly expired: boolean;
  /**
   * Set when the refusal is one an operator can fix (another instance's issuer or audience, a key this instance
   * does not know): worth a log line. Never holds the token.
   */
  readonly operatorHint: string | undefined;

  constructor(expired: boolean, why: string, operatorHint?: string) {
    super(why);
    this.expired = expired;
    this.operatorHint = operatorHint;
    this.name = 'TokenRejected';
  }
}

/** A claim value from a refused token, for a log line: short, and only if it is a string. */
const shown = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v.slice(0, 200)) : 'none');

/** The JWS compact form; anything else is refused before any crypto runs. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * The compact form with every segment (header, payload, signature) in canonical base64url (RFC 7515 §2,
 * RFC 4648 §3.5): one token, one spelling, whatever the algorithm. jose decodes with atob, which ignores the
 * unused bits of the last character, so it would accept `…Kogx` for `…Kogw`; this runs before it.
 */
export function isCanonicalCompactJws(token: string): boolean {
  return COMPACT_JWS.test(token) && token.split('.').every(isCanonicalBase64url);
}
const CLOCK_TOLERANCE_S = 5;
const KNOWN_AMR = new Set<string>(AUTH_METHODS);
/** An `amr` this server writes: an array of known values (RFC 8176 §2 makes it an array of strings). */
const isAmr = (v: unknown): v is AuthMethod[] => Array.isArray(v) && v.every((x) => typeof x === 'string' && KNOWN_AMR.has(x));
/** ~0.9 KiB each (a token and its claims, measured 2026-12-07): ~9 MiB when full. The least recently used first out. */
const VERIFIED_CACHE_SIZE = 10_000;
/**
 * A remembered token not used for this long is forgotten; the next use verifies it again (~60 µs of CPU with jose,
 * `node bench/micro/jws.ts`). A client sends its token in bursts and then replaces it (refresh, logout): keeping
 * each one its whole lifetime (15 minutes by default) held every token issued in that time, up to the cap, most of
 * them never sent again.
 */
const VERIFIED_IDLE_MS = 60_000;
/** How often, at most, expired and idle tokens are dropped from the memo (a pass over it). */
const PURGE_EVERY_MS = 60_000;

/** A Gatehouse access token is ~300 bytes; a header of 8 KiB is an attack, not a token. */
const MAX_TOKEN_LENGTH = 8192;

/**
 * Access tokens: short-lived JWTs (RFC 7519) whose only purpose is "access", told apart by `aud`.
 * The algorithm comes from configuration and never from the token (RFC 8725 §3.1): jose refuses any other
 * `alg`, including "none". `exp` is required; `nbf` in the future is refused.
 */
export class AccessTokens {
  private readonly o: AccessTokenOptions;
  /**
   * Tokens already verified, with their claims: a client sends the same access token for its whole lifetime, and
   * WebCrypto's signature check is the dearest part of a request. Only tokens that passed every check enter; the
   * session is still checked in the database on every request, and expiry on every use. An lru-cache (measured
   * against the hand-written Map it replaced: bench/micro/caches.ts): the least recently used token leaves when the
   * cap needs room, and one unused for VERIFIED_IDLE_MS (or expired) at most a minute after that (purgeStale when a
   * new token comes), so that they do not stay until the cap.
   */
  private readonly verified: LRUCache<string, AccessClaims>;
  private readonly idleMs: number;
  private purgedAt = 0;
  private readonly algorithms: string[];

  /**
   * `memo` is for tests: a shorter idle time, and a clock for lru-cache to read instead of performance.now (read on
   * every call then, not once per millisecond: a test moves it between calls).
   */
  constructor(o: AccessTokenOptions, memo: { idleMs?: number; perf?: { now(): number } } = {}) {
    this.o = o;
    this.idleMs = memo.idleMs ?? VERIFIED_IDLE_MS;
    // updateAgeOnGet: each use starts the entry's idle time again (its ttl, below).
    this.verified = new LRUCache<string, AccessClaims>({ max: VERIFIED_CACHE_SIZE, updateAgeOnGet: true, ...(memo.perf ? { perf: memo.perf, ttlResolution: 0 } : {}) });
    // HMAC: exactly the configured algorithm. Asymmetric: the algorithm of the stored key the kid names
    // (checked in resolveKey), so a rotation from one asymmetric algorithm to another keeps old tokens valid.
    this.algorithms = isAsymmetric(o.keys.algorithm) ? [...ASYMMETRIC] : [o.keys.algorithm];
  }

  /** Tokens the memo holds, expired or idle ones not yet dropped included. */
  get remembered(): number {
    return this.verified.size;
  }

  get ttlSeconds(): number {
    return this.o.ttlSeconds;
  }

  async issue(userId: string, sessionId: string, auth: Authentication, now = Date.now()): Promise<string> {
    const iat = Math.floor(now / 1000);
    const { alg, kid, key, hmac } = await this.o.keys.signing();
    const claims = {
      sid: sessionId, sub: userId, aud: this.o.audience, iss: this.o.issuer, iat, exp: iat + this.o.ttlSeconds, jti: randomUUID(),
      amr: auth.amr, auth_time: auth.authTime,
    };
    if (hmac) return hmac.sign(claims);
    return new SignJWT(claims).setProtectedHeader(kid ? { alg, typ: 'JWT', kid } : { alg, typ: 'JWT' }).sign(key);
  }

  async verify(token: string): Promise<AccessClaims> {
    // Every access token (bearer header and access cookie alike) comes through here.
    if (token.length > MAX_TOKEN_LENGTH) throw new TokenRejected(false, 'malformed token');
    const known = this.verified.get(token);
    if (known) {
      // A token whose signature and claims were checked before: only time can have made it invalid since.
      if (known.exp * 1000 <= Date.now() - CLOCK_TOLERANCE_S * 1000) {
        this.verified.delete(token);
        throw new TokenRejected(true, 'expired');
      }
      return known;
    }
    // Before any crypto, for a token not seen yet. (The memo holds only tokens that passed this check, and an alias
    // is another string, so a known token need not be checked again on each request.)
    if (!isCanonicalCompactJws(token)) throw new TokenRejected(false, 'malformed token');
    const claims = await this.verifyFully(token);
    const now = Date.now();
    if (now - this.purgedAt >= PURGE_EVERY_MS) {
      this.verified.purgeStale();
      this.purgedAt = now;
    }
    // Forgotten once idle, and by its end of life at the latest (expiry is checked on every use all the same).
    this.verified.set(token, claims, { ttl: Math.max(1, Math.min(this.idleMs, claims.exp * 1000 + CLOCK_TOLERANCE_S * 1000 - now)) });
    return claims;
  }

  private async verifyFully(token: string): Promise<AccessClaims> {
    try {
      const { payload } = await jwtVerify(token, (header: JWTHeaderParameters) => this.resolveKey(header), {
        algorithms: this.algorithms,
        audience: this.o.audience,
        issuer: this.o.issuer,
        requiredClaims: ['exp', 'iat', 'sub', 'jti', 'sid', 'amr', 'auth_time'],
        clockTolerance: CLOCK_TOLERANCE_S,
      });
      // jose has checked that they are present, and exp and iat numbers; their types here are checked again so that
      // the claims are built, not asserted. Only these are kept (the memo holds them for the token's life).
      const { sub, sid, jti, exp, iat, amr, auth_time } = payload;
      if (!isUuid(sub) || !isUuid(sid) || typeof jti !== 'string' || typeof exp !== 'number' || typeof iat !== 'number'
        || !isAmr(amr) || typeof auth_time !== 'number' || !Number.isSafeInteger(auth_time)) {
        throw new TokenRejected(false, 'claims of the wrong type');
      }
      return { sub, sid, jti, exp, iat, amr, auth_time };
    } catch (err) {
      if (err instanceof TokenRejected) throw err;
      if (err instanceof errors.JWTExpired) throw new TokenRejected(true, 'expired');
      if (err instanceof errors.JWTClaimValidationFailed && (err.claim === 'iss' || err.claim === 'aud')) {
        const [name, expected] = err.claim === 'iss' ? ['JWT_ISSUER', this.o.issuer] : ['JWT_AUDIENCE', this.o.audience];
        throw new TokenRejected(false, err.message, `its ${err.claim} ${shown(err.payload[err.claim])} is not this instance's ${name} ${JSON.stringify(expected)}: `
          + 'instances that share users must share PUBLIC_URL (or JWT_ISSUER) and JWT_AUDIENCE');
      }
      throw new TokenRejected(false, (err as Error).message);
    }
  }

  private async resolveKey(header: JWTHeaderParameters) {
    const found = await this.o.keys.verifying(header.kid);
    if (!found) {
      throw new TokenRejected(false, 'unknown key', typeof header.kid !== 'string' ? undefined
        : `it is signed with a key this instance does not know (kid ${shown(header.kid)}): instances that share users must share DATABASE_URL and APP_SECRET`);
    }
    if (found.alg !== header.alg) throw new TokenRejected(false, 'unknown key or algorithm');
    return found.key;
  }
}

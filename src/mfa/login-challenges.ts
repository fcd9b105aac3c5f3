import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors.ts';
import type { AuthMethod } from '../model/authentication.ts';
import type { ChallengeTransport, MfaChallengeStore, StoredChallenge } from '../store/mfa-challenge-store.ts';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const WELL_FORMED = /^[A-Za-z0-9_-]{43}$/;

/**
 * The half-signed-in state between a login's first factor and its second: a random `mfa_token` (256 bits) whose
 * SHA-256 is the row's key (a copy of the table holds no usable token). It is no session: no route but the second
 * step takes it. Short-lived (MFA_CHALLENGE_TTL), single-use (an atomic claim), bound to the transport it was issued
 * for (bearer or cookie) and, for cookie flows, to the browser that started the login (the SHA-256 of its
 * `gatehouse_mfa` cookie).
 */
export class LoginChallenges {
  private readonly store: MfaChallengeStore;
  private readonly ttlSeconds: number;

  constructor(store: MfaChallengeStore, ttlSeconds: number) {
    this.store = store;
    this.ttlSeconds = ttlSeconds;
  }

  get ttl(): number {
    return this.ttlSeconds;
  }

  async begin(userId: string, amr: AuthMethod[], transport: ChallengeTransport, browserSecret: string | null, now = Date.now()): Promise<{ token: string; expiresIn: number }> {
    if (transport === 'cookie' && !browserSecret) throw new Error('a cookie challenge needs the browser binding');
    const token = randomBytes(32).toString('base64url');
    await this.store.insert({
      idHash: sha256(token), userId, amr, transport, browserHash: browserSecret ? sha256(browserSecret) : null,
      createdAt: iso(now), expiresAt: iso(now + this.ttlSeconds * 1000),
    });
    return { token, expiresIn: this.ttlSeconds };
  }

  /**
   * The live challenge `token` names, if it was issued for `transport` ('either': whichever, for reading only) and
   * (cookie) to this browser; else MFA_CHALLENGE_INVALID, the same answer whatever the reason.
   */
  async open(token: string, transport: ChallengeTransport | 'either', browserSecret: string | undefined, now = Date.now()): Promise<StoredChallenge> {
    const invalid = () => new AppError('MFA_CHALLENGE_INVALID');
    if (!WELL_FORMED.test(token)) throw invalid();
    const c = await this.store.get(sha256(token));
    if (!c || c.usedAt !== null || Date.parse(c.expiresAt) <= now || (transport !== 'either' && c.transport !== transport)) throw invalid();
    if (c.browserHash !== null) {
      if (!browserSecret || !timingSafeEqual(Buffer.from(sha256(browserSecret)), Buffer.from(c.browserHash))) throw invalid();
    }
    return c;
  }

  /** Uses the challenge up; false when another request did first (or it expired meanwhile). */
  claim(c: StoredChallenge, now = Date.now()): Promise<boolean> {
    return this.store.claim(c.idHash, iso(now));
  }

  /** Deletes challenges that expired more than a day ago. */
  purge(now = Date.now()): Promise<number> {
    return this.store.purge(iso(now - 86_400_000));
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

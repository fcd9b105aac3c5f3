import { createHash, randomBytes } from 'node:crypto';
import type { PasskeyChallenge, PasskeyPurpose } from '../model/passkey.ts';
import type { PasskeyChallengeStore } from '../store/passkey-challenge-store.ts';

/**
 * How long a WebAuthn ceremony may take from options to answer: WebAuthn Level 3 §15.1 recommends 300 s to 600 s
 * when user verification is asked for. The options' `timeout` says the same to the browser.
 */
export const CEREMONY_TTL_SECONDS = 300;

const sha256 = (s: string): string => createHash('sha256').update(s).digest('base64url');

/** A fresh opaque attempt id for a passwordless sign-in: 256 random bits, base64url. */
export const newAttempt = (): string => randomBytes(32).toString('base64url');

/** What the database keeps of a browser binding secret. */
export const bindingHash = (secret: string): string => sha256(`passkey-binding\0${secret}`);

/**
 * Server-side WebAuthn challenges (WebAuthn §13.4.3: random, kept by the relying party, used once): stored under a
 * hash of their purpose and attempt (the database never holds an attempt id anyone could present), taken atomically,
 * and refused once expired.
 */
export class PasskeyChallenges {
  private readonly store: PasskeyChallengeStore;

  constructor(store: PasskeyChallengeStore) {
    this.store = store;
  }

  async put(purpose: PasskeyPurpose, attempt: string, c: { userId: string | null; challenge: string; bindingHash?: string }, now = Date.now()): Promise<void> {
    await this.store.put(keyOf(purpose, attempt), {
      purpose, userId: c.userId, challenge: c.challenge, bindingHash: c.bindingHash ?? null,
      expiresAt: new Date(now + CEREMONY_TTL_SECONDS * 1000).toISOString(),
    }, new Date(now).toISOString());
  }

  /**
   * The challenge of this attempt, used up by this call; undefined when unknown, already used, expired, issued for
   * another user, or (with `binding`) started in another browser.
   */
  async take(purpose: PasskeyPurpose, attempt: string, opts: { userId?: string; binding?: string } = {}, now = Date.now()): Promise<PasskeyChallenge | undefined> {
    const c = await this.store.take(keyOf(purpose, attempt), purpose, {
      userId: opts.userId, bindingHash: opts.binding === undefined ? undefined : bindingHash(opts.binding),
    });
    return c && Date.parse(c.expiresAt) > now ? c : undefined;
  }

  purge(now = Date.now()): Promise<number> {
    return this.store.purgeExpired(new Date(now).toISOString());
  }
}

const keyOf = (purpose: PasskeyPurpose, attempt: string): string => sha256(`${purpose}\0${attempt}`);

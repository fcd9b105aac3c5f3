import { AppError } from '../errors.ts';
import { HashQueueBusy, type Argon2Params, type HashJob, type HashPool } from './hash-pool.ts';
import { isDerivedKeyHash } from './legacy-hashes.ts';

export interface VerifyResult { ok: boolean; needsRehash: boolean }

const BCRYPT = /^\$2[aby]\$\d\d\$/;
const ARGON2 = /^\$argon2(id|i|d)\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$/;

/**
 * argon2id for new hashes; verifies legacy bcrypt ($2a$/$2b$/$2y$, e.g. from fastapi-users/passlib), argon2
 * hashes made with other parameters, and the scrypt and PBKDF2 forms an import keeps (crypto/legacy-hashes.ts:
 * Better Auth's scrypt, PHC strings), and says when the stored hash should be replaced with a current one.
 * Every verification runs in the hash threads, never on the event loop.
 */
export class PasswordHasher {
  private dummy: Promise<string> | undefined;

  private readonly pool: HashPool;
  readonly params: Argon2Params;

  constructor(pool: HashPool, params: Argon2Params) {
    this.pool = pool;
    this.params = params;
  }

  hash(password: string): Promise<string> {
    return this.run({ op: 'argon2-hash', password, params: this.params });
  }

  async verify(stored: string, password: string): Promise<VerifyResult> {
    if (BCRYPT.test(stored)) {
      const ok = await this.run({ op: 'bcrypt-verify', hash: stored, password });
      return { ok, needsRehash: ok };
    }
    const m = ARGON2.exec(stored);
    if (!m && isDerivedKeyHash(stored)) {
      const ok = await this.run({ op: 'derived-key-verify', hash: stored, password });
      return { ok, needsRehash: ok };
    }
    if (!m) {
      await this.burn(password); // an unusable hash costs the same time as a wrong password
      return { ok: false, needsRehash: false };
    }
    const ok = await this.run({ op: 'argon2-verify', hash: stored, password });
    const current = m[1] === 'id' && m[2] === '19' && Number(m[3]) === this.params.memoryCost
      && Number(m[4]) === this.params.timeCost && Number(m[5]) === this.params.parallelism;
    return { ok, needsRehash: ok && !current };
  }

  /** Spends one verification's worth of work, so that an unknown user answers in the same time as a known one. */
  async burn(password: string): Promise<void> {
    // A dummy refused by a busy queue is made again next time, not remembered as a failure.
    this.dummy ??= this.hash('gatehouse-timing-equaliser').catch((err: unknown) => { this.dummy = undefined; throw err; });
    await this.run({ op: 'argon2-verify', hash: await this.dummy, password });
  }

  /** A job for the pool; a pool too far behind is a 503 with Retry-After (RFC 9110 §15.6.4, §10.2.3), never a hang. */
  private async run<J extends HashJob>(job: J): Promise<J['op'] extends 'argon2-hash' ? string : boolean> {
    try {
      return await this.pool.run(job);
    } catch (err) {
      if (!(err instanceof HashQueueBusy)) throw err;
      const retryAfter = String(Math.max(1, Math.ceil(this.pool.limits.timeoutMs / 1000)));
      throw new AppError('SERVICE_UNAVAILABLE', { reason: err.message, headers: { 'retry-after': retryAfter } });
    }
  }
}

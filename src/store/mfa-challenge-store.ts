import type { Kysely } from 'kysely';
import { toIso, type Database } from './schema.ts';
import { parseAmr, type AuthMethod } from '../model/authentication.ts';

export type ChallengeTransport = 'bearer' | 'cookie';

/** A login waiting for its second step, as stored (the token itself is never stored, only its digest). */
export interface StoredChallenge {
  idHash: string;
  userId: string;
  /** What the first factor proved (['pwd'] or ['fed']). */
  amr: AuthMethod[];
  transport: ChallengeTransport;
  browserHash: string | null;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
}

/** SQL for the second step of logins (src/mfa/login-challenges.ts). */
export class MfaChallengeStore {
  private readonly db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.db = db;
  }

  async insert(c: Omit<StoredChallenge, 'usedAt'>): Promise<void> {
    await this.db.insertInto('mfa_challenges').values({
      id_hash: c.idHash, user_id: c.userId, amr: JSON.stringify(c.amr), transport: c.transport, browser_hash: c.browserHash,
      created_at: c.createdAt, expires_at: c.expiresAt, used_at: null,
    }).execute();
  }

  async get(idHash: string): Promise<StoredChallenge | undefined> {
    const r = await this.db.selectFrom('mfa_challenges').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
    return r && {
      idHash: r.id_hash, userId: r.user_id, amr: parseAmr(JSON.parse(r.amr)), transport: r.transport === 'cookie' ? 'cookie' : 'bearer',
      browserHash: r.browser_hash, createdAt: toIso(r.created_at), expiresAt: toIso(r.expires_at), usedAt: r.used_at === null ? null : toIso(r.used_at),
    };
  }

  /** Marks the challenge used if it is unused and unexpired: one statement, so exactly one claim wins. */
  async claim(idHash: string, now: string): Promise<boolean> {
    const r = await this.db.updateTable('mfa_challenges').set({ used_at: now })
      .where('id_hash', '=', idHash).where('used_at', 'is', null).where('expires_at', '>', now).executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  /** Deletes challenges that expired before `before`. */
  async purge(before: string): Promise<number> {
    const r = await this.db.deleteFrom('mfa_challenges').where('expires_at', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

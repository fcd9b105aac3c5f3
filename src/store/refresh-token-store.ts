import type { Kysely } from 'kysely';
import { toIso, type Database } from './schema.ts';

export interface RefreshTokenRow { sessionId: string; createdAt: string; usedAt: string | null }

/** SQL for refresh tokens, addressed by the SHA-256 of the token (the token itself is never stored). */
export class RefreshTokenStore {
  private readonly db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.db = db;
  }

  async insert(tokenHash: string, sessionId: string, now: string): Promise<void> {
    await this.db.insertInto('refresh_tokens').values({ token_hash: tokenHash, session_id: sessionId, created_at: now, used_at: null }).execute();
  }

  async byHash(tokenHash: string): Promise<RefreshTokenRow | undefined> {
    const r = await this.db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    return r && { sessionId: r.session_id, createdAt: toIso(r.created_at), usedAt: r.used_at === null ? null : toIso(r.used_at) };
  }

  /**
   * Marks the token used and stores its successor, in one transaction, if nobody has used it yet: of any number
   * of concurrent callers exactly one gets true (SQLite's write lock or PostgreSQL's row lock decides), and the
   * others see the successor once they do.
   */
  async rotate(tokenHash: string, successorHash: string, sessionId: string, now: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const r = await trx.updateTable('refresh_tokens').set({ used_at: now })
        .where('token_hash', '=', tokenHash).where('used_at', 'is', null).executeTakeFirst();
      if (r.numUpdatedRows !== 1n) return false;
      await trx.insertInto('refresh_tokens').values({ token_hash: successorHash, session_id: sessionId, created_at: now, used_at: null }).execute();
      return true;
    });
  }
}

import type { Kysely } from 'kysely';
import type { OAuthPurpose, OAuthState } from '../model/oauth-account.ts';
import type { Sealer } from '../crypto/sealer.ts';
import { toIso, type Database } from './schema.ts';

/**
 * SQL for pending authorization requests, keyed by the SHA-256 of the state. `take` deletes the row as it reads it,
 * so of two requests with one state exactly one gets it (single use, RFC 6749 §10.12). The PKCE verifier is sealed.
 */
export class OAuthStateStore {
  private readonly db: Kysely<Database>;
  private readonly sealer: Sealer;

  constructor(db: Kysely<Database>, sealer: Sealer) {
    this.db = db;
    this.sealer = sealer;
  }

  async insert(stateHash: string, s: OAuthState, now = new Date().toISOString()): Promise<void> {
    await this.db.insertInto('oauth_states').values({
      state_hash: stateHash, provider: s.provider, purpose: s.purpose, user_id: s.userId, redirect_uri: s.redirectUri,
      code_verifier: this.sealer.seal(s.codeVerifier, stateHash), nonce: s.nonce, binding_hash: s.bindingHash,
      created_at: now, expires_at: s.expiresAt,
    }).execute();
  }

  /** Removes and returns the state (even an expired one: the caller decides); undefined when unknown or used. */
  async take(stateHash: string): Promise<OAuthState | undefined> {
    const r = await this.db.deleteFrom('oauth_states').where('state_hash', '=', stateHash).returningAll().executeTakeFirst();
    if (!r) return undefined;
    return {
      provider: r.provider, purpose: r.purpose as OAuthPurpose, userId: r.user_id, redirectUri: r.redirect_uri,
      codeVerifier: this.sealer.open(r.code_verifier, stateHash), nonce: r.nonce, bindingHash: r.binding_hash, expiresAt: toIso(r.expires_at),
    };
  }

  async purgeExpired(now = new Date().toISOString()): Promise<number> {
    const r = await this.db.deleteFrom('oauth_states').where('expires_at', '<=', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

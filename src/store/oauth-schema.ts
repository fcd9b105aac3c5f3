import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date | string, string, string>;
type NullableTimestamp = ColumnType<Date | string | null, string | null, string | null>;

/** A provider account linked to a user; the tokens are sealed (AES-256-GCM, see crypto/sealer.ts). */
export interface OAuthAccountsTable {
  id: string;
  user_id: string;
  provider: string;
  account_id: string;
  account_email: string | null;
  access_token: string | null;
  refresh_token: string | null;
  expires_at: NullableTimestamp;
  scope: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** A pending authorization request; the row is deleted when it is used (single-use state). */
export interface OAuthStatesTable {
  /** SHA-256 of the state: the database never holds a usable state. */
  state_hash: string;
  provider: string;
  purpose: string;
  user_id: string | null;
  redirect_uri: string;
  /** Sealed PKCE verifier. */
  code_verifier: string;
  nonce: string | null;
  binding_hash: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}

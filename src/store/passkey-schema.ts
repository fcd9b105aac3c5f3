import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date | string, string, string>;
type NullableTimestamp = ColumnType<Date | string | null, string | null, string | null>;
type Bool = ColumnType<boolean | number, number, number>;

/** 0010: a user's WebAuthn credential (public values only). */
export interface PasskeysTable {
  id: string;
  user_id: string;
  credential_id: string;
  public_key: string;
  /** bigint: PostgreSQL answers it as a string. */
  counter: ColumnType<number | string, number, number>;
  /** JSON array of transport hints. */
  transports: string;
  device_type: string;
  backed_up: Bool;
  aaguid: string;
  name: string;
  created_at: Timestamp;
  last_used_at: NullableTimestamp;
}

/** 0010: a pending WebAuthn ceremony; the row is deleted when it is used. */
export interface PasskeyChallengesTable {
  /** SHA-256 of the purpose and the attempt: the database never holds a usable attempt id. */
  key_hash: string;
  purpose: string;
  user_id: string | null;
  challenge: string;
  binding_hash: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
}

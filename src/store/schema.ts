import type { ColumnType, Generated } from 'kysely';
import type { OAuthAccountsTable, OAuthStatesTable } from './oauth-schema.ts';
import type { PasskeyChallengesTable, PasskeysTable } from './passkey-schema.ts';

/** SQLite stores booleans as 0/1 and timestamps as ISO-8601 text; PostgreSQL as boolean and timestamptz. */
type Bool = ColumnType<boolean | number, number, number>;
type Timestamp = ColumnType<Date | string, string, string>;
type NullableTimestamp = ColumnType<Date | string | null, string | null, string | null>;

export interface UsersTable {
  id: string;
  email: string;
  /** lookupKey(email): the database's unique index makes emails unique without regard to case. */
  email_key: string;
  username: string | null;
  username_key: string | null;
  full_name: string | null;
  hashed_password: string | null;
  is_active: Bool;
  is_verified: Bool;
  role: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** 0009: a confirmed TOTP or a passkey (kept by src/mfa/). */
  mfa_enabled: ColumnType<boolean | number, number | undefined, number>;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  created_at: Timestamp;
  last_used_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
  user_agent: string | null;
  ip: string | null;
  /** 0008: a JSON array of RFC 8176 values; NULL for sessions opened before it (method unknown). */
  amr: ColumnType<string | null, string | null | undefined, string | null>;
  /** 0008: when the user last proved themselves; NULL = created_at. */
  auth_time: ColumnType<Date | string | null, string | null | undefined, string | null>;
}

export interface RefreshTokensTable {
  token_hash: string;
  session_id: string;
  created_at: Timestamp;
  used_at: NullableTimestamp;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  public_jwk: string;
  private_jwk_encrypted: string;
  created_at: Timestamp;
  retired_at: NullableTimestamp;
}

export interface AccountTokensTable {
  token_hash: string;
  purpose: string;
  user_id: string;
  email_key: string;
  password_fingerprint: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
}

export interface MailOutboxTable {
  id: Generated<number | string>;
  kind: string;
  email: string;
  status: string;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Timestamp;
  locked_until: NullableTimestamp;
  last_error: string | null;
  token_hash: string | null;
  created_at: Timestamp;
  finished_at: NullableTimestamp;
  /** Added by 0005: what a notice says besides its address (email_changed: the new address, masked). */
  detail: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface AuditEventsTable {
  id: Generated<number | string>;
  type: string;
  user_id: string | null;
  actor_id: string | null;
  ip: string | null;
  user_agent: string | null;
  detail: string | null;
  created_at: Timestamp;
}

export interface LoginFailuresTable {
  account_key: string;
  failures: number;
  /** Attempts counted before their password is verified, not yet settled (0005). */
  pending: Generated<number>;
  locked_until: NullableTimestamp;
  last_failure_at: Timestamp;
}

/** 0009: one authenticator app per user (src/mfa/totp.ts). */
export interface MfaTotpTable {
  user_id: string;
  secret_sealed: string;
  created_at: Timestamp;
  confirmed_at: NullableTimestamp;
  /** The last RFC 6238 time step accepted: a code of this step or an earlier one is refused. */
  last_step: ColumnType<number | string | null, number | null | undefined, number | null>;
}

export interface MfaRecoveryCodesTable {
  user_id: string;
  code_hash: string;
  created_at: Timestamp;
  used_at: NullableTimestamp;
}

export interface MfaChallengesTable {
  id_hash: string;
  user_id: string;
  amr: string;
  transport: string;
  browser_hash: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  signing_keys: SigningKeysTable;
  oauth_accounts: OAuthAccountsTable;
  oauth_states: OAuthStatesTable;
  account_tokens: AccountTokensTable;
  mail_outbox: MailOutboxTable;
  audit_events: AuditEventsTable;
  login_failures: LoginFailuresTable;
  mfa_totp: MfaTotpTable;
  mfa_recovery_codes: MfaRecoveryCodesTable;
  mfa_challenges: MfaChallengesTable;
  passkeys: PasskeysTable;
  passkey_challenges: PasskeyChallengesTable;
}

export const toBool = (v: boolean | number): boolean => v === true || v === 1;
export const toIso = (v: Date | string): string => (typeof v === 'string' ? v : v.toISOString());
export const bit = (b: boolean): number => (b ? 1 : 0);

import { createHash } from 'node:crypto';
import { isUuid } from '../model/ids.ts';
import type { Role } from '../model/roles.ts';

/** A provider account of an imported user (GitHub, Google…), with the tokens the old system kept, if any. */
export interface SourceAccount {
  provider: string;
  accountId: string;
  accountEmail: string | null;
  accessToken: string | null;
  refreshToken: string | null;
  /** ISO-8601. */
  expiresAt: string | null;
  scope: string | null;
}

/** One user as a source reads it, before the email rule or any check. */
export interface SourceUser {
  /** The source's own id (any text); the Gatehouse id is gatehouseId() of it. */
  sourceId: string;
  email: string | null;
  /** The stored password hash as the source keeps it; null for a user without a password (social login only). */
  hash: string | null;
  isActive: boolean;
  isVerified: boolean;
  /** The role the source gives (fastapi-users' is_superuser → super_admin); undefined: an ordinary user. */
  role: Role | undefined;
  username: string | null;
  fullName: string | null;
  /** ISO-8601, when the source keeps it. */
  createdAt: string | null;
  accounts: SourceAccount[];
  /** Set when the row itself could not be read (a JSON line that does not parse, a wrong type): a conflict. */
  problem?: string;
}

/** A system to import from: its users in a stable order, a batch at a time. */
export interface ImportSource {
  /** The source's name (`fastapi-users`, `better-auth`, `supabase`, `jsonl`): recorded with each imported user. */
  readonly name: string;
  /** True when the source's ids are unique by construction (a primary key): no duplicate-id check needed. */
  readonly uniqueIds: boolean;
  /** What is read, for the report: e.g. `users from "user", OAuth accounts from "oauth_account"`. */
  readonly describe: string;
  /** The number of users it will yield (for the progress bar). */
  count(): Promise<number>;
  /** Every user, `size` at a time, in the same order each time; `accounts: false` skips reading provider accounts. */
  batches(size: number, opts?: { accounts?: boolean }): AsyncIterable<SourceUser[]>;
  close(): Promise<void>;
}

/** Names every Gatehouse id made from a foreign one (an RFC 9562 §5.5 name-based UUID's namespace). */
const NAMESPACE = Buffer.from('4f0c2b3e9a1d4c7e8b5f6a2d1e3c9b70', 'hex');

/**
 * The Gatehouse id of a source user: its own id when that is a UUID (fastapi-users, Supabase: so tokens and
 * references that carry it keep naming the same user), else a UUID version 5 of the source's name and id
 * (RFC 9562 §5.5) — the same on every run, so a re-run finds the user again.
 */
export function gatehouseId(source: string, sourceId: string): string {
  if (isUuid(sourceId)) return sourceId.toLowerCase();
  const h = createHash('sha1').update(NAMESPACE).update(`${source}\u0000${sourceId}`, 'utf8').digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

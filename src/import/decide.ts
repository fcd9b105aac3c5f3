import { createHash } from 'node:crypto';
import { normalizeEmail } from '../model/email.ts';
import { lookupKey, USERNAME_PATTERN } from '../model/user.ts';
import { legacyKind } from '../crypto/legacy-hashes.ts';
import { accountKey, type ImportLookup, type ImportWants } from '../store/import-store.ts';
import { gatehouseId, type SourceUser } from './source.ts';

/** Why a user is not imported. Every one is reported; any one makes the exit code non-zero unless --skip-conflicts. */
export type ConflictKind =
  | 'invalid-row' | 'invalid-email' | 'invalid-username' | 'unknown-hash'
  | 'duplicate-email' | 'duplicate-id' | 'duplicate-username' | 'duplicate-account'
  | 'id-taken' | 'email-taken' | 'username-taken' | 'account-taken' | 'provider-taken';

export interface Conflict { kind: ConflictKind; sourceId: string; email: string | null; detail: string }

/** A source user that passed the checks that need nothing but itself. */
export interface Prepared {
  src: SourceUser;
  /** The Gatehouse id a new user gets (a user imported before keeps the one it has). */
  id: string;
  email: string;
  emailKey: string;
  usernameKey: string | null;
}

const USERNAME = new RegExp(USERNAME_PATTERN);

/** SHA-256 of a stored hash (imported_users.hash_digest), or null for none. */
export const hashDigest = (hash: string | null): string | null => (hash === null ? null : createHash('sha256').update(hash, 'utf8').digest('hex'));

/**
 * The checks of one user on its own: the row could be read, the email passes the one rule (model/email.ts, the same
 * code as registration: Unicode-aware keys computed here, never with SQL lower()), the username is one Gatehouse
 * accepts, the hash is a format Gatehouse verifies (crypto/legacy-hashes.ts), no provider twice.
 */
export function prepare(source: string, u: SourceUser): Prepared | Conflict {
  const conflict = (kind: ConflictKind, detail: string): Conflict => ({ kind, sourceId: u.sourceId, email: u.email, detail });
  if (u.problem !== undefined) return conflict('invalid-row', u.problem);
  if (u.email === null) return conflict('invalid-email', 'the user has no email address');
  const n = normalizeEmail(u.email);
  if (!n.ok) return conflict('invalid-email', n.reason);
  if (u.username !== null && !USERNAME.test(u.username)) return conflict('invalid-username', `username ${JSON.stringify(u.username)} is not 2–39 letters, digits, "_", "." or "-"`);
  if (u.hash !== null && legacyKind(u.hash) === undefined) {
    return conflict('unknown-hash', `the password hash is in no format Gatehouse verifies (it starts ${JSON.stringify(u.hash.slice(0, 12))})`);
  }
  const providers = new Set<string>();
  for (const a of u.accounts) {
    if (providers.has(a.provider)) return conflict('duplicate-account', `two ${a.provider} accounts (Gatehouse links one per provider)`);
    providers.add(a.provider);
  }
  return { src: u, id: gatehouseId(source, u.sourceId), email: n.email, emailKey: lookupKey(n.email), usernameKey: u.username === null ? null : lookupKey(u.username) };
}

/** What to look up in Gatehouse for these users. */
export function wants(source: string, batch: Prepared[]): ImportWants {
  return {
    source,
    sourceIds: batch.map((p) => p.src.sourceId),
    ids: batch.map((p) => p.id),
    emailKeys: batch.map((p) => p.emailKey),
    usernameKeys: batch.flatMap((p) => (p.usernameKey === null ? [] : [p.usernameKey])),
    accountIds: byProvider(batch),
  };
}

function byProvider(batch: Prepared[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of batch) {
    for (const a of p.src.accounts) {
      const list = out.get(a.provider) ?? [];
      list.push(a.accountId);
      out.set(a.provider, list);
    }
  }
  return out;
}

export type Decision =
  | { action: 'insert'; p: Prepared; id: string }
  | { action: 'update'; p: Prepared; id: string }
  | { action: 'conflict'; conflict: Conflict };

/**
 * Insert, update, or conflict, against what Gatehouse holds. A user a previous run of this source wrote (imported_users)
 * is updated; any other Gatehouse user holding the new user's id, email, username or provider account is a conflict.
 */
export function decide(p: Prepared, found: ImportLookup): Decision {
  const conflict = (kind: ConflictKind, detail: string): Decision => ({ action: 'conflict', conflict: { kind, sourceId: p.src.sourceId, email: p.email, detail } });
  const mark = found.marks.get(p.src.sourceId);
  const id = mark?.userId ?? p.id;
  if (!mark && found.byId.has(id)) return conflict('id-taken', `a Gatehouse user already has id ${id}`);
  const emailOwner = found.emailOwner.get(p.emailKey);
  if (emailOwner !== undefined && emailOwner !== id) return conflict('email-taken', `Gatehouse user ${emailOwner} already has the address ${p.email}`);
  if (p.usernameKey !== null) {
    const owner = found.usernameOwner.get(p.usernameKey);
    if (owner !== undefined && owner !== id) return conflict('username-taken', `Gatehouse user ${owner} already has the username ${p.src.username}`);
  }
  for (const a of p.src.accounts) {
    const held = found.accounts.get(accountKey(a.provider, a.accountId));
    if (held && held.userId !== id) return conflict('account-taken', `Gatehouse user ${held.userId} is already linked to ${a.provider} account ${a.accountId}`);
    const linked = found.providersOf.get(id)?.get(a.provider);
    if (linked !== undefined && linked !== a.accountId) return conflict('provider-taken', `the Gatehouse user is already linked to another ${a.provider} account (${linked})`);
  }
  return { action: mark ? 'update' : 'insert', p, id };
}

/** A conflict as one report line. */
export const describeConflict = (c: Conflict): string => `conflict ${c.kind}: user ${c.sourceId}${c.email === null ? '' : ` <${c.email}>`}: ${c.detail}`;

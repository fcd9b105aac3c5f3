import type { ImportStore } from '../store/import-store.ts';
import { accountKey } from '../store/import-store.ts';
import { decide, prepare, wants, type Conflict, type Prepared } from './decide.ts';
import type { ImportSource } from './source.ts';

export interface Plan {
  read: number;
  /** New users, and users a previous run wrote (updated). */
  inserts: number;
  updates: number;
  conflicts: Conflict[];
  /** Source ids of every user with a conflict: the write pass leaves them out. */
  skip: Set<string>;
}

/**
 * The first pass, which writes nothing: reads every source user once and finds every conflict — those of a user on
 * its own (decide.ts prepare), those between source users (two addresses, usernames, ids or provider accounts equal
 * after normalisation: both users are left out, neither wins), and those with Gatehouse's users. `--dry-run` reports
 * it; a real run reports it and then writes what it allows.
 */
export async function plan(source: ImportSource, store: ImportStore, batchSize: number, onBatch: (n: number) => void): Promise<Plan> {
  const out: Plan = { read: 0, inserts: 0, updates: 0, conflicts: [], skip: new Set() };
  const updated = new Set<string>();
  // The first source user seen with each key: a second one is a conflict for both.
  const seen = { email: new Map<string, string>(), id: new Map<string, string>(), username: new Map<string, string>(), account: new Map<string, string>() };
  const add = (c: Conflict) => { out.conflicts.push(c); out.skip.add(c.sourceId); };
  const twice = (kind: 'email' | 'id' | 'username' | 'account', key: string, p: Prepared, what: string): boolean => {
    const first = seen[kind].get(key);
    if (first === undefined) { seen[kind].set(key, p.src.sourceId); return false; }
    add({ kind: `duplicate-${kind}`, sourceId: p.src.sourceId, email: p.email, detail: `${what} as user ${first}` });
    out.skip.add(first);
    return true;
  };
  for await (const batch of source.batches(batchSize)) {
    out.read += batch.length;
    const ready: Prepared[] = [];
    for (const u of batch) {
      const p = prepare(source.name, u);
      if ('kind' in p) { add(p); continue; }
      let dup = twice('email', p.emailKey, p, `the same address after normalisation (${p.email})`);
      if (!source.uniqueIds) dup = twice('id', p.id, p, `the same id`) || dup;
      if (p.usernameKey !== null) dup = twice('username', p.usernameKey, p, `the same username (${p.src.username})`) || dup;
      for (const a of p.src.accounts) dup = twice('account', accountKey(a.provider, a.accountId), p, `the same ${a.provider} account (${a.accountId})`) || dup;
      if (!dup) ready.push(p);
    }
    const found = await store.lookup(wants(source.name, ready));
    for (const p of ready) {
      const d = decide(p, found);
      if (d.action === 'conflict') add(d.conflict);
      else if (d.action === 'update') updated.add(p.src.sourceId);
    }
    onBatch(batch.length);
  }
  // Counted at the end: a user that looked fine may be named later by a duplicate, which leaves it out too.
  for (const id of updated) if (!out.skip.has(id)) out.updates++;
  // A duplicate id is one more row behind an id already left out.
  const extraRows = out.conflicts.filter((c) => c.kind === 'duplicate-id').length;
  out.inserts = out.read - out.skip.size - extraRows - out.updates;
  return out;
}

import type { Db } from '../store/database.ts';
import { ImportStore } from '../store/import-store.ts';
import { AuditStore } from '../store/audit-store.ts';
import { Sealer } from '../crypto/sealer.ts';
import { PROVIDER_TOKENS_SEALER } from '../oauth/create.ts';
import { describeConflict } from './decide.ts';
import { plan } from './plan.ts';
import { formatSeconds, Progress, type ProgressOut } from './progress.ts';
import type { ImportSource } from './source.ts';
import { openSource } from './source-db.ts';
import { ImportWriter } from './writer.ts';
import { fastapiUsersSource } from './sources/fastapi-users.ts';
import { betterAuthSource } from './sources/better-auth.ts';
import { supabaseSource } from './sources/supabase.ts';
import { jsonlSource } from './sources/jsonl.ts';
import type { SourceName } from './source-names.ts';

export { SOURCES, type SourceName } from './source-names.ts';

export interface ImportOptions {
  source: SourceName;
  /** A database URL (sqlite:///…, a SQLite file's path, postgres://…), or for jsonl a file. */
  from: string;
  dryRun: boolean;
  skipConflicts: boolean;
  batchSize: number;
  usersTable?: string;
  accountsTable?: string;
  usernameColumn?: string;
  fullNameColumn?: string;
}

export interface ImportIo {
  /** The report: the plan, each conflict, the summary (standard output). */
  say(line: string): void;
  /** Where the progress bars go (standard error). */
  progress: ProgressOut;
}

export async function openImportSource(o: ImportOptions): Promise<ImportSource> {
  if (o.source === 'jsonl') return jsonlSource(o.from);
  const src = openSource(o.from);
  try {
    const tables = { usersTable: o.usersTable, accountsTable: o.accountsTable, usernameColumn: o.usernameColumn, fullNameColumn: o.fullNameColumn };
    if (o.source === 'fastapi-users') return await fastapiUsersSource(src, tables);
    if (o.source === 'better-auth') return await betterAuthSource(src, tables);
    return await supabaseSource(src, tables);
  } catch (err) {
    await src.close();
    throw err;
  }
}

/**
 * `gatehouse import`: the plan (every conflict, nothing written), then — unless a dry run, or conflicts without
 * --skip-conflicts — the write pass. The exit code: 0 when everything the source holds was imported (or, with
 * --skip-conflicts, everything without a conflict), 1 when conflicts were found and not skipped.
 */
export async function runImport(o: ImportOptions, target: { db: Db; secret: string }, io: ImportIo): Promise<number> {
  const source = await openImportSource(o);
  const started = Date.now();
  try {
    const store = new ImportStore(target.db.kysely, target.db.dialect);
    await store.forBulkWrites();
    const total = await source.count();
    io.say(`importing from ${o.source}: ${source.describe}; ${total.toLocaleString('en-US')} users, into ${target.db.describe}`);
    const checking = new Progress(io.progress, 'checking ', total);
    const p = await plan(source, store, o.batchSize, (n) => checking.add(n));
    checking.finish();
    for (const c of p.conflicts) io.say(describeConflict(c));
    const n = (x: number) => x.toLocaleString('en-US');
    io.say(`plan: ${n(p.read)} users read: ${n(p.inserts)} new, ${n(p.updates)} already imported (updated), ${n(p.skip.size)} with conflicts (${n(p.conflicts.length)} conflicts)`);
    if (o.dryRun) {
      io.say('dry run: nothing written');
      return p.conflicts.length > 0 && !o.skipConflicts ? 1 : 0;
    }
    if (p.conflicts.length > 0 && !o.skipConflicts) {
      io.say(`nothing written: ${n(p.skip.size)} users have conflicts; resolve them in the source, or run again with --skip-conflicts to import the other users`);
      return 1;
    }
    const writer = new ImportWriter(store, new Sealer(target.secret, PROVIDER_TOKENS_SEALER), source.name);
    const importing = new Progress(io.progress, 'importing', total);
    const w = await writer.run(source, o.batchSize, p.skip, (k) => importing.add(k));
    importing.finish();
    for (const c of w.conflicts) io.say(describeConflict(c));
    const seconds = (Date.now() - started) / 1000;
    const skipped = p.skip.size + w.conflicts.length;
    // One event for the run (from the command line: no user, actor or client), written once every batch is in.
    await new AuditStore(target.db.kysely).append({
      type: 'users.import', userId: null, actorId: null, ip: null, userAgent: null, createdAt: new Date().toISOString(),
      detail: { source: o.source, from: source.describe, inserted: w.inserted, updated: w.updated, oauth_accounts: w.accounts, skipped },
    });
    io.say(`done in ${formatSeconds(seconds)}: ${n(w.inserted)} users imported, ${n(w.updated)} updated, ${n(w.accounts)} OAuth accounts, `
      + `${n(skipped)} skipped for conflicts (${n(Math.round(p.read / Math.max(seconds, 0.001)))} users/s)`);
    return w.conflicts.length > 0 && !o.skipConflicts ? 1 : 0;
  } finally {
    await source.close();
  }
}

// `gatehouse import` as an operator runs it (a real process): the dry run's conflict report and exit codes, and a
// process killed (SIGKILL) in the middle of an import: no half-written user, and a re-run finishes the job.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describeOn, testDatabases } from '../support/databases.ts';
import { fastapiUsersDdl, foreignHashes, sourceDatabase, type SourceDatabase } from '../support/import-sources.ts';
import { CompiledQuery } from 'kysely';
import { openDatabase, type Db } from '../../src/store/database.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { UserStore } from '../../src/store/user-store.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'src', 'bin.ts');
const SECRET = 'import-test-secret-0123456789abcdef0123456789abcdef';

function env(databaseUrl: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? tmpdir(), NODE_ENV: 'test', APP_SECRET: SECRET,
    DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', HASH_WORKERS: '1',
  };
}

interface Finished { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Runs `gatehouse import …`; `killWhen` sees standard error as it comes and may ask for a SIGKILL. */
function gatehouse(args: string[], databaseUrl: string, killWhen?: (stderr: string) => boolean): Promise<Finished> {
  const child = spawn(process.execPath, [CLI, 'import', ...args], { cwd: ROOT, env: env(databaseUrl), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => {
    stderr += d;
    if (killWhen?.(stderr) && child.exitCode === null) child.kill('SIGKILL');
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
  return new Promise((resolve) => child.once('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); }));
}

const count = async (db: Db, table: 'users' | 'imported_users' | 'oauth_accounts') => Number((await db.kysely.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

for (const database of await testDatabases()) {
  describeOn(database, `gatehouse import (CLI) [${database.name}]`, { timeout: 600_000 }, () => {
    let target: { url: string; drop(): Promise<void> };
    let db: Db;
    let src: SourceDatabase & { drop(): Promise<void> };
    before(async () => {
      target = await database.create();
      db = openDatabase(target.url);
      await migrateToLatest(db);
      src = await sourceDatabase(database);
      await src.script(fastapiUsersDdl(src.kind));
    });
    after(async () => {
      await db?.close();
      await target?.drop();
      await src?.drop();
    });

    test('--dry-run reports every conflict and writes nothing; a run with conflicts writes nothing unless --skip-conflicts', async () => {
      const users = new UserStore(db.kysely);
      const held = await users.insert({ id: randomUUID(), email: 'Taken@example.com', username: null, fullName: null, hashedPassword: null, isActive: true, isVerified: false, role: 'user' });
      const [hash] = foreignHashes([{ scheme: 'bcrypt-2b', password: 'some-password' }]);
      const row = (email: string, id: string = randomUUID(), hashed = hash) => ({ id, email, hashed_password: hashed, is_active: true, is_superuser: false, is_verified: true });
      await src.insert('user', [
        row('Ann@Example.com'), row('ann@EXAMPLE.COM'), row('not-an-email'), row('plain@example.com', randomUUID(), 'hunter2'),
        row('other@example.com', held.id), row('taken@example.com'), row('ok@example.com'),
      ]);
      const dry = await gatehouse(['fastapi-users', '--from', src.url, '--dry-run'], target.url);
      assert.equal(dry.code, 1, dry.stdout + dry.stderr);
      for (const kind of ['duplicate-email', 'invalid-email', 'unknown-hash', 'id-taken', 'email-taken']) assert.match(dry.stdout, new RegExp(`conflict ${kind}: `), kind);
      assert.match(dry.stdout, /plan: 7 users read: 1 new, 0 already imported \(updated\), 6 with conflicts/);
      assert.match(dry.stdout, /dry run: nothing written/);
      assert.deepEqual([await count(db, 'users'), await count(db, 'imported_users')], [1, 0]);

      const refused = await gatehouse(['fastapi-users', '--from', src.url], target.url);
      assert.equal(refused.code, 1);
      assert.match(refused.stdout, /nothing written: 6 users have conflicts/);
      assert.equal(await count(db, 'users'), 1);

      assert.equal((await gatehouse(['fastapi-users', '--from', src.url, '--dry-run', '--skip-conflicts'], target.url)).code, 0);
      const skipped = await gatehouse(['fastapi-users', '--from', src.url, '--skip-conflicts'], target.url);
      assert.equal(skipped.code, 0, skipped.stdout + skipped.stderr);
      assert.match(skipped.stdout, /1 users imported, 0 updated, 0 OAuth accounts, 6 skipped for conflicts/);
      // The dry runs and the refused run wrote nothing, not even to the audit log; the import wrote one event.
      const events = await db.kysely.selectFrom('audit_events').select(['detail', 'user_id', 'actor_id']).where('type', '=', 'users.import').execute();
      assert.equal(events.length, 1);
      const detail = typeof events[0]!.detail === 'string' ? JSON.parse(events[0]!.detail) : events[0]!.detail;
      assert.deepEqual(detail, { source: 'fastapi-users', from: 'users from "user", OAuth accounts from "oauth_account"', inserted: 1, updated: 0, oauth_accounts: 0, skipped: 6 });
      assert.deepEqual([events[0]!.user_id, events[0]!.actor_id], [null, null]);
      assert.ok(await users.byEmail('ok@example.com'));
      assert.equal((await users.byEmail('taken@example.com'))!.id, held.id, 'the Gatehouse user keeps its address');
    });

    test('a batch that fails half-way is rolled back whole: no user without its OAuth account; a re-run completes', async () => {
      await src.script('delete from oauth_account; delete from "user"');
      const [hash] = foreignHashes([{ scheme: 'bcrypt-2b', password: 'batch-password' }]);
      const ids = Array.from({ length: 40 }, () => randomUUID()).sort();
      await src.insert('user', ids.map((id, i) => ({ id, email: `batch${i}@example.com`, hashed_password: hash, is_active: true, is_superuser: false, is_verified: false })));
      await src.insert('oauth_account', ids.map((id, i) => ({ id: randomUUID(), oauth_name: 'gitlab', access_token: `t${i}`, expires_at: null, refresh_token: null, account_id: `gl-${i}`, account_email: `gl${i}@example.com`, user_id: id })));
      // The database refuses the 25th user's account (the third batch of ten): its users were written just before it.
      await db.kysely.executeQuery(CompiledQuery.raw(database.name === 'sqlite'
        ? "create trigger refuse_one before insert on oauth_accounts when new.account_id = 'gl-24' begin select raise(abort, 'refused on purpose'); end"
        : "create function refuse_one() returns trigger language plpgsql as $$ begin if new.account_id = 'gl-24' then raise exception 'refused on purpose'; end if; return new; end $$"));
      if (database.name === 'postgres') await db.kysely.executeQuery(CompiledQuery.raw('create trigger refuse_one before insert on oauth_accounts for each row execute function refuse_one()'));
      const usersBefore = await count(db, 'users');
      const failed = await gatehouse(['fastapi-users', '--from', src.url, '--batch-size', '10'], target.url);
      assert.equal(failed.code, 1, failed.stdout + failed.stderr);
      assert.match(failed.stderr, /refused on purpose/);
      const batchUsers = await db.kysely.selectFrom('users').select('email').where('email', 'like', 'batch%').execute();
      assert.deepEqual(batchUsers.map((u) => u.email).sort(), Array.from({ length: 20 }, (_, i) => `batch${i}@example.com`).sort(), 'the first two batches, none of the third');
      assert.equal(await count(db, 'users'), usersBefore + 20);
      assert.equal((await db.kysely.selectFrom('oauth_accounts').select('id').where('provider', '=', 'gitlab').execute()).length, 20);
      await db.kysely.executeQuery(CompiledQuery.raw(database.name === 'sqlite' ? 'drop trigger refuse_one' : 'drop trigger refuse_one on oauth_accounts'));
      const rerun = await gatehouse(['fastapi-users', '--from', src.url, '--batch-size', '10'], target.url);
      assert.equal(rerun.code, 0, rerun.stdout + rerun.stderr);
      assert.match(rerun.stdout, /20 users imported, 20 updated, 40 OAuth accounts/);
    });

    test('a process killed mid-import leaves whole batches only; a re-run finishes without duplicates', async () => {
      await src.script('delete from oauth_account; delete from "user"');
      const [hash] = foreignHashes([{ scheme: 'bcrypt-2b', password: 'bulk-password' }]);
      const N = 20_000;
      const ids = Array.from({ length: N }, () => randomUUID());
      await src.insert('user', ids.map((id, i) => ({ id, email: `bulk${i}@example.com`, hashed_password: hash, is_active: true, is_superuser: false, is_verified: false })));
      await src.insert('oauth_account', ids.map((id, i) => ({ id: randomUUID(), oauth_name: 'github', access_token: `tok${i}`, expires_at: null, refresh_token: null, account_id: String(i), account_email: `bulk${i}@example.com`, user_id: id })));
      const before = await count(db, 'users');
      const marksBefore = await count(db, 'imported_users');
      const accountsBefore = await count(db, 'oauth_accounts');

      const killed = await gatehouse(['fastapi-users', '--from', src.url, '--batch-size', '50'], target.url, (err) => /^importing /m.test(err));
      assert.equal(killed.signal, 'SIGKILL', `the import was to be killed mid-run: ${killed.stdout}${killed.stderr}`);
      const written = (await count(db, 'users')) - before;
      assert.ok(written > 0 && written < N, `killed mid-run: ${written} of ${N} written`);
      assert.equal(written % 50, 0, 'every batch is written whole or not at all');
      assert.equal((await count(db, 'imported_users')) - marksBefore, written, 'each written user is recorded as imported');
      assert.equal((await count(db, 'oauth_accounts')) - accountsBefore, written, 'no user without its OAuth account');
      const noHash = await db.kysely.selectFrom('users').select('id').where('hashed_password', 'is', null).where('email', 'like', 'bulk%').execute();
      assert.equal(noHash.length, 0);

      const rerun = await gatehouse(['fastapi-users', '--from', src.url, '--batch-size', '500'], target.url);
      assert.equal(rerun.code, 0, rerun.stdout + rerun.stderr);
      assert.match(rerun.stdout, new RegExp(`${(N - written).toLocaleString('en-US')} users imported, ${written.toLocaleString('en-US')} updated`));
      assert.equal((await count(db, 'users')) - before, N);
      assert.equal((await count(db, 'oauth_accounts')) - accountsBefore, N);
    });
  });
}

// kill -9 of the server in the middle of a registration load: after a restart nothing acknowledged is lost and
// nothing half-written is left behind.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import BetterSqlite3 from 'better-sqlite3';
import { testDatabases, type TestDatabase, describeOn } from '../support/databases.ts';
import { PASSWORD } from '../support/harness.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { openDatabase, sqlitePath } from '../../src/store/database.ts';
import { lookupKey } from '../../src/model/user.ts';

const REGISTRATIONS = 200;
const CONCURRENCY = 20;
/** SIGKILL once this many registrations were acknowledged: the rest are in flight or not sent yet. */
const KILL_AFTER = 60;

interface Load {
  /** Emails answered 201. */
  acknowledged: Set<string>;
  /** Emails whose request was sent (answered or not). */
  attempted: Set<string>;
  /** Logins answered 200 (so a session row was committed). */
  sessions: number;
}

/** Registers up to REGISTRATIONS users, CONCURRENCY at a time, each followed by a login; SIGKILLs the server after KILL_AFTER 201s. */
async function registerUntilKilled(server: ServerProcess): Promise<Load> {
  const load: Load = { acknowledged: new Set(), attempted: new Set(), sessions: 0 };
  let next = 0;
  let killed = false;
  const worker = async () => {
    while (!killed && next < REGISTRATIONS) {
      const email = `Crash.${next++}@example.com`; // stored as typed: the domain is already lower-case
      load.attempted.add(email);
      try {
        const r = await fetch(`${server.url}/auth/register`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }), signal: AbortSignal.timeout(10_000),
        });
        await r.arrayBuffer();
        if (r.status !== 201) continue;
        load.acknowledged.add(email);
        if (load.acknowledged.size >= KILL_AFTER && !killed) {
          killed = true;
          server.child.kill('SIGKILL');
          return;
        }
        const login = await fetch(`${server.url}/auth/jwt/login`, { method: 'POST', body: new URLSearchParams({ username: email, password: PASSWORD }), signal: AbortSignal.timeout(10_000) });
        await login.arrayBuffer();
        if (login.status === 200) load.sessions++;
      } catch {
        return; // the connection died with the process
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return load;
}

const databases = await testDatabases();

for (const database of databases) {
  describeOn(database, `kill -9 during a registration load [${database.name}]`, { timeout: 300_000 }, () => {
    let db: Awaited<ReturnType<TestDatabase['create']>>;
    let first: ServerProcess | undefined;
    let second: ServerProcess | undefined;
    let load: Load;

    before(async () => {
      db = await database.create();
      first = await startServerProcess({ DATABASE_URL: db.url, HASH_WORKERS: '2' });
      load = await registerUntilKilled(first);
      await new Promise<void>((resolve) => first!.child.exitCode !== null || first!.child.signalCode !== null ? resolve() : first!.child.once('exit', () => resolve()));
      second = await startServerProcess({ DATABASE_URL: db.url });
    }, { timeout: 150_000 });

    after(async () => {
      if (first?.child.exitCode === null && first.child.signalCode === null) first.child.kill('SIGKILL');
      await second?.stop();
      await db?.drop();
    });

    test('the process died by SIGKILL mid-way, after some registrations were acknowledged and before all were sent', () => {
      assert.equal(first!.child.signalCode, 'SIGKILL');
      assert.ok(load.acknowledged.size >= KILL_AFTER, `only ${load.acknowledged.size} acknowledged`);
      assert.ok(load.attempted.size < REGISTRATIONS || load.acknowledged.size < REGISTRATIONS, 'the whole load finished before the kill');
    });

    test('after a restart on the same database: it is ready, every acknowledged user exists and can log in', { timeout: 60_000 }, async () => {
      assert.equal((await fetch(`${second!.url}/readyz`)).status, 200);
      const conn = openDatabase(db.url);
      try {
        const rows = await conn.kysely.selectFrom('users').select('email').execute();
        const stored = new Set(rows.map((r) => r.email));
        const lost = [...load.acknowledged].filter((e) => !stored.has(e));
        assert.deepEqual(lost, [], 'acknowledged (201) but missing after the crash');
        for (const r of rows) assert.ok(load.attempted.has(r.email), `${r.email} was never sent`);
      } finally {
        await conn.close();
      }
      const some = [...load.acknowledged].slice(0, 5);
      for (const email of some) {
        const r = await fetch(`${second!.url}/auth/jwt/login`, { method: 'POST', body: new URLSearchParams({ username: email, password: PASSWORD }) });
        assert.equal(r.status, 200, `${email}: ${await r.text()}`);
      }
    });

    test('no half-written user: every row has its password hash, email key and timestamps', async () => {
      const conn = openDatabase(db.url);
      try {
        const rows = await conn.kysely.selectFrom('users').selectAll().execute();
        assert.ok(rows.length >= load.acknowledged.size);
        for (const u of rows) {
          assert.match(u.hashed_password ?? '', /^\$argon2id\$/, `${u.email}: hashed_password`);
          assert.equal(u.email_key, lookupKey(u.email), `${u.email}: email_key`);
          assert.ok(u.created_at && u.updated_at, `${u.email}: timestamps`);
          assert.ok(u.id && u.role, `${u.email}: id and role`);
        }
      } finally {
        await conn.close();
      }
    });

    test('no orphan: every session belongs to a user, every refresh token to a session', async () => {
      const conn = openDatabase(db.url);
      try {
        const orphanSessions = await conn.kysely.selectFrom('sessions').leftJoin('users', 'users.id', 'sessions.user_id')
          .select('sessions.id').where('users.id', 'is', null).execute();
        assert.deepEqual(orphanSessions, []);
        const orphanTokens = await conn.kysely.selectFrom('refresh_tokens').leftJoin('sessions', 'sessions.id', 'refresh_tokens.session_id')
          .select('refresh_tokens.session_id').where('sessions.id', 'is', null).execute();
        assert.deepEqual(orphanTokens, []);
        const sessions = await conn.kysely.selectFrom('sessions').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        assert.ok(Number(sessions.n) >= load.sessions, `${load.sessions} logins answered 200 but only ${sessions.n} sessions stored`);
      } finally {
        await conn.close();
      }
    });

    if (database.name === 'sqlite') {
      test('the SQLite file passes PRAGMA integrity_check', () => {
        const file = new BetterSqlite3(sqlitePath(db.url), { readonly: true });
        try {
          assert.deepEqual(file.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
        } finally {
          file.close();
        }
      });
    }
  });
}

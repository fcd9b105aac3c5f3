// Migrations at start: a restart with nothing pending reads Kysely's table once and applies nothing; whatever else
// (a new database, a pending migration, one this version does not know) goes through the migrator as before.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase, type Db } from '../src/store/database.ts';
import { MIGRATION_LOCK, MigrationError, migrateToLatest, migrationNames, migrations, pendingMigrations } from '../src/store/migrate.ts';
import { describeOn, testDatabases } from './support/databases.ts';

const databases = await testDatabases();
const ALL = migrationNames('sqlite');

for (const database of databases) {
  describeOn(database, `migrations on ${database.name}`, { timeout: 120_000 }, () => {
    let url: string;
    let drop: () => Promise<void>;
    let db: Db;
    before(async () => {
      ({ url, drop } = await database.create());
      db = openDatabase(url);
    });
    after(async () => {
      await db?.close();
      await drop?.();
    });

    test('a new database has every migration pending, and reading that creates nothing', async () => {
      assert.deepEqual(await pendingMigrations(db), ALL);
      const { rows } = database.name === 'postgres'
        ? await sql`select table_name from information_schema.tables where table_schema = current_schema()`.execute(db.kysely)
        : await sql`select name from sqlite_master where type = 'table'`.execute(db.kysely);
      assert.deepEqual(rows, []);
    });

    test('the first start applies every migration in order; the next applies none and leaves none pending', async () => {
      assert.deepEqual((await migrateToLatest(db)).applied, ALL);
      assert.deepEqual(await pendingMigrations(db), []);
      assert.deepEqual((await migrateToLatest(db)).applied, []);
    });

    test('a migration missing from the table is pending, and the next start applies it again', async () => {
      const last = ALL.at(-1)!;
      await migrations(database.name)[last]!.down!(db.kysely); // undone by its own down(), its row left for the next line
      await db.kysely.deleteFrom('kysely_migration' as never).where('name' as never, '=', last as never).execute();
      assert.deepEqual(await pendingMigrations(db), [last]);
      assert.deepEqual((await migrateToLatest(db)).applied, [last]);
      assert.deepEqual(await pendingMigrations(db), []);
    });

    test('a database that ran a migration this version does not know is refused at start, not taken as up to date', async () => {
      const now = new Date().toISOString();
      await db.kysely.insertInto('kysely_migration' as never).values({ name: '9999_from_a_newer_version', timestamp: now } as never).execute();
      try {
        await assert.rejects(migrateToLatest(db), (err: unknown) => err instanceof MigrationError && /9999_from_a_newer_version/.test((err as Error).message));
        assert.deepEqual(await pendingMigrations(db), []);
      } finally {
        await db.kysely.deleteFrom('kysely_migration' as never).where('name' as never, '=', '9999_from_a_newer_version' as never).execute();
      }
    });

    if (database.name === 'postgres') {
      test('an up-to-date database starts without waiting for the migration lock another instance holds', async () => {
        // Another instance in the middle of migrating holds the advisory lock.
        const holder = new pg.Client({ connectionString: url });
        await holder.connect();
        try {
          await holder.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
          const started = migrateToLatest(db).then((r) => r.applied);
          const waited = new Promise<'waited'>((r) => setTimeout(r, 10_000, 'waited').unref());
          assert.deepEqual(await Promise.race([started, waited]), []);
        } finally {
          await holder.end(); // releases the lock
        }
      });

      test('a search_path that names no existing schema: every migration pending, and the start is refused by the migrator, as before', async () => {
        const nowhere = new URL(url);
        nowhere.searchParams.set('options', '-c search_path=no_such_schema');
        const lost = openDatabase(nowhere.href);
        try {
          assert.deepEqual(await pendingMigrations(lost), ALL);
          // PostgreSQL's or Kysely's reason (it depends on the other schemas), not a failure of the read before it.
          await assert.rejects(migrateToLatest(lost), MigrationError);
        } finally {
          await lost.close();
        }
      });

      test('two PostgreSQL schemas keep their own migration state: one migrated, the other still new', async () => {
        const other = await database.create();
        const fresh = openDatabase(other.url);
        try {
          assert.deepEqual(await pendingMigrations(fresh), ALL);
          assert.deepEqual(await pendingMigrations(db), []);
        } finally {
          await fresh.close();
          await other.drop();
        }
      });
    }
  });
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase } from '../src/store/database.ts';

test('a SQLite connection writes ahead, syncs at commit, enforces foreign keys and keeps a 2 MB page cache', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-sqlite-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = openDatabase(`sqlite:${join(dir, 'g.db')}`);
  t.after(() => db.close());
  const pragma = async (name: string) => Object.values((await sql.raw(`pragma ${name}`).execute(db.kysely)).rows[0] as object)[0];
  assert.equal(await pragma('journal_mode'), 'wal');
  assert.equal(await pragma('synchronous'), 1); // NORMAL: a commit survives the process being killed
  assert.equal(await pragma('foreign_keys'), 1);
  // SQLite's own default, not better-sqlite3's 16 MB: the cache fills with the database and stays (src/store/database.ts).
  assert.equal(await pragma('cache_size'), -2000);
});

// `gatehouse backup`: a copy of the SQLite database taken while a server writes to it restores into a server on
// which the users log in (README, "Backup and restore").
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';
import { PASSWORD, TEST_SECRET } from './support/harness.ts';
import { PG_URL } from './support/databases.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');

/** `gatehouse backup ARGS` on `databaseUrl`; never throws, answers the exit code and output. */
async function gatehouseBackup(databaseUrl: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, 'src', 'bin.ts'), 'backup', ...args], {
      cwd: ROOT, timeout: 60_000,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NODE_ENV: 'test', APP_SECRET: TEST_SECRET, DATABASE_URL: databaseUrl },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const post = (base: string, path: string, init: { json?: unknown; form?: Record<string, string> }) => fetch(`${base}${path}`, {
  method: 'POST', signal: AbortSignal.timeout(15_000),
  headers: { 'content-type': init.json ? 'application/json' : 'application/x-www-form-urlencoded' },
  body: init.json ? JSON.stringify(init.json) : new URLSearchParams(init.form).toString(),
});

describe('gatehouse backup (SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-backup-'));
  const live = `sqlite:///${join(dir, 'live.db')}`;
  const copy = join(dir, 'copy.db');
  let server: ServerProcess | undefined;
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a copy taken while registrations go on restores into a server where every user registered before it logs in', { timeout: 180_000 }, async () => {
    server = await startServerProcess({ DATABASE_URL: live });
    const before = Array.from({ length: 5 }, (_, i) => `before-${i}@example.com`);
    for (const email of before) assert.equal((await post(server.url, '/auth/register', { json: { email, password: PASSWORD } })).status, 201);
    // Writes keep coming while the copy is taken.
    let writing = true;
    let during = 0;
    const writer = (async () => {
      while (writing) {
        const r = await post(server!.url, '/auth/register', { json: { email: `during-${during}@example.com`, password: PASSWORD } });
        assert.equal(r.status, 201);
        during++;
      }
    })();
    const b = await gatehouseBackup(live, ['--to', copy]);
    writing = false;
    await writer;
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stdout, /^backed up .*live\.db to .*copy\.db \(\d+ pages, integrity ok\)$/m);
    assert.equal(existsSync(`${copy}.partial`), false);
    assert.ok(during > 0, 'registrations went on while the copy was taken');
    assert.equal(await server.stop(), 0);
    server = undefined;

    server = await startServerProcess({ DATABASE_URL: `sqlite:///${copy}` });
    for (const username of before) {
      const r = await post(server.url, '/auth/jwt/login', { form: { username, password: PASSWORD } });
      assert.equal(r.status, 200, `${username} logs in on the restored copy`);
    }
  });

  test('never overwrites: a FILE that exists is refused', async () => {
    const taken = join(dir, 'taken.db');
    writeFileSync(taken, 'keep me');
    const r = await gatehouseBackup(live, ['--to', taken]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /taken\.db exists; give a new file/);
  });

  test('without --to, or on PostgreSQL, says what to do instead', async () => {
    const none = await gatehouseBackup(live, []);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /--to FILE is required/);
    const pg = await gatehouseBackup(PG_URL, ['--to', join(dir, 'pg.db')]);
    assert.equal(pg.code, 2);
    assert.match(pg.stderr, /PostgreSQL: use pg_dump/);
  });
});

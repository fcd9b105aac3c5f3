// The import's progress output: one bar redrawn in place on a terminal, plain lines at each tenth elsewhere; and the
// command's usage errors (exit 2, with the reason).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Progress } from '../../src/import/progress.ts';

test('on a terminal: one line redrawn with \\r, ended by a newline; elsewhere: a line per tenth, none in between', () => {
  const tty: string[] = [];
  const bar = new Progress({ isTTY: true, write: (s) => tty.push(s) }, 'importing', 1000);
  for (let i = 0; i < 10; i++) bar.add(100);
  bar.finish();
  assert.ok(tty.length >= 2 && tty.slice(0, -1).every((s) => s.startsWith('\r') && !s.includes('\n')), JSON.stringify(tty));
  assert.match(tty.at(-1)!, /^\rimporting \[#{30}\] 100% 1,000\/1,000 .*\n$/);

  const plain: string[] = [];
  const lines = new Progress({ isTTY: false, write: (s) => plain.push(s) }, 'checking ', 1000);
  for (let i = 0; i < 100; i++) lines.add(10);
  lines.finish();
  assert.equal(plain.length, 10, plain.join(''));
  assert.ok(plain.every((s) => !s.includes('\r') && s.endsWith('\n')));
  assert.match(plain[0]!, /^checking  \[###\.{27}\]  10% 100\/1,000 /);
});

test('usage errors: exit 2 with the reason', (t) => {
  const cli = join(fileURLToPath(new URL('../..', import.meta.url)), 'src', 'bin.ts');
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-import-usage-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir(), NODE_ENV: 'test', APP_SECRET: 'usage-test-secret-0123456789abcdef0123456789', DATABASE_URL: `sqlite:///${join(dir, 'gatehouse.db')}` };
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'import', ...args], { env, encoding: 'utf8' });
  for (const [args, why] of [
    [['okta', '--from', 'x.db'], /the source must be one of fastapi-users, better-auth, supabase, jsonl/],
    [['fastapi-users'], /--from is required/],
    [['fastapi-users', '--from', 'x.db', '--batch-size', '0'], /--batch-size must be a whole number/],
    [['fastapi-users', '--from', 'x.db', '--users-table', 'user; drop table users'], /--users-table "user; drop table users" is not a plain SQL name/],
  ] as const) {
    const r = run(...args);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, why);
  }
  const help = run('--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Usage: gatehouse import <fastapi-users\|better-auth\|supabase\|jsonl> --from/);
  const missing = run('fastapi-users', '--from', join(dir, 'no-such-source.db'));
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /gatehouse import: --from: no SQLite database at .*no-such-source\.db/);
});

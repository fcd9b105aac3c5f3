// `gatehouse import jsonl`: the documented JSON-lines format (docs/import-jsonl.md), as a short script would write it
// from an Auth0 or Firebase export: PHC strings of every kind, foreign ids, bad lines reported by line number.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onEveryDatabase, type Harness } from '../support/harness.ts';
import { foreignHashes, type Scheme } from '../support/import-sources.ts';
import { runImport, type ImportOptions } from '../../src/import/run.ts';
import { gatehouseId } from '../../src/import/source.ts';

const schemes: Scheme[] = ['bcrypt-2a', 'argon2id', 'scrypt', 'pbkdf2-sha256', 'pbkdf2-sha512-passlib', 'pbkdf2-django'];
const hashes = foreignHashes(schemes.map((scheme, i) => ({ scheme, password: `jsonl-password-${i}` })));
const users = schemes.map((scheme, i) => ({
  id: `auth0|${i}00${i}`, email: `user${i}@Example.COM`, password_hash: hashes[i], is_verified: i % 2 === 0,
  ...(i === 0 ? { role: 'admin', username: 'first_user', full_name: 'First User', created_at: '2020-05-06T07:08:09Z' } : {}),
  ...(i === 1 ? { oauth_accounts: [{ provider: 'google', account_id: 'g-1', account_email: 'user1@gmail.com', access_token: 'ya29.a', refresh_token: '1//r', expires_at: 1900000000, scope: 'openid email' }] } : {}),
}));

async function run(h: Harness, o: Partial<ImportOptions> & { from: string }) {
  const lines: string[] = [];
  const code = await runImport({ source: 'jsonl', dryRun: false, skipConflicts: false, batchSize: 4, ...o }, { db: h.g.db, secret: h.config.secret }, { say: (l) => lines.push(l), progress: { write: () => true } });
  return { code, lines };
}

onEveryDatabase('import jsonl', (h) => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'gatehouse-jsonl-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, lines: string[]) => { const f = join(dir, name); writeFileSync(f, `${lines.join('\n')}\n`); return f; };

  test('every PHC form logs in; foreign ids get stable UUIDs; roles, names and accounts come along; a re-run updates', async () => {
    const from = file('users.jsonl', users.map((u) => JSON.stringify(u)));
    for (const expected of [/6 users imported, 0 updated, 1 OAuth accounts/, /0 users imported, 6 updated, 1 OAuth accounts/]) {
      const { code, lines } = await run(h, { from });
      assert.equal(code, 0, lines.join('\n'));
      assert.match(lines.at(-1)!, expected);
    }
    for (const [i, u] of users.entries()) {
      const r = await h.req({ method: 'POST', url: '/auth/jwt/login', form: { username: u.email, password: `jsonl-password-${i}` } });
      assert.equal(r.statusCode, 200, `${schemes[i]}: ${r.body}`);
      const me = (await h.req({ url: '/users/me', token: r.json().access_token })).json();
      assert.equal(me.id, gatehouseId('jsonl', u.id));
      assert.equal(me.email, `user${i}@example.com`);
      assert.equal(me.is_verified, i % 2 === 0);
    }
    const first = await h.g.db.kysely.selectFrom('users').selectAll().where('id', '=', gatehouseId('jsonl', users[0]!.id)).executeTakeFirstOrThrow();
    assert.deepEqual([first.role, first.username, first.full_name, new Date(first.created_at).toISOString()], ['admin', 'first_user', 'First User', '2020-05-06T07:08:09.000Z']);
    assert.equal((await h.g.db.kysely.selectFrom('oauth_accounts').select('provider').execute()).length, 1);
  });

  test('a dry run names each bad line and each conflict, by line number, and writes nothing', async () => {
    const before = (await h.g.db.kysely.selectFrom('users').select('id').execute()).length;
    const from = file('bad.jsonl', [
      '{"id": "a1", "email": "fine@example.com"}',
      'not json at all',
      '{"id": "a2", "email": "x@example.com", "passwd": "typo"}',
      '{"id": "a3"}',
      '',
      '{"id": "a1", "email": "again@example.com"}',
      '{"id": "a4", "email": "user0@example.com"}',
      '{"id": "a5", "email": "five@example.com", "password_hash": "md5:abc"}',
      '{"id": "a6", "email": "six@example.com", "oauth_accounts": [{"provider": "github"}]}',
    ]);
    const { code, lines } = await run(h, { from, dryRun: true });
    assert.equal(code, 1);
    const text = lines.join('\n');
    assert.match(text, /conflict invalid-row: user line 2: line 2: not JSON/);
    assert.match(text, /conflict invalid-row: user a2: line 3: unknown field "passwd"/);
    assert.match(text, /conflict invalid-row: user a3: line 4: "email" is required/);
    assert.match(text, /conflict duplicate-id: user a1 <again@example.com>: the same id as user a1/);
    assert.match(text, /conflict email-taken: user a4 <user0@example.com>: Gatehouse user \S+ already has the address user0@example.com/);
    assert.match(text, /conflict unknown-hash: user a5 <five@example.com>/);
    assert.match(text, /conflict invalid-row: user a6: line 9: oauth_accounts\[0\]: "account_id" is required/);
    assert.match(text, /plan: 8 users read: 0 new, 0 already imported \(updated\), 7 with conflicts \(7 conflicts\)\ndry run: nothing written$/);
    assert.equal((await h.g.db.kysely.selectFrom('users').select('id').execute()).length, before);
  });
});

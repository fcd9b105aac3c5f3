// `gatehouse import fastapi-users`: a database of fastapi-users' exact shape (SQLAlchemy adapter; SQLModel's table name
// too), hashes made by Python's bcrypt and argon2-cffi, imported; then every user logs in through the HTTP API with the
// old password, and the hash is argon2id afterwards. Re-running updates and never duplicates.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { onEveryDatabase, type Harness } from '../support/harness.ts';
import { testDatabases } from '../support/databases.ts';
import { fastapiUsersDdl, foreignHashes, sourceDatabase, type Scheme, type SourceDatabase } from '../support/import-sources.ts';
import { runImport, type ImportOptions } from '../../src/import/run.ts';
import { Sealer } from '../../src/crypto/sealer.ts';
import { PROVIDER_TOKENS_SEALER } from '../../src/oauth/create.ts';

const databases = await testDatabases();

interface Person { id: string; email: string; password: string; scheme: Scheme; active: boolean; verified: boolean; superuser: boolean; loginAs: string }
const people: Person[] = [
  { id: randomUUID(), email: 'alice@example.com', password: 'alice-password-1', scheme: 'bcrypt-2b', active: true, verified: true, superuser: true, loginAs: 'alice@example.com' },
  // SQLite's lower() folds ASCII only: this key must be computed in TypeScript to log in as jörg@example.com.
  { id: randomUUID(), email: 'JÖRG@Example.COM', password: 'jörg-passwört-2', scheme: 'argon2id', active: true, verified: true, superuser: false, loginAs: 'jörg@example.com' },
  { id: randomUUID(), email: 'carol@example.org', password: 'carol-password-3', scheme: 'bcrypt-2a', active: true, verified: false, superuser: false, loginAs: 'CAROL@example.org' },
  { id: randomUUID(), email: 'dave@example.net', password: 'dave-password-4', scheme: 'bcrypt-2y', active: true, verified: true, superuser: false, loginAs: 'dave@example.net' },
  { id: randomUUID(), email: 'erin@example.com', password: 'erin-password-5', scheme: 'argon2i', active: true, verified: true, superuser: false, loginAs: 'erin@example.com' },
  { id: randomUUID(), email: 'frank@example.com', password: 'frank-password-6', scheme: 'bcrypt-2b', active: false, verified: true, superuser: false, loginAs: 'frank@example.com' },
];
const hashes = foreignHashes(people.map((p) => ({ scheme: p.scheme, password: p.password })));
const githubAccount = { id: randomUUID(), account_id: '583231', access_token: 'gho_imported_access_token', refresh_token: 'ghr_imported_refresh', expires_at: 1_900_000_000 };

const options = (from: string, extra: Partial<ImportOptions> = {}): ImportOptions => ({
  source: 'fastapi-users', from, dryRun: false, skipConflicts: false, batchSize: 2, ...extra,
});

async function run(h: Harness, o: ImportOptions): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await runImport(o, { db: h.g.db, secret: h.config.secret }, { say: (l) => lines.push(l), progress: { write: () => true } });
  return { code, lines };
}

const login = (h: Harness, username: string, password: string) => h.req({ method: 'POST', url: '/auth/jwt/login', form: { username, password } });

for (const database of databases) {
  onEveryDatabase(`import fastapi-users (${database.name} source)`, (h) => {
    let src: SourceDatabase & { drop(): Promise<void> };
    before(async () => {
      if (database.skip) return;
      src = await sourceDatabase(database);
      await src.script(fastapiUsersDdl(src.kind));
      await src.insert('user', people.map((p, i) => ({
        id: p.id, email: p.email, hashed_password: hashes[i], is_active: p.active, is_superuser: p.superuser, is_verified: p.verified,
      })));
      await src.insert('oauth_account', [{ ...githubAccount, oauth_name: 'github', account_email: 'erin@users.noreply.github.com', user_id: people[4]!.id }]);
    });
    after(async () => { await src?.drop(); });

    test('imports every user; each logs in with the old password through the API, and the hash becomes argon2id', { skip: database.skip }, async () => {
      const { code, lines } = await run(h, options(src.url));
      assert.equal(code, 0, lines.join('\n'));
      assert.match(lines.at(-1)!, /6 users imported, 0 updated, 1 OAuth accounts, 0 skipped/);
      for (const p of people) {
        const r = await login(h, p.loginAs, p.password);
        if (!p.active) { assert.equal(r.statusCode, 400, `${p.email}: an inactive user does not log in`); continue; }
        assert.equal(r.statusCode, 200, `${p.email} (${p.scheme}): ${r.body}`);
        const me = (await h.req({ url: '/users/me', token: r.json().access_token })).json();
        assert.equal(me.id, p.id, 'the id is kept');
        assert.equal(me.is_verified, p.verified);
        assert.equal(me.is_superuser, p.superuser);
        assert.equal(me.role, p.superuser ? 'super_admin' : 'user');
        const row = await h.g.db.kysely.selectFrom('users').select(['hashed_password', 'email']).where('id', '=', p.id).executeTakeFirstOrThrow();
        assert.match(row.hashed_password!, /^\$argon2id\$v=19\$m=256,t=1,p=1\$/, `${p.email}: upgraded at first login`);
        assert.equal((await login(h, p.loginAs, `${p.password}x`)).statusCode, 400, 'a wrong password still fails');
      }
      const jorg = await h.g.db.kysely.selectFrom('users').select(['email', 'email_key']).where('id', '=', people[1]!.id).executeTakeFirstOrThrow();
      assert.deepEqual(jorg, { email: 'JÖRG@example.com', email_key: 'jörg@example.com' });
    });

    test('the OAuth account is linked, its provider tokens sealed as Gatehouse keeps them', { skip: database.skip }, async () => {
      const rows = await h.g.db.kysely.selectFrom('oauth_accounts').selectAll().execute();
      assert.equal(rows.length, 1);
      const a = rows[0]!;
      assert.deepEqual([a.user_id, a.provider, a.account_id, a.account_email], [people[4]!.id, 'github', '583231', 'erin@users.noreply.github.com']);
      assert.ok(!a.access_token!.includes('gho_'), 'not stored in the clear');
      const sealer = new Sealer(h.config.secret, PROVIDER_TOKENS_SEALER);
      assert.equal(sealer.open(a.access_token!, `${a.id}:access`), githubAccount.access_token);
      assert.equal(sealer.open(a.refresh_token!, `${a.id}:refresh`), githubAccount.refresh_token);
      assert.equal(new Date(a.expires_at!).toISOString(), new Date(githubAccount.expires_at * 1000).toISOString());
    });

    test('a re-run updates and never duplicates; a hash upgraded at login is kept, one changed in the source is taken', { skip: database.skip }, async () => {
      const carol = people[2]!;
      const [newHash] = foreignHashes([{ scheme: 'bcrypt-2b', password: 'carol-new-password' }]);
      // Carol has logged in to Gatehouse already (first test): her upgraded hash is newer than any source hash.
      // Dave as if he had not logged in yet (his stored hash is the imported one again): a new password in the source
      // must reach Gatehouse.
      const dave = people[3]!;
      await h.g.db.kysely.updateTable('users').set({ hashed_password: hashes[3]! }).where('id', '=', dave.id).execute();
      await src.script(src.kind === 'postgres'
        ? `update "user" set hashed_password = '${newHash}', is_verified = true where id in ('${carol.id}', '${dave.id}')`
        : `update "user" set hashed_password = '${newHash}', is_verified = 1 where id in ('${carol.id}', '${dave.id}')`);
      for (let i = 0; i < 2; i++) {
        const { code, lines } = await run(h, options(src.url));
        assert.equal(code, 0, lines.join('\n'));
        assert.match(lines.at(-1)!, /0 users imported, 6 updated, 1 OAuth accounts, 0 skipped/);
      }
      const count = async (t: 'users' | 'oauth_accounts' | 'imported_users') => Number((await h.g.db.kysely.selectFrom(t).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      assert.deepEqual([await count('users'), await count('oauth_accounts'), await count('imported_users')], [6, 1, 6]);
      assert.equal((await login(h, carol.loginAs, carol.password)).statusCode, 200, 'carol keeps the password she has in Gatehouse');
      assert.equal((await login(h, 'dave@example.net', 'carol-new-password')).statusCode, 200, 'dave gets the password changed in the source');
      const me = (await h.req({ url: '/users/me', token: (await login(h, carol.loginAs, carol.password)).json().access_token })).json();
      assert.equal(me.is_verified, true, 'flags follow the source');
    });
  });
}

// The SQLModel adapter names the account table after its class: oauthaccount. Found without an option.
for (const database of databases) {
  onEveryDatabase(`import fastapi-users, SQLModel's table names (${database.name} source)`, (h) => {
    test('finds "oauthaccount" by itself', { skip: database.skip }, async () => {
      const src = await sourceDatabase(database);
      try {
        await src.script(fastapiUsersDdl(src.kind, 'oauthaccount'));
        const id = randomUUID();
        const [hash] = foreignHashes([{ scheme: 'bcrypt-2b', password: 'sqlmodel-password' }]);
        await src.insert('user', [{ id, email: 'model@example.com', hashed_password: hash, is_active: true, is_superuser: false, is_verified: false }]);
        await src.insert('oauthaccount', [{ id: randomUUID(), oauth_name: 'google', access_token: 'ya29.token', expires_at: null, refresh_token: null, account_id: '1099', account_email: 'model@example.com', user_id: id }]);
        const { code, lines } = await run(h, options(src.url));
        assert.equal(code, 0, lines.join('\n'));
        assert.match(lines[0]!, /OAuth accounts from "oauthaccount"/);
        assert.equal((await login(h, 'model@example.com', 'sqlmodel-password')).statusCode, 200);
        const a = await h.g.db.kysely.selectFrom('oauth_accounts').select(['provider', 'account_id', 'refresh_token']).where('user_id', '=', id).executeTakeFirstOrThrow();
        assert.deepEqual(a, { provider: 'google', account_id: '1099', refresh_token: null });
      } finally {
        await src.drop();
      }
    });
  });
}

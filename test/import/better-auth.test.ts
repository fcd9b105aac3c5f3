// `gatehouse import better-auth`: users signed up through the real Better Auth package (its schema from its own
// migrations, its scrypt hashes), imported, then logged in through Gatehouse's API with the same passwords.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { onEveryDatabase, type Harness } from '../support/harness.ts';
import { testDatabases, type TestDatabase } from '../support/databases.ts';
import { betterAuth, betterAuthMissing } from '../support/better-auth.ts';
import { runImport } from '../../src/import/run.ts';
import { Sealer } from '../../src/crypto/sealer.ts';
import { PROVIDER_TOKENS_SEALER } from '../../src/oauth/create.ts';

const missing = betterAuthMissing();
const databases = await testDatabases();

// NFKC matters: Better Auth normalises the password before scrypt, so the ligature "ﬁ" was hashed as "fi".
const people = [
  { email: 'Zoe@Example.com', password: 'better-password-1', name: 'Zoe Zed', verified: true },
  { email: 'yann@example.org', password: '\uFB01re-and-ice-2', name: 'Yann', verified: false },
  { email: 'xia@example.net', password: 'better-password-3', name: 'Xia', verified: true },
];

/** A Better Auth database of the same kind as `database`, filled through Better Auth itself. */
async function betterAuthSource(database: TestDatabase) {
  const created = await database.create();
  const handle = database.name === 'sqlite' ? new BetterSqlite3(created.url.slice('sqlite:///'.length)) : new pg.Pool({ connectionString: created.url, max: 2 });
  const ba = await betterAuth(handle);
  const ids: string[] = [];
  for (const p of people) {
    const { user } = await ba.api.signUpEmail({ body: { email: p.email, password: p.password, name: p.name } });
    if (p.verified) await ba.context.internalAdapter.updateUser(user.id, { emailVerified: true });
    ids.push(user.id);
  }
  await ba.context.internalAdapter.linkAccount({
    userId: ids[2], providerId: 'github', accountId: '7007', accessToken: 'gho_better_auth_token', refreshToken: null,
    accessTokenExpiresAt: new Date('2030-01-01T00:00:00Z'), scope: 'read:user,user:email',
  });
  const close = async () => { if (handle instanceof pg.Pool) await handle.end(); else handle.close(); };
  return { url: created.url, ids, version: ba.version, async drop() { await close(); await created.drop(); } };
}

const login = (h: Harness, username: string, password: string) => h.req({ method: 'POST', url: '/auth/jwt/login', form: { username, password } });

for (const database of databases) {
  onEveryDatabase(`import better-auth (${database.name} source)`, (h) => {
    let src: Awaited<ReturnType<typeof betterAuthSource>>;
    const skip = missing ?? database.skip;
    before(async () => { if (!skip) src = await betterAuthSource(database); });
    after(async () => { await src?.drop(); });

    test('users signed up with Better Auth log in to Gatehouse with their passwords (scrypt verified, then argon2id)', { skip }, async () => {
      const hashes = await h.g.db.kysely.selectFrom('users').select('id').execute();
      assert.equal(hashes.length, 0);
      const lines: string[] = [];
      const code = await runImport({ source: 'better-auth', from: src.url, dryRun: false, skipConflicts: false, batchSize: 2 },
        { db: h.g.db, secret: h.config.secret }, { say: (l) => lines.push(l), progress: { write: () => true } });
      assert.equal(code, 0, lines.join('\n'));
      assert.match(lines.at(-1)!, /3 users imported, 0 updated, 1 OAuth accounts/);
      for (const [i, p] of people.entries()) {
        const stored = await h.g.db.kysely.selectFrom('imported_users').innerJoin('users', 'users.id', 'imported_users.user_id')
          .select(['users.id', 'users.hashed_password', 'users.full_name', 'users.is_verified']).where('source', '=', 'better-auth').where('source_id', '=', src.ids[i]!).executeTakeFirstOrThrow();
        assert.match(stored.hashed_password!, /^[0-9a-f]{32}:[0-9a-f]{128}$/, `Better Auth ${src.version}'s scrypt format, kept as it is`);
        assert.equal(stored.full_name, p.name);
        assert.equal(Boolean(stored.is_verified), p.verified);
        assert.equal((await login(h, p.email, `${p.password}!`)).statusCode, 400, 'a wrong password fails');
        const r = await login(h, p.email.toUpperCase(), p.password);
        assert.equal(r.statusCode, 200, `${p.email}: ${r.body}`);
        const me = (await h.req({ url: '/users/me', token: r.json().access_token })).json();
        assert.equal(me.id, stored.id);
        const after = await h.g.db.kysely.selectFrom('users').select('hashed_password').where('id', '=', stored.id).executeTakeFirstOrThrow();
        assert.match(after.hashed_password!, /^\$argon2id\$/, 'upgraded at first login');
        assert.equal((await login(h, p.email, p.password)).statusCode, 200, 'and logs in again with the new hash');
      }
      const a = await h.g.db.kysely.selectFrom('oauth_accounts').selectAll().executeTakeFirstOrThrow();
      assert.deepEqual([a.provider, a.account_id, a.scope], ['github', '7007', 'read:user,user:email']);
      assert.equal(new Sealer(h.config.secret, PROVIDER_TOKENS_SEALER).open(a.access_token!, `${a.id}:access`), 'gho_better_auth_token');
    });
  });
}

// `gatehouse import supabase`: Supabase Auth's tables as its migrations (github.com/supabase/auth) leave them —
// `auth.users` and `auth.identities` on PostgreSQL, `users` / `identities` in a SQLite export —, bcrypt `$2a$` hashes
// as Go writes them (made here by Python's bcrypt), imported and logged in through Gatehouse's API.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { onEveryDatabase, type Harness } from '../support/harness.ts';
import { PG_URL, testDatabases } from '../support/databases.ts';
import { foreignHashes, sourceDatabase, type SourceDatabase } from '../support/import-sources.ts';
import { runImport } from '../../src/import/run.ts';

const databases = await testDatabases();

/** The columns of auth.users and auth.identities that Supabase Auth's migrations leave (its current shape). */
function supabaseDdl(kind: 'sqlite' | 'postgres'): string {
  const pg = kind === 'postgres';
  const s = pg ? 'auth.' : '';
  const uuid = pg ? 'uuid' : 'text';
  const ts = pg ? 'timestamptz' : 'text';
  const json = pg ? 'jsonb' : 'text';
  return `
${pg ? 'CREATE SCHEMA auth;' : ''}
CREATE TABLE ${s}users (
  instance_id ${uuid} NULL, id ${uuid} NOT NULL PRIMARY KEY, aud varchar(255) NULL, "role" varchar(255) NULL,
  email varchar(255) NULL, encrypted_password varchar(255) NULL, email_confirmed_at ${ts} NULL, invited_at ${ts} NULL,
  confirmation_token varchar(255) NULL, confirmation_sent_at ${ts} NULL, recovery_token varchar(255) NULL, recovery_sent_at ${ts} NULL,
  email_change_token_new varchar(255) NULL, email_change varchar(255) NULL, email_change_sent_at ${ts} NULL, last_sign_in_at ${ts} NULL,
  raw_app_meta_data ${json} NULL, raw_user_meta_data ${json} NULL, is_super_admin bool NULL, created_at ${ts} NULL, updated_at ${ts} NULL,
  phone text NULL UNIQUE DEFAULT NULL, phone_confirmed_at ${ts} NULL, phone_change text NULL DEFAULT '', phone_change_token varchar(255) NULL DEFAULT '',
  phone_change_sent_at ${ts} NULL,
  ${pg ? 'confirmed_at timestamptz GENERATED ALWAYS AS (LEAST(email_confirmed_at, phone_confirmed_at)) STORED,' : 'confirmed_at text NULL,'}
  email_change_token_current varchar(255) NULL DEFAULT '', email_change_confirm_status smallint DEFAULT 0 CHECK (email_change_confirm_status >= 0 AND email_change_confirm_status <= 2),
  banned_until ${ts} NULL, reauthentication_token varchar(255) NULL DEFAULT '', reauthentication_sent_at ${ts} NULL,
  is_sso_user boolean NOT NULL DEFAULT false, deleted_at ${ts} NULL, is_anonymous boolean NOT NULL DEFAULT false
);
CREATE TABLE ${s}identities (
  provider_id text NOT NULL, user_id ${uuid} NOT NULL REFERENCES ${s}users(id) ON DELETE CASCADE, identity_data ${json} NOT NULL,
  provider text NOT NULL, last_sign_in_at ${ts} NULL, created_at ${ts} NULL, updated_at ${ts} NULL,
  ${pg ? "email text GENERATED ALWAYS AS (lower(identity_data->>'email')) STORED," : 'email text NULL,'}
  id ${uuid} NOT NULL PRIMARY KEY, CONSTRAINT identities_provider_id_provider_unique UNIQUE (provider_id, provider)
);
CREATE INDEX identities_user_id_idx ON ${s}identities ${pg ? 'USING btree ' : ''}(user_id);`;
}

const [samHash, bannedHash] = foreignHashes([{ scheme: 'bcrypt-2a', password: 'supabase-password-1' }, { scheme: 'bcrypt-2a', password: 'supabase-password-2' }]);
const ids = { sam: randomUUID(), banned: randomUUID(), google: randomUUID(), deleted: randomUUID(), anonymous: randomUUID() };
const now = new Date('2026-01-02T03:04:05Z');

async function fill(src: SourceDatabase): Promise<void> {
  const pgs = src.kind === 'postgres';
  const t = (name: string) => (pgs ? `auth.${name}` : name);
  const user = (id: string, email: string | null, hash: string, extra: Record<string, unknown> = {}) => ({
    instance_id: '00000000-0000-0000-0000-000000000000', id, aud: 'authenticated', role: 'authenticated', email, encrypted_password: hash,
    email_confirmed_at: now, raw_app_meta_data: { provider: 'email', providers: ['email'] }, raw_user_meta_data: {}, created_at: now, updated_at: now,
    banned_until: null, deleted_at: null, is_anonymous: false, ...extra,
  });
  const json = (v: unknown) => (pgs ? v : JSON.stringify(v));
  const rows = [
    user(ids.sam, 'Sam@Example.com', samHash!, { raw_user_meta_data: { full_name: 'Sam Supa' } }),
    user(ids.banned, 'banned@example.com', bannedHash!, { banned_until: new Date('2999-01-01T00:00:00Z'), email_confirmed_at: null }),
    user(ids.google, 'gina@gmail.com', '', { raw_app_meta_data: { provider: 'google', providers: ['google'] }, raw_user_meta_data: { name: 'Gina' } }),
    user(ids.deleted, 'deleted@example.com', samHash!, { deleted_at: now }),
    user(ids.anonymous, null, '', { is_anonymous: true, email_confirmed_at: null }),
  ].map((r) => ({ ...r, raw_app_meta_data: json(r.raw_app_meta_data), raw_user_meta_data: json(r.raw_user_meta_data) }));
  await src.insert(t('users'), rows);
  const identity = (userId: string, provider: string, providerId: string, email: string) => ({
    provider_id: providerId, user_id: userId, identity_data: json({ sub: providerId, email, email_verified: true }), provider,
    last_sign_in_at: now, created_at: now, updated_at: now, id: randomUUID(), ...(pgs ? {} : { email: email.toLowerCase() }),
  });
  await src.insert(t('identities'), [
    identity(ids.sam, 'email', ids.sam, 'Sam@Example.com'),
    identity(ids.banned, 'email', ids.banned, 'banned@example.com'),
    identity(ids.google, 'google', '108234567890123456789', 'gina@gmail.com'),
  ]);
}

/** The PostgreSQL source is the default `auth` schema, which parallel runs of this file would share: one at a time. */
async function lockAuthSchema(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query('select pg_advisory_lock(7305)');
  await c.query('drop schema if exists auth cascade');
  return c;
}

const login = (h: Harness, username: string, password: string) => h.req({ method: 'POST', url: '/auth/jwt/login', form: { username, password } });

for (const database of databases) {
  onEveryDatabase(`import supabase (${database.name} source)`, (h) => {
    let src: SourceDatabase & { drop(): Promise<void> };
    let lock: pg.Client | undefined;
    before(async () => {
      if (database.skip) return;
      if (database.name === 'postgres') lock = await lockAuthSchema();
      src = await sourceDatabase(database);
      await src.script(supabaseDdl(src.kind));
      await fill(src);
    });
    after(async () => {
      if (src?.kind === 'postgres') await src.script('drop schema if exists auth cascade');
      await src?.drop();
      if (lock) { await lock.query('select pg_advisory_unlock(7305)'); await lock.end(); }
    });

    test('imports live users (not deleted or anonymous ones); passwords, bans, confirmations and Google identities carry over', { skip: database.skip }, async () => {
      const lines: string[] = [];
      const code = await runImport({ source: 'supabase', from: src.url, dryRun: false, skipConflicts: false, batchSize: 1000 },
        { db: h.g.db, secret: h.config.secret }, { say: (l) => lines.push(l), progress: { write: () => true } });
      assert.equal(code, 0, lines.join('\n'));
      assert.match(lines[0]!, database.name === 'postgres' ? /users from "auth\.users", social accounts from "auth\.identities"; 3 users/ : /users from "users".*; 3 users/);
      assert.match(lines.at(-1)!, /3 users imported, 0 updated, 1 OAuth accounts/);

      const r = await login(h, 'sam@example.com', 'supabase-password-1');
      assert.equal(r.statusCode, 200, r.body);
      const me = (await h.req({ url: '/users/me', token: r.json().access_token })).json();
      assert.deepEqual([me.id, me.email, me.full_name, me.is_verified, me.is_active], [ids.sam, 'Sam@example.com', 'Sam Supa', true, true]);
      assert.equal((await login(h, 'banned@example.com', 'supabase-password-2')).statusCode, 400, 'banned until 2999: imported inactive');
      const banned = await h.g.db.kysely.selectFrom('users').select(['is_active', 'is_verified']).where('id', '=', ids.banned).executeTakeFirstOrThrow();
      assert.deepEqual([Boolean(banned.is_active), Boolean(banned.is_verified)], [false, false]);

      const gina = await h.g.db.kysely.selectFrom('users').select(['hashed_password', 'full_name']).where('id', '=', ids.google).executeTakeFirstOrThrow();
      assert.deepEqual(gina, { hashed_password: null, full_name: 'Gina' }, 'a social-only user has no password');
      const accounts = await h.g.db.kysely.selectFrom('oauth_accounts').select(['user_id', 'provider', 'account_id', 'account_email', 'access_token']).execute();
      assert.deepEqual(accounts, [{ user_id: ids.google, provider: 'google', account_id: '108234567890123456789', account_email: 'gina@gmail.com', access_token: null }]);
      for (const gone of [ids.deleted, ids.anonymous]) assert.equal(await h.g.db.kysely.selectFrom('users').select('id').where('id', '=', gone).executeTakeFirst(), undefined);
    });
  });
}

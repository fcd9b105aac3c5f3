// `node bench/micro/sql.ts`: the lookup behind every authenticated request (SessionStore.liveUser on SQLite: the
// live session by id, then its user by id), with the SQL compiled once at start (src/store/compiled-sql.ts) against
// the same two queries built and compiled by Kysely on every call (`…executeTakeFirst()`); a refresh's writes, the
// same way; and a refresh's read, a three-table join, with the token's hash compared with a bare parameter or a cast
// one (src/store/refresh-token-store.ts says why). SQLite in memory, so
// what differs is Gatehouse's own CPU, not I/O; on PostgreSQL the round trip adds the same to both.
import { randomUUID } from 'node:crypto';
import { openDatabase } from '../../src/store/database.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { compileOnce, execute, firstRow } from '../../src/store/compiled-sql.ts';
import { compare, print } from './measure.ts';

const db = openDatabase('sqlite://:memory:');
await migrateToLatest(db);
const k = db.kysely;
const now = new Date().toISOString();
const later = new Date(Date.now() + 86_400_000).toISOString();
const userId = randomUUID(), sessionId = randomUUID();
await k.insertInto('users').values({
  id: userId, email: 'a@example.com', email_key: 'a@example.com', username: null, username_key: null, full_name: null,
  hashed_password: null, is_active: 1, is_verified: 1, role: 'user', created_at: now, updated_at: now,
}).execute();
await k.insertInto('sessions').values({ id: sessionId, user_id: userId, created_at: now, last_used_at: now, expires_at: later, revoked_at: null, user_agent: null, ip: null }).execute();

const liveSession = compileOnce(k.selectFrom('sessions').select('sessions.expires_at')
  .where('sessions.id', '=', '?').where('sessions.user_id', '=', '?').where('sessions.revoked_at', 'is', null).where('sessions.expires_at', '>', '?'), 3);
const userById = compileOnce(k.selectFrom('users').selectAll().where('id', '=', '?'), 1);

const precompiled = async () => {
  const live = await firstRow(k, liveSession, [sessionId, userId, now]);
  if (!live || !(await firstRow(k, userById, [userId]))) throw new Error('not found');
};
const builtEachTime = async () => {
  const live = await k.selectFrom('sessions').select('sessions.expires_at')
    .where('sessions.id', '=', sessionId).where('sessions.user_id', '=', userId).where('sessions.revoked_at', 'is', null).where('sessions.expires_at', '>', now)
    .executeTakeFirst();
  if (!live || !(await k.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst())) throw new Error('not found');
};

print('live session + its user, SQLite in memory (two queries)', await compare([
  { name: 'compiled once (compileOnce + firstRow)', run: async (n) => { for (let i = 0; i < n; i++) await precompiled(); } },
  { name: 'Kysely builds and compiles each call', run: async (n) => { for (let i = 0; i < n; i++) await builtEachTime(); } },
], { batch: 5000 }));

// A refresh's writes (RefreshTokenStore.rotate): claim the token, insert its successor, touch the session, in one
// transaction. Each contender rotates its own chain of tokens.
const claim = compileOnce(k.updateTable('refresh_tokens').set({ used_at: '?' }).where('token_hash', '=', '?').where('used_at', 'is', null), 2);
const insert = compileOnce(k.insertInto('refresh_tokens').values({ token_hash: '?', session_id: '?', created_at: '?', used_at: '?' }), 4);
const touch = compileOnce(k.updateTable('sessions').set({ last_used_at: '?', ip: '?', user_agent: '?' }).where('id', '=', '?'), 4);
const chains = { a: 0, b: 0 };
await k.insertInto('refresh_tokens').values([{ token_hash: 'a0', session_id: sessionId, created_at: now, used_at: null }, { token_hash: 'b0', session_id: sessionId, created_at: now, used_at: null }]).execute();
const rotateCompiled = () => k.transaction().execute(async (trx) => {
  const from = `a${chains.a}`, to = `a${++chains.a}`;
  if ((await execute(trx, claim, [now, from])).numAffectedRows !== 1n) throw new Error('not claimed');
  await execute(trx, insert, [to, sessionId, now, null]);
  await execute(trx, touch, [now, '127.0.0.1', 'bench', sessionId]);
});
const rotateBuilt = () => k.transaction().execute(async (trx) => {
  const from = `b${chains.b}`, to = `b${++chains.b}`;
  const r = await trx.updateTable('refresh_tokens').set({ used_at: now }).where('token_hash', '=', from).where('used_at', 'is', null).executeTakeFirst();
  if (r.numUpdatedRows !== 1n) throw new Error('not claimed');
  await trx.insertInto('refresh_tokens').values({ token_hash: to, session_id: sessionId, created_at: now, used_at: null }).execute();
  await trx.updateTable('sessions').set({ last_used_at: now, ip: '127.0.0.1', user_agent: 'bench' }).where('id', '=', sessionId).execute();
});

print("a refresh's writes, SQLite in memory (one transaction, three statements)", await compare([
  { name: 'compiled once (compileOnce + execute)', run: async (n) => { for (let i = 0; i < n; i++) await rotateCompiled(); } },
  { name: 'Kysely builds and compiles each call', run: async (n) => { for (let i = 0; i < n; i++) await rotateBuilt(); } },
], { batch: 2000 }));

// A refresh's read (RefreshTokenStore.context): the token by its hash, joined with its session and the session's user.
// Compared with a bare `?`, SQLite's planner marks the parameter as one whose value might change the plan, and
// better-sqlite3 clears the bindings after each run, which expires such a statement: SQLite prepares the join again on
// every run. Compared with `cast(? as text)` it does not (the plan is the same). Three primary-key lookups, the way
// SessionStore.liveUser reads on SQLite, are the third contender.
const contextColumns = ['refresh_tokens.used_at as rt_used_at', 'sessions.id as s_id', 'sessions.user_id as s_user_id',
  'sessions.created_at as s_created_at', 'sessions.last_used_at as s_last_used_at', 'sessions.expires_at as s_expires_at',
  'sessions.revoked_at as s_revoked_at', 'sessions.user_agent as s_user_agent', 'sessions.ip as s_ip'] as const;
const contextJoin = () => k.selectFrom('refresh_tokens').innerJoin('sessions', 'sessions.id', 'refresh_tokens.session_id')
  .innerJoin('users', 'users.id', 'sessions.user_id').selectAll('users').select(contextColumns);
const joinBare = compileOnce(contextJoin().where('refresh_tokens.token_hash', '=', '?'), 1);
const joinCast = compileOnce(contextJoin().where((eb) => eb('refresh_tokens.token_hash', '=', eb.cast<string>(eb.val('?'), 'text'))), 1);
const tokenByHash = compileOnce(k.selectFrom('refresh_tokens').select(['used_at', 'session_id']).where('token_hash', '=', '?'), 1);
const sessionById = compileOnce(k.selectFrom('sessions').selectAll().where('id', '=', '?'), 1);
const token = `a${chains.a}`;
const found = (row: unknown) => { if (!row) throw new Error('not found'); };
print("a refresh's read, SQLite in memory (the token, its session, the session's user)", await compare([
  { name: 'one join, token_hash = cast(? as text)', run: async (n) => { for (let i = 0; i < n; i++) found(await firstRow(k, joinCast, [token])); } },
  { name: 'one join, token_hash = ?', run: async (n) => { for (let i = 0; i < n; i++) found(await firstRow(k, joinBare, [token])); } },
  { name: 'three primary-key lookups', run: async (n) => {
    for (let i = 0; i < n; i++) {
      const t = await firstRow(k, tokenByHash, [token]);
      const s = t && await firstRow(k, sessionById, [t.session_id]);
      found(s && await firstRow(k, userById, [s.user_id]));
    }
  } },
], { batch: 3000 }));
await db.close();

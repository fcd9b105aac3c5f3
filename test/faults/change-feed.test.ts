// The change feed's listening connection is cut (a PostgreSQL restart, a proxy dropping idle connections): the
// instance forgets what it cached, listens again, and still hears the other instance's changes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { testDatabases, describeOn } from '../support/databases.ts';
import { PASSWORD, testConfig } from '../support/harness.ts';
import { createGatehouse, type Gatehouse } from '../../src/gatehouse.ts';
import { channelOf } from '../../src/store/change-feed.ts';
import { within } from '../support/within.ts';

const postgres = (await testDatabases()).find((d) => d.name === 'postgres');

describeOn(postgres!, 'two instances whose change-feed connections are cut', {}, () => {
  let a: Gatehouse;
  let b: Gatehouse;
  let drop: () => Promise<void>;
  let admin: pg.Client;
  let channel: string;

  before(async () => {
    const db = await postgres!.create();
    drop = db.drop;
    // A minute of cache: only the feed can make B see A's changes in time.
    const config = testConfig(db.url, { SESSION_CACHE_MS: '60000' });
    a = await createGatehouse(config);
    b = await createGatehouse(config, { migrate: false, mailWorker: false });
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    channel = channelOf((await admin.query('select current_schema() as s')).rows[0].s);
  });

  after(async () => {
    await admin?.end();
    await Promise.all([a?.close(), b?.close()]);
    await drop?.();
  });

  const listeners = async () => (await admin.query('select pid from pg_stat_activity where query = $1', [`LISTEN ${channel}`])).rows.map((r) => r.pid as number);
  const me = (g: Gatehouse, token: string) => g.app.inject({ url: '/users/me', headers: { authorization: `Bearer ${token}` } });

  test('a logout on A right after the cut is still refused on B within 1 s, and the feed is back', { timeout: 30_000 }, async () => {
    assert.equal((await a.app.inject({ method: 'POST', url: '/auth/register', payload: { email: 'cut@example.com', password: PASSWORD } })).statusCode, 201);
    const login = await a.app.inject({ method: 'POST', url: '/auth/jwt/login', payload: new URLSearchParams({ username: 'cut@example.com', password: PASSWORD }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const token = login.json().access_token as string;
    assert.equal((await me(b, token)).statusCode, 200); // cached on B

    const before = await listeners();
    assert.equal(before.length, 2, 'each instance listens on its own connection');
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where query = $1', [`LISTEN ${channel}`]);
    assert.equal((await a.app.inject({ method: 'POST', url: '/auth/jwt/logout', headers: { authorization: `Bearer ${token}` } })).statusCode, 204);

    assert.ok(await within(1000, async () => (await me(b, token)).statusCode === 401) <= 1000, 'B still accepts the token after 1 s');
    assert.ok(await within(5000, async () => (await listeners()).filter((p) => !before.includes(p)).length === 2) <= 5000, 'the feed did not reconnect');

    // Listening again: a change after the reconnection reaches B through the feed.
    const again = await a.app.inject({ method: 'POST', url: '/auth/jwt/login', payload: new URLSearchParams({ username: 'cut@example.com', password: PASSWORD }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const second = again.json().access_token as string;
    assert.equal((await me(b, second)).statusCode, 200);
    assert.equal((await a.app.inject({ method: 'POST', url: '/auth/jwt/logout', headers: { authorization: `Bearer ${second}` } })).statusCode, 204);
    assert.ok(await within(1000, async () => (await me(b, second)).statusCode === 401) <= 1000, 'B did not hear the logout after the reconnection');
  });
});

// Several instances that disagree on the issuer, the audience or the keys refuse each other's tokens. That 401 is
// right, but an operator must be able to see why: the refusal is logged at info with the reason, never the token.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createGatehouse, type Gatehouse } from '../../src/gatehouse.ts';
import { onEveryDatabase, PASSWORD, testConfig, type Harness } from '../support/harness.ts';

interface LogLine { level: number; msg: string; reason?: string }
const lines: LogLine[] = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l));
    done();
  },
});
const logged = () => JSON.stringify(lines);

const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

/** Another instance with other settings (on this suite's database unless `ownDatabase`), and a token it issued. */
async function tokenFromAnotherInstance(h: Harness, env: Record<string, string>, ownDatabase = false): Promise<string> {
  let url = h.config.databaseUrl;
  if (ownDatabase) {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-other-'));
    dirs.push(dir);
    url = `sqlite:///${join(dir, 'other.db')}`;
  }
  const other: Gatehouse = await createGatehouse(testConfig(url, { JWT_ALGORITHM: 'EdDSA', ...env }), { logger: pino({ level: 'silent' }) });
  try {
    const email = `roamer-${Math.random().toString(36).slice(2)}@example.com`;
    const form = (body: Record<string, string>) => ({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(body).toString() });
    if (ownDatabase) {
      const r = await other.app.inject({ method: 'POST', url: '/auth/register', payload: { email, password: PASSWORD } });
      assert.equal(r.statusCode, 201, r.body);
    } else {
      await h.register(email);
    }
    const login = await other.app.inject({ method: 'POST', url: '/auth/jwt/login', ...form({ username: email, password: PASSWORD }) });
    assert.equal(login.statusCode, 200, login.body);
    return login.json().access_token;
  } finally {
    await other.close();
  }
}

onEveryDatabase('a token refused for a reason an operator can fix is logged at info, with the reason and without the token', (h) => {
  const cases: [string, Record<string, string>, boolean, RegExp][] = [
    ['another instance\'s issuer', { JWT_ISSUER: 'http://instance-b:8202' }, false,
      /^its iss "http:\/\/instance-b:8202" is not this instance's JWT_ISSUER "http:\/\/127\.0\.0\.1:8000": instances that share users must share PUBLIC_URL \(or JWT_ISSUER\) and JWT_AUDIENCE$/],
    ['another instance\'s audience', { JWT_AUDIENCE: 'someone-else' }, false,
      /^its aud "someone-else" is not this instance's JWT_AUDIENCE "gatehouse:auth": /],
    ['a key this instance does not know (another database)', {}, true,
      /^it is signed with a key this instance does not know \(kid "[\w-]{43}"\): instances that share users must share DATABASE_URL and APP_SECRET/],
  ];
  for (const [what, env, ownDatabase, reason] of cases) {
    test(what, async () => {
      const token = await tokenFromAnotherInstance(h, env, ownDatabase);
      const before = lines.length;
      const r = await h.req({ url: '/users/me', token });
      assert.equal(r.statusCode, 401);
      const refused = lines.slice(before).filter((l) => l.msg.startsWith('access token refused'));
      assert.equal(refused.length, 1, logged());
      assert.equal(refused[0]!.level, 30, 'info');
      assert.match(refused[0]!.reason!, reason);
      assert.ok(!logged().includes(token.split('.')[2]!), 'the token is never logged');
    });
  }

  test('a forged or garbled token is refused without such a line (nothing an operator can fix)', async () => {
    const before = lines.length;
    const r = await h.req({ url: '/users/me', token: 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2ln' });
    assert.equal(r.statusCode, 401);
    assert.equal(lines.slice(before).filter((l) => l.msg.startsWith('access token refused')).length, 0);
  });
}, { JWT_ALGORITHM: 'EdDSA', PUBLIC_URL: 'http://127.0.0.1:8000', LOG_LEVEL: 'info' }, { logger: pino({ level: 'info' }, sink) });

// Timing: whether an account exists must not show in how long the answer takes. These tests run with the
// production argon2id cost (the harness's cheap parameters make a verification ~1 ms, hiding any gap), compare
// medians of alternating attempts (load from elsewhere hits every case alike), and use loose bounds: without the
// defences the gaps are an order of magnitude, not a few percent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onEveryDatabase, type Harness } from '../support/harness.ts';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed(h: Harness, url: string, body: { form?: Record<string, string>; json?: unknown }, status: number): Promise<number> {
  const t0 = performance.now();
  const r = await h.req({ method: 'POST', url, ...body });
  const took = performance.now() - t0;
  assert.equal(r.statusCode, status, r.body);
  return took;
}

/** Runs each case `rounds` times, rotating which goes first; the median time of each, ms. */
async function medians(cases: Record<string, () => Promise<number>>, rounds: number): Promise<Record<string, number>> {
  const names = Object.keys(cases);
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < rounds; i++) {
    for (let j = 0; j < names.length; j++) {
      const name = names[(i + j) % names.length]!;
      times[name]!.push(await cases[name]!());
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(times[n]!)]));
}

onEveryDatabase('login timing with the production argon2id cost', (h) => {
  test('an unknown user and an inactive user cost as much as a wrong password for a known one (medians within 60 %)', async (t) => {
    await h.register('timing-known@example.com');
    const { id } = await h.register('timing-inactive@example.com');
    await h.g.db.kysely.updateTable('users').set({ is_active: 0 }).where('id', '=', id).execute();
    const login = (username: string) => () => timed(h, '/auth/jwt/login', { form: { username, password: 'not the password' } }, 400);
    const cases = { wrong: login('timing-known@example.com'), unknown: login('timing-nobody@example.com'), inactive: login('timing-inactive@example.com') };
    await medians(cases, 1); // warm-up: hash workers, the dummy hash, compiled queries
    const m = await medians(cases, 9);
    t.diagnostic(`medians: wrong password ${m.wrong!.toFixed(1)} ms, unknown ${m.unknown!.toFixed(1)} ms, inactive ${m.inactive!.toFixed(1)} ms`);
    assert.ok(m.unknown! >= 0.6 * m.wrong!, `unknown user ${m.unknown!.toFixed(1)} ms vs wrong password ${m.wrong!.toFixed(1)} ms`);
    assert.ok(m.inactive! >= 0.6 * m.wrong!, `inactive user ${m.inactive!.toFixed(1)} ms vs wrong password ${m.wrong!.toFixed(1)} ms`);
  });

  test('forgot-password answers a known email no slower than an unknown one', async (t) => {
    await h.register('timing-reset@example.com');
    let n = 0;
    const forgot = (email: () => string) => () => timed(h, '/auth/forgot-password', { json: { email: email() } }, 202);
    const cases = { known: forgot(() => 'timing-reset@example.com'), unknown: forgot(() => `timing-nobody-${n++}@example.com`) };
    await medians(cases, 2);
    const m = await medians(cases, 25);
    t.diagnostic(`medians: known ${m.known!.toFixed(2)} ms, unknown ${m.unknown!.toFixed(2)} ms`);
    assert.ok(m.known! <= m.unknown! + Math.max(3, 0.25 * m.unknown!), `known ${m.known!.toFixed(2)} ms vs unknown ${m.unknown!.toFixed(2)} ms`);
  });
}, { ARGON2_MEMORY_KIB: '19456', ARGON2_ITERATIONS: '2', LOGIN_LOCK_AFTER: '100' });

// A lookup and a token insert cost well under a millisecond on SQLite: too little for a timing bound that holds on a
// loaded machine. So, with no mail worker running, check that the request itself did none of that work.
onEveryDatabase('forgot-password with no mail worker running', (h) => {
  test('a known email is answered 202 with only a queued row: no token is minted, no mail is decided, during the request', async () => {
    const { id } = await h.register('queued-only@example.com');
    for (const email of ['queued-only@example.com', 'queued-nobody@example.com']) {
      assert.equal((await h.req({ method: 'POST', url: '/auth/forgot-password', json: { email } })).statusCode, 202);
    }
    assert.deepEqual(await h.g.db.kysely.selectFrom('account_tokens').select('token_hash').where('user_id', '=', id).execute(), []);
    const queued = await h.g.db.kysely.selectFrom('mail_outbox').selectAll().execute();
    assert.deepEqual(queued.map((r) => [r.email, r.status, r.token_hash]).sort(), [['queued-nobody@example.com', 'pending', null], ['queued-only@example.com', 'pending', null]]);
  });
}, {}, { mailWorker: false });

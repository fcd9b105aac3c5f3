import { after, describe, test } from 'node:test';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { HashPool } from '../src/crypto/hash-pool.ts';
import { PasswordHasher } from '../src/crypto/password-hasher.ts';
import { AppError } from '../src/errors.ts';

const CHEAP = { memoryCost: 256, timeCost: 1, parallelism: 1 };
const OWASP = { memoryCost: 19456, timeCost: 2, parallelism: 1 };
const PASSWORD = 'correct horse battery';

const pool = new HashPool(2);
const hasher = new PasswordHasher(pool, CHEAP);
after(() => pool.close());

/** Runs `body` with a pool of its own of `size` threads, closed afterwards whatever happens. */
async function withPool(size: number, body: (pool: HashPool) => Promise<void>): Promise<void> {
  const own = new HashPool(size);
  try {
    await body(own);
  } finally {
    await own.close();
  }
}

/** A bcrypt hash as passlib/fastapi-users stores it ($2b$); @node-rs/bcrypt writes $2y$, the same algorithm. */
async function legacyBcrypt(password: string, prefix: '2a' | '2b' | '2y' = '2b'): Promise<string> {
  const h = await bcryptHash(password, 4);
  assert.match(h, /^\$2[aby]\$04\$/);
  return `$${prefix}$${h.slice(4)}`;
}

describe('PasswordHasher', () => {
  test('hashes with argon2id and the configured parameters, and the hash verifies as current', async () => {
    const stored = await hasher.hash(PASSWORD);
    assert.match(stored, /^\$argon2id\$v=19\$m=256,t=1,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    assert.ok(!stored.includes(PASSWORD));
    assert.deepEqual(await hasher.verify(stored, PASSWORD), { ok: true, needsRehash: false });
  });

  test('salts every hash: the same password twice gives two different hashes that both verify', async () => {
    const [a, b] = await Promise.all([hasher.hash(PASSWORD), hasher.hash(PASSWORD)]);
    assert.notEqual(a, b);
    assert.equal((await hasher.verify(a, PASSWORD)).ok, true);
    assert.equal((await hasher.verify(b, PASSWORD)).ok, true);
  });

  test('refuses a wrong password, and does not ask for a rehash', async () => {
    const stored = await hasher.hash(PASSWORD);
    for (const wrong of ['correct horse batterY', 'correct horse battery ', '', PASSWORD.slice(0, -1)]) {
      assert.deepEqual(await hasher.verify(stored, wrong), { ok: false, needsRehash: false }, JSON.stringify(wrong));
    }
  });

  const otherParams: [string, { memoryCost: number; timeCost: number; parallelism: number }][] = [
    ['more memory', { memoryCost: 512, timeCost: 1, parallelism: 1 }],
    ['more iterations', { memoryCost: 256, timeCost: 2, parallelism: 1 }],
    ['more lanes', { memoryCost: 256, timeCost: 1, parallelism: 2 }],
  ];
  for (const [what, params] of otherParams) {
    test(`verifies an argon2id hash made with ${what}, and asks for a rehash`, async () => {
      const stored = await new PasswordHasher(pool, params).hash(PASSWORD);
      assert.match(stored, new RegExp(`^\\$argon2id\\$v=19\\$m=${params.memoryCost},t=${params.timeCost},p=${params.parallelism}\\$`));
      assert.deepEqual(await hasher.verify(stored, PASSWORD), { ok: true, needsRehash: true });
      assert.deepEqual(await hasher.verify(stored, 'wrong password'), { ok: false, needsRehash: false });
    });
  }

  for (const prefix of ['2b', '2a', '2y'] as const) {
    test(`verifies a legacy bcrypt $${prefix}$ hash and asks for a rehash; a wrong password fails`, async () => {
      const stored = await legacyBcrypt(PASSWORD, prefix);
      assert.ok(stored.startsWith(`$${prefix}$04$`));
      assert.deepEqual(await hasher.verify(stored, PASSWORD), { ok: true, needsRehash: true });
      assert.deepEqual(await hasher.verify(stored, 'wrong password'), { ok: false, needsRehash: false });
    });
  }

  test('a rehash after a bcrypt login gives a current argon2id hash', async () => {
    const legacy = await legacyBcrypt(PASSWORD);
    assert.equal((await hasher.verify(legacy, PASSWORD)).needsRehash, true);
    const fresh = await hasher.hash(PASSWORD);
    assert.deepEqual(await hasher.verify(fresh, PASSWORD), { ok: true, needsRehash: false });
  });

  const garbage: [string, string][] = [
    ['an empty string', ''],
    ['plain text', 'not-a-hash'],
    ['the password itself', PASSWORD],
    ['an unknown scheme', '$pbkdf2-sha256$29000$abc$def'],
    ['a truncated bcrypt hash', '$2b$04$short'],
  ];
  for (const [what, stored] of garbage) {
    test(`answers ok false, without throwing, for a stored hash that is ${what}`, async () => {
      assert.deepEqual(await hasher.verify(stored, PASSWORD), { ok: false, needsRehash: false });
    });
  }

  // A string that passes the ARGON2 prefix regex but is not a valid PHC hash (truncated column, hand-edited row)
  // matches no password; it must not make a login answer 500.
  const brokenArgon2: [string, string][] = [
    ['an argon2id prefix with no salt or digest', '$argon2id$v=19$m=256,t=1,p=1$garbage'],
    ['an argon2id hash with a digest that is too short', '$argon2id$v=19$m=256,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$BBBB'],
  ];
  for (const [what, stored] of brokenArgon2) {
    test(`answers ok false, without throwing, for a stored hash that is ${what}`, async () => {
        assert.deepEqual(await hasher.verify(stored, PASSWORD), { ok: false, needsRehash: false });
      });
  }

  test('burn() spends a verification and resolves, repeatedly', async () => {
    await hasher.burn(PASSWORD);
    await hasher.burn('');
    await Promise.all([hasher.burn('a'), hasher.burn('b'), hasher.burn('c')]);
  });

  test('hashes with unicode and long passwords, and tells them apart', async () => {
    const unicode = 'pässwörd-密码-🔑';
    const long = 'x'.repeat(1024);
    const [hu, hl] = await Promise.all([hasher.hash(unicode), hasher.hash(long)]);
    assert.equal((await hasher.verify(hu, unicode)).ok, true);
    assert.equal((await hasher.verify(hu, unicode.normalize('NFD'))).ok, false);
    assert.equal((await hasher.verify(hl, long)).ok, true);
    assert.equal((await hasher.verify(hl, `${long}x`)).ok, false);
  });
});

describe('HashPool', () => {
  test('hashing at the OWASP parameters does not block the event loop', async (t) => {
    // A behavioural property, not a speed test. The main thread only posts messages, so a 1 ms timer keeps
    // firing while 8 hashes run on the 2 worker threads. Hashing on the main thread would instead run all 8 in
    // one go: a single stall as long as the whole batch (8 hashes, well over 50 ms at these parameters).
    // A stall counts when it is both over 50 ms and over a quarter of the batch's time: on an overloaded machine
    // the OS alone can hold the thread back for longer than 50 ms, but never for most of the batch. The best of
    // three attempts decides, so one unlucky moment does not fail the test.
    const LIMIT_MS = 50;
    const owasp = new PasswordHasher(pool, OWASP);
    await Promise.all([owasp.hash('warm-up'), owasp.hash('warm-up')]); // workers loaded, allocator warm
    const attempts: { maxLag: number; elapsed: number }[] = [];
    const stalled = (a: { maxLag: number; elapsed: number }) => a.maxLag >= LIMIT_MS && a.maxLag >= a.elapsed / 4;
    for (let attempt = 0; attempt < 3; attempt++) {
      let maxLag = 0;
      let ticks = 0;
      let last = performance.now();
      const timer = setInterval(() => {
        const now = performance.now();
        maxLag = Math.max(maxLag, now - last);
        last = now;
        ticks++;
      }, 1);
      const started = performance.now();
      const hashes = await Promise.all(Array.from({ length: 8 }, (_, i) => owasp.hash(`password ${i}`)));
      const elapsed = performance.now() - started;
      clearInterval(timer);
      maxLag = Math.max(maxLag, performance.now() - last);
      assert.equal(hashes.length, 8);
      assert.ok(hashes.every((h) => h.startsWith('$argon2id$v=19$m=19456,t=2,p=1$')));
      t.diagnostic(`attempt ${attempt + 1}: 8 hashes in ${elapsed.toFixed(0)} ms, ${ticks} timer ticks, longest event-loop stall ${maxLag.toFixed(1)} ms`);
      attempts.push({ maxLag, elapsed });
      if (!stalled(attempts.at(-1)!)) break;
    }
    assert.ok(attempts.some((a) => !stalled(a)),
      `the event loop stalled while hashing: ${attempts.map((a) => `${a.maxLag.toFixed(0)} ms of ${a.elapsed.toFixed(0)} ms`).join('; ')}`);
  });

  test('runs more jobs than threads, in any number, and answers each one correctly', async () => {
    const passwords = Array.from({ length: 10 }, (_, i) => `password number ${i}`);
    const hashes = await Promise.all(passwords.map((p) => hasher.hash(p)));
    const checks = await Promise.all(hashes.map((h, i) => hasher.verify(h, passwords[(i + 1) % passwords.length]!)));
    assert.ok(checks.every((c) => !c.ok));
    const good = await Promise.all(hashes.map((h, i) => hasher.verify(h, passwords[i]!)));
    assert.ok(good.every((c) => c.ok));
  });

  test('a job starts at once on a free thread, and the next one on the other thread, not behind it', async () => {
    await withPool(2, async (two) => {
      const cheap = new PasswordHasher(two, CHEAP);
      await Promise.all([cheap.hash('warm-up'), cheap.hash('warm-up')]); // both threads started (a start takes ~100 ms)
      const settled: string[] = [];
      // ~100 ms of hashing against well under 1 ms: the order cannot flip on a merely busy machine.
      const slow = new PasswordHasher(two, { memoryCost: 65536, timeCost: 3, parallelism: 1 }).hash('slow').then(() => settled.push('slow'));
      const quick = cheap.hash('quick').then(() => settled.push('quick'));
      assert.equal(two.queued, 0);
      await Promise.all([slow, quick]);
      assert.deepEqual(settled, ['quick', 'slow'], 'the quick job ran beside the slow one');
    });
  });

  test('a thread that comes free while jobs wait takes several at once, and every job gets its own answer', async () => {
    await withPool(1, async (one) => {
      const h = new PasswordHasher(one, CHEAP);
      const passwords = ['a1', 'b2', 'c3', 'd4', 'e5', 'f6'];
      const hashes = passwords.map((p) => h.hash(p));
      assert.equal(one.queued, 5);
      // The pool hands the thread its next jobs before it settles the finished one.
      assert.equal(await hashes[0]!.then(() => one.queued), 2, 'three of the five waiting jobs went to the thread');
      const verified = await Promise.all((await Promise.all(hashes)).map((hash, i) => h.verify(hash, passwords[i]!)));
      assert.ok(verified.every((v) => v.ok));
      const crossed = await Promise.all((await Promise.all(hashes)).map((hash, i) => h.verify(hash, passwords[(i + 1) % 6]!)));
      assert.ok(crossed.every((v) => !v.ok), 'no answer went to another job');
    });
  });

  test('a small backlog is shared out over the threads, not given to the first one free', async () => {
    await withPool(2, async (two) => {
      const h = new PasswordHasher(two, CHEAP);
      const jobs = ['a', 'b', 'c', 'd'].map((p) => h.hash(p));
      assert.equal(two.queued, 2);
      // The first thread to finish takes one of the two waiting jobs (its share), leaving one for the other.
      assert.equal(await Promise.race(jobs.slice(0, 2)).then(() => two.queued), 1);
      await Promise.all(jobs);
    });
  });

  test('the threads start with the first job, not with the pool (an idle server holds no hashing thread)', async () => {
    const hashThreads = () => (existsSync('/proc/self/task')
      ? readdirSync('/proc/self/task').filter((t) => readFileSync(`/proc/self/task/${t}/comm`, 'utf8').trim() === 'WorkerThread').length
      : undefined);
    const before = hashThreads();
    const lazy = new HashPool(2);
    try {
      assert.equal(lazy.started, false);
      await new Promise((r) => setTimeout(r, 200)); // a thread spawned by the constructor would be running by now
      if (before !== undefined) assert.equal(hashThreads(), before, 'no thread before the first job');
      const h = new PasswordHasher(lazy, CHEAP);
      assert.ok((await h.verify(await h.hash('first job'), 'first job')).ok);
      assert.equal(lazy.started, true);
      if (before !== undefined) assert.equal(hashThreads(), before + 2, 'both threads started with the first job');
    } finally {
      await lazy.close();
    }
  });

  test('a closed pool refuses new jobs and fails the queued ones', async () => {
    const small = new HashPool(1);
    const h = new PasswordHasher(small, CHEAP);
    h.hash('in flight').catch(() => {}); // takes the only thread; see the next test
    const queued = [h.hash('b'), h.hash('c')].map((job) => job.then(() => 'resolved', (err: Error) => err.message));
    assert.equal(small.queued, 2);
    await small.close();
    assert.deepEqual(await Promise.all(queued), ['hash pool is closed', 'hash pool is closed']);
    await assert.rejects(h.hash('d'), /hash pool is closed/);
  });

  // The job a worker is running when close() terminates it is rejected, not left pending forever.
  test('close() also settles the job that was running', async () => {
    const small = new HashPool(1);
    const running = new PasswordHasher(small, OWASP).hash('in flight').then(() => 'resolved', (err: Error) => err.message);
    await new Promise((r) => setTimeout(r, 5)); // dispatched to the worker
    await small.close();
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([running, new Promise((r) => { timer = setTimeout(r, 2000, 'still pending after 2 s'); })]);
    clearTimeout(timer);
    assert.notEqual(outcome, 'still pending after 2 s');
  });
});

describe('the hash queue is bounded', () => {
  /** ~100 ms or more of one thread: far longer than anything these tests wait for in between. */
  const SLOW = { memoryCost: 65536, timeCost: 4, parallelism: 1 };
  const busy = (err: unknown, retryAfter: string) => err instanceof AppError && err.code === 'SERVICE_UNAVAILABLE' && err.status === 503
    && err.headers['retry-after'] === retryAfter;

  test('a job that finds the queue full is refused at once with 503 + Retry-After; the queued ones still run', async () => {
    const small = new HashPool(1, { maxQueued: 2, timeoutMs: 60_000 });
    try {
      const running = new PasswordHasher(small, SLOW).hash('takes the thread');
      const h = new PasswordHasher(small, CHEAP);
      const queued = [h.hash('first in line'), h.hash('second in line')];
      assert.equal(small.queued, 2);
      await assert.rejects(h.hash('one too many'), (err) => busy(err, '60'));
      await assert.rejects(h.verify('$argon2id$v=19$m=256,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2g', 'x'), (err) => busy(err, '60'));
      assert.equal(small.queued, 2, 'the refused jobs never entered the queue');
      const hashes = await Promise.all([running, ...queued]);
      assert.ok(hashes.every((x) => x.startsWith('$argon2id$')));
      assert.ok((await h.verify(await h.hash('after the backlog'), 'after the backlog')).ok, 'the drained pool takes jobs again');
    } finally {
      await small.close();
    }
  });

  test('a job still waiting at its deadline is refused and leaves the queue at once; the running one finishes', async () => {
    const small = new HashPool(1, { maxQueued: 10, timeoutMs: 20 });
    try {
      let done = false;
      const running = new PasswordHasher(small, SLOW).hash('takes the thread').then((x) => { done = true; return x; });
      const h = new PasswordHasher(small, CHEAP);
      const waiting = h.hash('waits too long');
      assert.equal(small.queued, 1);
      await assert.rejects(waiting, (err) => busy(err, '1'));
      assert.equal(small.queued, 0, 'the refused job (and its password) left the queue');
      assert.equal(done, false, 'refused while the thread was still busy, not when it came free');
      assert.ok((await running).startsWith('$argon2id$'));
      assert.ok((await h.verify(await h.hash('later'), 'later')).ok);
    } finally {
      await small.close();
    }
  });

  test('a job that the jobs ahead would keep past its deadline is refused as it comes, long before the queue is full', async () => {
    const small = new HashPool(1, { maxQueued: 1000, timeoutMs: 200 });
    try {
      const slow = new PasswordHasher(small, SLOW);
      await slow.hash('starts the thread'); // a thread's first answer includes its start: not measured
      await slow.hash('measured'); // ~100 ms or more: the thread's time per job
      let done = false;
      const running = slow.hash('takes the thread').then((x) => { done = true; return x; });
      const h = new PasswordHasher(small, CHEAP);
      const queued: Promise<string>[] = [];
      let refused: unknown;
      while (queued.length < 50 && refused === undefined) {
        const job = h.hash(`queued ${queued.length}`);
        // A refusal as it comes settles before the next macrotask; an admitted job is still pending then.
        const early = await Promise.race([job.then(() => 'settled', (err: unknown) => err), new Promise((r) => setImmediate(r, 'pending'))]);
        if (early === 'pending') queued.push(job);
        else refused = early;
      }
      assert.ok(busy(refused, '1'), `refused with 503 + Retry-After after ${queued.length} queued jobs (the ${queued.length + 1}th): ${String(refused)}`);
      assert.ok(queued.length < 10, `${queued.length} jobs were queued behind ~100 ms jobs with a 200 ms deadline`);
      assert.equal(done, false, 'refused while the thread was still busy, not when it came free');
      await running;
      // Each admitted job ran, or (on a machine slow enough that the estimate was short) met its deadline.
      for (const r of await Promise.allSettled(queued)) {
        assert.ok(r.status === 'fulfilled' ? r.value.startsWith('$argon2id$') : busy(r.reason, '1'), String(r.status === 'rejected' && r.reason));
      }
    } finally {
      await small.close();
    }
  });

  test('an unknown user\'s dummy verification refused by a full queue is retried later, not remembered as failed', async () => {
    const small = new HashPool(1, { maxQueued: 1, timeoutMs: 60_000 });
    try {
      const running = new PasswordHasher(small, SLOW).hash('takes the thread');
      const h = new PasswordHasher(small, CHEAP);
      const queued = h.hash('fills the queue');
      await assert.rejects(h.burn('x'), (err) => busy(err, '60'));
      await Promise.all([running, queued]);
      await h.burn('x');
    } finally {
      await small.close();
    }
  });
});

// How long `gatehouse import fastapi-users` takes for a million users: builds a fastapi-users database of the
// SQLAlchemy adapter's shape (SQLite), runs the real command (a child process: `node src/bin.ts import …`) into a fresh
// Gatehouse database, then runs it again (every user already imported: the update path), and reports both times, the
// rate and the importer's peak memory. Self-contained: nothing else under bench/ is used.
//
//   npm run bench:import -- [--users N] [--pg] [--no-rerun]
//   --users N    users in the source (default 1,000,000; BENCH_IMPORT_USERS); one in ten has a GitHub account
//   --pg         import into PostgreSQL (a private schema of TEST_DATABASE_URL_PG, dropped at the end) instead of SQLite
//   --no-rerun   skip the second (update) run
// Results: bench/results/import-<sqlite|postgres>.{json,md}.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { randomBytes, randomUUID } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import { hashSync } from '@node-rs/bcrypt';
import pg from 'pg';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));
const { values } = parseArgs({ options: { users: { type: 'string' }, pg: { type: 'boolean' }, 'no-rerun': { type: 'boolean' } } });
const USERS = Number(values.users ?? process.env.BENCH_IMPORT_USERS ?? 1_000_000);
const PG_URL = process.env.TEST_DATABASE_URL_PG ?? 'postgres://gatehouse:gatehouse@127.0.0.1:5432/gatehouse_test';

const say = (s: string) => process.stdout.write(`${s}\n`);
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-import-'));

/** The source: fastapi-users' `user` and `oauth_account` tables (fastapi-users-db-sqlalchemy), N users. */
function buildSource(file: string): void {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.exec(`
    CREATE TABLE "user" (id CHAR(36) NOT NULL, email VARCHAR(320) NOT NULL, hashed_password VARCHAR(1024) NOT NULL,
      is_active BOOLEAN NOT NULL, is_superuser BOOLEAN NOT NULL, is_verified BOOLEAN NOT NULL, PRIMARY KEY (id));
    CREATE UNIQUE INDEX ix_user_email ON "user" (email);
    CREATE TABLE oauth_account (id CHAR(36) NOT NULL, oauth_name VARCHAR(100) NOT NULL, access_token VARCHAR(1024) NOT NULL,
      expires_at INTEGER, refresh_token VARCHAR(1024), account_id VARCHAR(320) NOT NULL, account_email VARCHAR(320) NOT NULL,
      user_id CHAR(36) NOT NULL, PRIMARY KEY (id), FOREIGN KEY(user_id) REFERENCES "user" (id) ON DELETE cascade);
    CREATE INDEX ix_oauth_account_oauth_name ON oauth_account (oauth_name);
    CREATE INDEX ix_oauth_account_account_id ON oauth_account (account_id);`);
  // Real bcrypt hashes (cost 4: the import never verifies them, only recognises the format); a few hundred distinct.
  const hashes = Array.from({ length: 256 }, (_, i) => hashSync(`password-${i}`, 4));
  const user = db.prepare('insert into "user" values (?, ?, ?, ?, ?, ?)');
  const account = db.prepare('insert into oauth_account values (?, ?, ?, ?, ?, ?, ?, ?)');
  const fill = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const id = randomUUID();
      // Every seventh address needs the Unicode-aware rule (upper-case non-ASCII, a domain in capitals).
      const email = i % 7 === 0 ? `Jörg.${i}@Example.COM` : `user${i}@example.com`;
      user.run(id, email, hashes[i % hashes.length], 1, i === 0 ? 1 : 0, i % 3 === 0 ? 0 : 1);
      if (i % 10 === 0) account.run(randomUUID(), 'github', `gho_${randomBytes(18).toString('base64url')}`, 1_900_000_000, null, String(i), email, id);
    }
  });
  for (let i = 0; i < USERS; i += 50_000) fill(i, Math.min(USERS, i + 50_000));
  db.close();
}

interface Run { seconds: number; cpuSeconds: number; code: number | null; summary: string; peakRssMb: number }

/** `gatehouse import fastapi-users --from …` as an operator runs it; its peak RSS read from /proc while it runs. */
function runImport(databaseUrl: string, source: string): Promise<Run> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [join(ROOT, 'src', 'bin.ts'), 'import', 'fastapi-users', '--from', `sqlite:///${source}`], {
    cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl, APP_SECRET: 'bench-import-secret-0123456789abcdef0123456789', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  let peak = 0;
  let cpuTicks = 0;
  child.stdout.on('data', (d) => { out += d; });
  // Peak memory and CPU time (user + system, clock ticks of 1/100 s) as last seen in /proc: the CPU time tells the
  // cost apart from the wait on a busy machine.
  const poll = setInterval(() => {
    try {
      const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
      peak = Math.max(peak, kb);
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      cpuTicks = Number(stat[11]) + Number(stat[12]);
    } catch { /* exited */ }
  }, 100);
  return new Promise((resolve) => child.once('close', (code) => {
    clearInterval(poll);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    resolve({ seconds, cpuSeconds: cpuTicks / 100, code, summary: out.trim().split('\n').filter((l) => /^(plan|done)/.test(l)).join('\n'), peakRssMb: Math.round(peak / 1024) });
  }));
}

async function main(): Promise<void> {
  const source = join(dir, 'fastapi-users.db');
  const t0 = Date.now();
  say(`building a fastapi-users database of ${USERS.toLocaleString('en-US')} users…`);
  buildSource(source);
  say(`  built in ${((Date.now() - t0) / 1000).toFixed(1)} s (${(statSync(source).size / 1e6).toFixed(0)} MB)`);

  let target: string;
  let drop = async () => {};
  if (values.pg) {
    const schema = `bench_import_${randomBytes(4).toString('hex')}`;
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`create schema ${schema}`);
    await c.end();
    const u = new URL(PG_URL);
    u.searchParams.set('options', `-c search_path=${schema}`);
    target = u.href;
    drop = async () => {
      const d = new pg.Client({ connectionString: PG_URL });
      await d.connect();
      await d.query(`drop schema if exists ${schema} cascade`);
      await d.end();
    };
  } else {
    target = `sqlite:///${join(dir, 'gatehouse.db')}`;
  }
  const database = values.pg ? 'postgres' : 'sqlite';
  try {
    say(`gatehouse import fastapi-users into ${database} (first run: every user new)…`);
    const first = await runImport(target, source);
    say(`${first.summary}\n  ${first.seconds.toFixed(1)} s wall, ${first.cpuSeconds.toFixed(1)} s CPU, peak RSS ${first.peakRssMb} MB, exit ${first.code}`);
    let second: Run | undefined;
    if (!values['no-rerun']) {
      say('again (every user already imported: updated)…');
      second = await runImport(target, source);
      say(`${second.summary}\n  ${second.seconds.toFixed(1)} s wall, ${second.cpuSeconds.toFixed(1)} s CPU, peak RSS ${second.peakRssMb} MB, exit ${second.code}`);
    }
    const report = {
      date: new Date().toISOString(), users: USERS, database, cpus: cpus().length, cpu: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30),
      command: `npm run bench:import -- --users ${USERS}${values.pg ? ' --pg' : ''}`,
      first: { ...first, usersPerSecond: Math.round(USERS / first.seconds) },
      ...(second ? { rerun: { ...second, usersPerSecond: Math.round(USERS / second.seconds) } } : {}),
    };
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(join(RESULTS, `import-${database}.json`), `${JSON.stringify(report, null, 2)}\n`);
    const row = (name: string, r: Run) => `| ${name} | ${r.seconds.toFixed(1)} s | ${Math.round(USERS / r.seconds).toLocaleString('en-US')} | ${r.cpuSeconds.toFixed(1)} s | ${r.peakRssMb} MB | ${r.code} |`;
    writeFileSync(join(RESULTS, `import-${database}.md`), [
      `# gatehouse import fastapi-users: ${USERS.toLocaleString('en-US')} users into ${database}`, '',
      `${report.date}; ${report.cpus} × ${report.cpu}, ${report.memoryGb} GB. Command: \`${report.command}\`.`,
      'One in ten users has a GitHub account (token sealed); one in seven address needs the Unicode-aware email rule.', '',
      `Load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(', ')} (wall time grows with it; the CPU time is the importer's own).`, '',
      '| run | wall time (whole command) | users/s | importer CPU (user + system) | importer peak RSS | exit |', '|---|---|---|---|---|---|',
      row('first (all new)', first), ...(second ? [row('again (all updated)', second)] : []), '',
    ].join('\n'));
    if (first.code !== 0 || (second && second.code !== 0)) process.exitCode = 1;
  } finally {
    await drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

// `node bench/passkeys/run.ts`: passkey sign-ins vs password logins per second, in the same run, against one real
// Gatehouse process on SQLite (127.0.0.1 only), and per second of that server's CPU (the "per core" figure: a
// password login pays a memory-hard argon2id; a passkey sign-in a P-256 signature check and a few rows).
// Knobs: PASSKEY_BENCH_CLIENTS (default 16), PASSKEY_BENCH_SECONDS per phase (default 5), PASSKEY_BENCH_ROUNDS
// (default 2; the two kinds alternate, so a neighbour's load falls on both). Writes bench/passkeys/results.{json,md}.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { SoftAuthenticator } from '../../test/support/soft-authenticator.ts';

const CLIENTS = Number(process.env.PASSKEY_BENCH_CLIENTS ?? 16);
const SECONDS = Number(process.env.PASSKEY_BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.PASSKEY_BENCH_ROUNDS ?? 2);
const PASSWORD = 'bench password for passkeys';
const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

const port = await new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
});
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-passkeys-'));
const child = fork(here('./server.ts'), [join(dir, 'bench.db'), String(port)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const ask = <T>(what: 'cpu', key: string) => new Promise<T>((resolve) => {
  const on = (m: Record<string, T>) => { if (key in m) { child.off('message', on); resolve(m[key]!); } };
  child.on('message', on);
  child.send(what);
});
const origin = await new Promise<string>((resolve, reject) => {
  child.once('message', (m: { ready?: string }) => (m.ready ? resolve(m.ready) : reject(new Error('server did not start'))));
  child.once('exit', (code) => reject(new Error(`server exited (${code})`)));
});

const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS * 2 });
function post(path: string, body: string, type = 'application/json', token?: string): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'content-length': Buffer.byteLength(body), ...(body ? { 'content-type': type } : {}) };
    if (token) headers.authorization = `Bearer ${token}`;
    const req = request(`${origin}${path}`, { method: 'POST', agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => { text += d; }).on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
const form = (email: string) => new URLSearchParams({ username: email, password: PASSWORD }).toString();

interface Client { email: string; auth: SoftAuthenticator }
type Kind = 'password' | 'passkey';

async function passwordLogin(c: Client): Promise<boolean> {
  return (await post('/auth/jwt/login', form(c.email), 'application/x-www-form-urlencoded')).status === 200;
}
async function passkeyLogin(c: Client): Promise<boolean> {
  const o = await post('/auth/passkey/options', '');
  if (o.status !== 200) return false;
  return (await post('/auth/jwt/passkey', JSON.stringify({ attempt: o.json.attempt, response: c.auth.get(o.json.options) }))).status === 200;
}

/** Every client signs in again and again for `seconds`; counts successes, failures and the server's CPU seconds. */
async function phase(kind: Kind, clients: Client[], seconds: number) {
  const cpu0 = await ask<number>('cpu', 'cpu');
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  let ok = 0;
  let failed = 0;
  const latencies: number[] = [];
  await Promise.all(clients.map(async (c) => {
    while (performance.now() < end) {
      const s = performance.now();
      if (await (kind === 'password' ? passwordLogin(c) : passkeyLogin(c))) ok++; else failed++;
      latencies.push(performance.now() - s);
    }
  }));
  const wall = (performance.now() - t0) / 1000;
  const cpu = (await ask<number>('cpu', 'cpu')) - cpu0;
  latencies.sort((a, b) => a - b);
  return { ok, failed, wall, cpu, p50: latencies[Math.floor(latencies.length * 0.5)] ?? 0, p99: latencies[Math.floor(latencies.length * 0.99)] ?? 0 };
}

try {
  // Seed: one user per client, each with a password and a passkey of its own (a counter per credential, so clients never race).
  const clients: Client[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const email = `pk${i}@bench.example.com`;
    if ((await post('/auth/register', JSON.stringify({ email, password: PASSWORD }))).status !== 201) throw new Error('register failed');
    const token = (await post('/auth/jwt/login', form(email), 'application/x-www-form-urlencoded')).json.access_token;
    const auth = new SoftAuthenticator({ origin });
    const options = (await post('/users/me/passkeys/options', '', 'application/json', token)).json;
    const added = await post('/users/me/passkeys', JSON.stringify({ name: 'bench', response: auth.create(options) }), 'application/json', token);
    if (added.status !== 201) throw new Error(`passkey registration failed: ${JSON.stringify(added.json)}`);
    clients.push({ email, auth });
  }
  await phase('passkey', clients, 1); // warm-up (JIT, connections, SQLite pages)
  await phase('password', clients, 1);
  const totals: Record<Kind, { ok: number; failed: number; wall: number; cpu: number; p50: number[]; p99: number[] }> = {
    password: { ok: 0, failed: 0, wall: 0, cpu: 0, p50: [], p99: [] }, passkey: { ok: 0, failed: 0, wall: 0, cpu: 0, p50: [], p99: [] },
  };
  for (let r = 0; r < ROUNDS; r++) {
    for (const kind of ['password', 'passkey'] as const) {
      const p = await phase(kind, clients, SECONDS);
      const t = totals[kind];
      t.ok += p.ok; t.failed += p.failed; t.wall += p.wall; t.cpu += p.cpu; t.p50.push(p.p50); t.p99.push(p.p99);
    }
  }
  const rows = (['password', 'passkey'] as const).map((kind) => {
    const t = totals[kind];
    return { kind, signIns: t.ok, failed: t.failed, perSecond: t.ok / t.wall, perServerCpuSecond: t.ok / t.cpu, serverCpuMsEach: (t.cpu * 1000) / t.ok,
      p50ms: Math.max(...t.p50), p99ms: Math.max(...t.p99) };
  });
  const [pw, pk] = rows as [typeof rows[0], typeof rows[0]];
  const result = {
    date: new Date().toISOString(), node: process.version, cpus: availableParallelism(), cpuModel: cpus()[0]?.model, loadavg: loadavg(),
    clients: CLIENTS, secondsPerPhase: SECONDS, rounds: ROUNDS, rows,
    ratio: { perSecond: pk.perSecond / pw.perSecond, perServerCpuSecond: pk.perServerCpuSecond / pw.perServerCpuSecond },
  };
  const f = (n: number, d = 0) => n.toFixed(d);
  const md = [
    '# Passkey sign-in vs password login', '',
    `${result.date} · Node ${result.node} · ${result.cpus} CPUs (${result.cpuModel}) · load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    `One Gatehouse process on SQLite, production settings (argon2id 19456 KiB, t=2), rate limits off; ${CLIENTS} clients, each its own user;`,
    `${ROUNDS} rounds of ${SECONDS} s per kind, alternating. A passkey sign-in is two requests (options, then the signed answer).`, '',
    '| | sign-ins | failed | per second | per server CPU-second | server CPU each | p50 | p99 |', '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.kind} | ${r.signIns} | ${r.failed} | ${f(r.perSecond)} | ${f(r.perServerCpuSecond)} | ${f(r.serverCpuMsEach, 2)} ms | ${f(r.p50ms, 1)} ms | ${f(r.p99ms, 1)} ms |`),
    '', `Passkey / password: ×${f(result.ratio.perSecond, 1)} per second, ×${f(result.ratio.perServerCpuSecond, 1)} per server CPU-second.`, '',
  ].join('\n');
  writeFileSync(here('./results.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(here('./results.md'), md);
  process.stdout.write(md);
} finally {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send('stop');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
  if (child.exitCode === null) child.kill();
  agent.destroy();
  rmSync(dir, { recursive: true, force: true });
}

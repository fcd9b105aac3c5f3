// `npm run bench:mfa`: what the second step of a login (TOTP) costs next to the password step it follows.
// Starts `gatehouse serve` as `npm start` runs it (the built server, bench/lib/gatehouse.ts) on SQLite in a temp folder with the
// production defaults (argon2id OWASP parameters), 127.0.0.1 only, rate limits off; prepares BENCH_MFA_USERS users
// (default 200) with an authenticator app; then, for each user, times the password step (POST /auth/jwt/login →
// LOGIN_MFA_REQUIRED) and, separately, the TOTP step (POST /auth/jwt/mfa → tokens), CONCURRENCY at a time, with the
// server's CPU seconds for each phase (Linux /proc). Writes bench/results/mfa.md.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Secret, TOTP } from 'otpauth';
import { builtServer } from '../lib/gatehouse.ts';

const USERS = Number(process.env.BENCH_MFA_USERS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_MFA_CONCURRENCY ?? 8);
const PASSWORD = 'bench password for the second step';
const host = '127.0.0.1';

const port = await new Promise<number>((resolve) => {
  const s = createServer().listen(0, host, () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
});
const origin = `http://${host}:${port}`;
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-mfa-'));
const env: NodeJS.ProcessEnv = {
  PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', HOST: host, PORT: String(port), PUBLIC_URL: origin,
  DATABASE_URL: `sqlite:///${join(dir, 'bench.db')}`, APP_SECRET: randomBytes(32).toString('hex'), LOG_LEVEL: 'warn',
  RATE_LIMITS: 'false', MFA_REQUIRED_ROLES: '', MAIL_FOLDER: join(dir, 'mail'),
};
const server = spawn(process.execPath, [await builtServer(), 'serve'], { env, cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
const cpu = () => {
  const f = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, clock ticks (USER_HZ = 100)
};

async function call(method: string, path: string, o: { json?: unknown; form?: Record<string, string>; token?: string } = {}): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  let body: string | undefined;
  if (o.json !== undefined) { headers['content-type'] = 'application/json'; body = JSON.stringify(o.json); }
  if (o.form) { headers['content-type'] = 'application/x-www-form-urlencoded'; body = new URLSearchParams(o.form).toString(); }
  const r = await fetch(`${origin}${path}`, { method, headers, body });
  return { status: r.status, body: await r.json().catch(() => null) };
}
const code = (secret: string, steps = 0) => new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: Date.now() + steps * 30_000 });

/** Runs `jobs` CONCURRENCY at a time; the wall time, the latencies and the server's CPU seconds. */
async function phase<T>(items: T[], job: (t: T) => Promise<void>) {
  const latencies: number[] = [];
  const cpu0 = cpu(), t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      const s = performance.now();
      await job(item);
      latencies.push(performance.now() - s);
    }
  }));
  const wall = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return { perSecond: items.length / wall, cpuMsPerOp: ((cpu() - cpu0) * 1000) / items.length, p50: latencies[Math.floor(latencies.length / 2)]!, p99: latencies[Math.floor(latencies.length * 0.99)]! };
}

try {
  for (let i = 0; ; i++) {
    if (i > 300) throw new Error('the server did not start');
    if (await fetch(`${origin}/healthz`).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  process.stderr.write(`preparing ${USERS} users with an authenticator app…\n`);
  const users: { email: string; secret: string }[] = [];
  for (let i = 0; i < USERS; i++) {
    const email = `mfa-bench-${i}@example.com`;
    if ((await call('POST', '/auth/register', { json: { email, password: PASSWORD } })).status !== 201) throw new Error('register failed');
    const token = (await call('POST', '/auth/jwt/login', { form: { username: email, password: PASSWORD } })).body.access_token;
    const secret = (await call('POST', '/users/me/totp', { token })).body.secret;
    if ((await call('POST', '/users/me/totp/confirm', { token, json: { code: code(secret, -1) } })).status !== 200) throw new Error('confirm failed');
    users.push({ email, secret });
  }
  const challenges = new Map<string, string>();
  const password = await phase(users, async (u) => {
    const r = await call('POST', '/auth/jwt/login', { form: { username: u.email, password: PASSWORD } });
    if (r.status !== 400 || r.body.detail.code !== 'LOGIN_MFA_REQUIRED') throw new Error(`password step: ${r.status}`);
    challenges.set(u.email, r.body.detail.mfa_token);
  });
  const second = await phase(users, async (u) => {
    const r = await call('POST', '/auth/jwt/mfa', { json: { mfa_token: challenges.get(u.email), totp_code: code(u.secret) } });
    if (r.status !== 200) throw new Error(`second step: ${r.status} ${JSON.stringify(r.body)}`);
  });
  const f = (n: number) => n.toFixed(1);
  const md = `# The cost of the TOTP step

\`npm run bench:mfa\` on ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), SQLite,
argon2id defaults (19 MiB, 2 iterations), ${USERS} users, ${CONCURRENCY} requests in flight, 127.0.0.1.

| step | per second | server CPU ms per login | p50 ms | p99 ms |
|---|---|---|---|---|
| password (POST /auth/jwt/login → LOGIN_MFA_REQUIRED) | ${f(password.perSecond)} | ${f(password.cpuMsPerOp)} | ${f(password.p50)} | ${f(password.p99)} |
| TOTP (POST /auth/jwt/mfa → tokens) | ${f(second.perSecond)} | ${f(second.cpuMsPerOp)} | ${f(second.p50)} | ${f(second.p99)} |

The TOTP step adds ${f((second.cpuMsPerOp / password.cpuMsPerOp) * 100)} % to the server CPU of a password login.
`;
  process.stdout.write(md);
  writeFileSync(fileURLToPath(new URL('../results/mfa.md', import.meta.url)), md);
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
}

// Drives a running Gatehouse image the way a user and an orchestrator would, and fails loudly on any surprise.
// Usage: node scripts/image/drive.ts <base-url> [--health JSON-argv] -- <command that starts the image's server>
// It starts the server itself (so that it owns the process and can send SIGTERM), waits for /readyz, then:
// register → login → /users/me → Swagger UI's files and the common-password list (what node_modules must hold) →
// /healthz and /readyz → the image's HEALTHCHECK command → SIGTERM while a request is
// in flight: the listener closes (new connections refused), the request finishes with its answer, the process exits 0.
import { spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { once } from 'node:events';

const args = process.argv.slice(2);
const sep = args.indexOf('--');
if (sep < 1) throw new Error('usage: drive.ts <base-url> [--health JSON] -- <command…>');
const base = new URL(args[0]!);
const healthAt = args.indexOf('--health');
const health = healthAt >= 0 && healthAt < sep ? JSON.parse(args[healthAt + 1]!) as string[] : undefined;
const command = args.slice(sep + 1);

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const step = (msg: string) => console.log(`drive [${elapsed()}] ${msg}`);
function check(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(`FAILED: ${msg}`);
  step(`ok: ${msg}`);
}

const server = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
let log = '';
server.stdout.on('data', (d: Buffer) => { log += d; });
server.stderr.on('data', (d: Buffer) => { log += d; });
const exited = once(server, 'exit') as Promise<[number | null, string | null]>;
let gone = false;
void exited.then(() => { gone = true; });

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    if (gone) throw new Error(`the server exited while waiting for ${what}:\n${log}`);
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}:\n${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const url = (path: string) => new URL(path, base);
try {
  await waitFor('/readyz 200', async () => ((await fetch(url('/readyz'))).status === 200 ? true : undefined));
  step('ready (/readyz 200)');

  const email = `image-${process.pid}-${Date.now()}@example.com`;
  const password = 'correct-horse-battery-image';
  const reg = await fetch(url('/auth/register'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  const user = await reg.json() as { id?: string; email?: string };
  check(reg.status === 201 && user.email === email, `POST /auth/register → 201 (${reg.status})`);

  const login = await fetch(url('/auth/jwt/login'), { method: 'POST', body: new URLSearchParams({ username: email, password }) });
  const { access_token: token } = await login.json() as { access_token?: string };
  check(login.status === 200 && typeof token === 'string', `POST /auth/jwt/login → 200 with a token (${login.status})`);

  const me = await fetch(url('/users/me'), { headers: { authorization: `Bearer ${token}` } });
  const meBody = await me.json() as { id?: string };
  check(me.status === 200 && meBody.id === user.id, `GET /users/me → 200, the same user (${me.status})`);
  const anon = await fetch(url('/users/me'));
  check(anon.status === 401, `GET /users/me without a token → 401 (${anon.status})`);

  // What the image's node_modules must hold besides the native addons: Swagger UI's own files, and the common-password
  // list the password policy loads on first use (scripts/image/runtime-modules.ts).
  const docs = await fetch(url('/docs/static/swagger-ui-bundle.js'));
  check(docs.status === 200 && (await docs.text()).length > 100_000, `GET /docs/static/swagger-ui-bundle.js → 200, Swagger UI's own file (${docs.status})`);
  const weak = await fetch(url('/auth/register'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: `weak-${email}`, password: 'password123' }) });
  const weakBody = await weak.json() as { detail?: { code?: string } };
  check(weak.status === 400 && weakBody.detail?.code === 'REGISTER_INVALID_PASSWORD', `a common password is refused from the breached list (${weak.status} ${JSON.stringify(weakBody)})`);

  const healthz = await fetch(url('/healthz'));
  check(healthz.status === 200, `GET /healthz → 200 (${healthz.status})`);
  const spa = await fetch(url('/'));
  check(spa.status === 200 && (spa.headers.get('content-type') ?? '').startsWith('text/html'), `GET / serves the web app (${spa.status})`);

  if (health) {
    const h = spawnSync(health[0]!, health.slice(1), { encoding: 'utf8', timeout: 30_000 });
    check(h.status === 0, `the image's HEALTHCHECK command exits 0 (${h.status}${h.stderr ? `: ${h.stderr.trim()}` : ''})`);
  }

  // SIGTERM with a request in flight. `Expect: 100-continue` makes the server say when it has read the headers, so
  // the request is provably in progress (not an idle connection) when the signal arrives; its body comes after.
  const body = JSON.stringify({ email: `drain-${process.pid}@example.com`, password });
  const sock = connect(Number(base.port), base.hostname);
  await once(sock, 'connect');
  let answer = '';
  sock.on('data', (d: Buffer) => { answer += d; });
  sock.write(`POST /auth/register HTTP/1.1\r\nHost: ${base.host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`);
  await waitFor('100 Continue', async () => (answer.includes('100 Continue') ? true : undefined), 10_000);
  step('a request is in flight (headers read, body not yet sent)');

  server.kill('SIGTERM');
  step('SIGTERM sent');
  await waitFor('the listener to close', () => new Promise<true | undefined>((resolve) => {
    const c = connect(Number(base.port), base.hostname);
    c.once('connect', () => { c.destroy(); resolve(undefined); });
    c.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED' || err.code === 'ECONNRESET' ? true : undefined));
  }), 15_000);
  step('ok: new connections are refused after SIGTERM');
  check(!gone, 'the process is still running while its request is in flight');

  sock.write(body);
  await waitFor('the in-flight answer', async () => (/\r\n\r\n\{.*\}$/s.test(answer.split('100 Continue\r\n\r\n')[1] ?? '') ? true : undefined), 15_000);
  const status = /HTTP\/1\.1 (\d{3})/.exec(answer.split('100 Continue\r\n\r\n')[1] ?? '')?.[1];
  check(status === '201', `the in-flight request finished with 201 after SIGTERM (${status})`);
  sock.destroy();

  const [code, signal] = await Promise.race([exited, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`no exit 15 s after SIGTERM:\n${log}`)), 15_000))]);
  check(code === 0, `the process exited 0 after draining (code ${code}, signal ${signal})`);
  check(/"msg":"stopped"/.test(log), 'it logged "stopped"');
  step(`passed in ${elapsed()}`);
} catch (err) {
  if (!gone) server.kill('SIGKILL');
  console.error(String((err as Error).message ?? err));
  console.error(`--- server output ---\n${log.slice(-4000)}`);
  process.exitCode = 1;
}

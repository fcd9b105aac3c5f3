// A server under test as a real child process: spawn it, wait until it answers, stop it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface ServerProcess {
  name: string;
  /** e.g. http://127.0.0.1:8000 */
  origin: string;
  pid: number;
  /** Cold start: milliseconds from the spawn to the first 200 on readyPath (polled every 20 ms). */
  readyMs: number;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`; says which ended it. */
  stop(graceMs?: number): Promise<'exited' | 'killed'>;
  /** Once the process has ended: "exited with code N" or "killed by SIGNAL"; undefined while it runs. */
  exitReason(): string | undefined;
  /** The last 40 lines it printed (stdout and stderr). */
  output(): string;
}

/** The server exited, or never answered, before it was ready. Carries the end of its output. */
export class ServerStartError extends Error {
  constructor(name: string, why: string, output: string) {
    super(`${name} did not start: ${why}${output ? `\n--- last output of ${name} ---\n${output}` : ''}`);
    this.name = 'ServerStartError';
  }
}

export interface StartOptions {
  name: string;
  /** Absolute path of the script that node runs. */
  script: string;
  args?: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  host: string;
  port: number;
  /** GET path that answers 200 once the server is ready. */
  readyPath: string;
  timeoutMs?: number;
}

/** Children still running: killed if the benchmark itself exits early (crash, Ctrl-C). */
const live = new Set<ChildProcess>();
process.once('exit', () => { for (const c of live) c.kill('SIGKILL'); });

/** A port free on `host` right now (the OS picks it); the server is given it explicitly. */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Starts `node <script> <args>` and resolves once GET readyPath answers 200. Throws ServerStartError otherwise. */
export async function startServer(o: StartOptions): Promise<ServerProcess> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [o.script, ...(o.args ?? [])], { cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const output = tail(child, 40);
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) => child.once('exit', (code, signal) => {
    live.delete(child);
    exited = signal ? `killed by ${signal}` : `exited with code ${code}`;
    resolve();
  }));
  child.once('error', (err) => { exited = err.message; });

  const origin = `http://${o.host}:${o.port}`;
  const deadline = Date.now() + (o.timeoutMs ?? 30_000);
  for (;;) {
    if (exited) throw new ServerStartError(o.name, exited, output());
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exit;
      throw new ServerStartError(o.name, `no answer from ${origin}${o.readyPath} within ${o.timeoutMs ?? 30_000} ms`, output());
    }
    try {
      const r = await fetch(`${origin}${o.readyPath}`, { signal: AbortSignal.timeout(1000) });
      await r.arrayBuffer();
      if (r.status === 200) break;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 20));
  }
  const readyMs = Math.round(performance.now() - t0);

  return {
    name: o.name, origin, pid: child.pid!, readyMs,
    exitReason: () => exited,
    output,
    async stop(graceMs = 15_000) {
      if (exited) return 'exited';
      let killed = false;
      child.kill('SIGTERM');
      const timer = setTimeout(() => { killed = true; child.kill('SIGKILL'); }, graceMs);
      await exit;
      clearTimeout(timer);
      return killed ? 'killed' : 'exited';
    },
  };
}

/** Keeps the last `lines` lines of the child's stdout and stderr (the pipes must be drained anyway). */
function tail(child: ChildProcess, lines: number): () => string {
  const kept: string[] = [];
  const keep = (chunk: Buffer) => {
    kept.push(...chunk.toString('utf8').split('\n').filter((l) => l.length > 0));
    if (kept.length > lines) kept.splice(0, kept.length - lines);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return () => kept.join('\n');
}

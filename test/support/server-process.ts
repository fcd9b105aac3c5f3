// A real `gatehouse serve` process on 127.0.0.1, for tests that need several instances or a process to kill.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './net.ts';
import { TEST_SECRET } from './harness.ts';

const ROOT = join(import.meta.dirname, '..', '..');

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

/**
 * Starts `node src/bin.ts serve` (or another entry: the built server's) with the given settings and resolves once
 * /healthz answers (bounded).
 */
export async function startServerProcess(env: Record<string, string>, timeoutMs = 60_000, args: string[] = [], entry = join(ROOT, 'src', 'bin.ts')): Promise<ServerProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [entry, 'serve', ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NODE_ENV: 'test', APP_SECRET: TEST_SECRET, LOG_LEVEL: 'warn',
      ARGON2_MEMORY_KIB: '256', ARGON2_ITERATIONS: '1', HASH_WORKERS: '1', RATE_LIMITS: 'false', HOST: '127.0.0.1', PORT: String(port), PUBLIC_URL: url, ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (graceMs = 10_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`gatehouse exited with ${child.exitCode} before answering:\n${out}`);
    try {
      if ((await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) })).ok) return { url, child, output: () => out, stop };
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop(0);
  throw new Error(`gatehouse did not answer within ${timeoutMs} ms:\n${out}`);
}

/**
 * `gatehouse serve --workers N` on the given settings (LOG_LEVEL info, so each worker's start line can be read),
 * resolved once every worker listens: the port answers as soon as the first one does.
 */
export async function startCluster(env: Record<string, string>, workers = 2, timeoutMs = 90_000): Promise<ServerProcess> {
  const server = await startServerProcess({ LOG_LEVEL: 'info', ...env }, timeoutMs, ['--workers', String(workers)]);
  const deadline = Date.now() + timeoutMs;
  while ((server.output().match(/gatehouse is serving/g) ?? []).length < workers) {
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`only some of the ${workers} workers started:\n${server.output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return server;
}

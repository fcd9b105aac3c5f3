// One cold start of a server process, measured from outside: the time from spawn() to its first 200 on a GET path,
// then its resident memory (VmRSS) after it has sat idle for a while, from /proc. Not lib/server.ts's startServer():
// this polls every 5 ms (that one every 20 ms), each GET on a fresh connection, and reads the CPU the start used.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';

export interface StartSpec {
  /** Node arguments: the script and its own arguments. */
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  host: string;
  port: number;
  /** GET path that answers 200 once the server is ready. */
  readyPath: string;
  /** How long to leave the server idle after its first 200 before reading its RSS. */
  idleMs: number;
}

export interface StartSample {
  /** Milliseconds from spawn() to the first 200 (polled every POLL_MS). */
  readyMs: number;
  /**
   * CPU milliseconds (user + system, all its threads) the server used until that first 200: what the start costs
   * whatever else runs on the machine (the wall time above grows with the machine's load, this much less).
   */
  cpuMs: number;
  /** VmRSS after `idleMs` of idleness, MiB. */
  rssMiB: number;
}

const POLL_MS = 5;
const TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 12_000;

/** VmRSS of `pid` in MiB, from /proc/<pid>/status (Linux). */
export function rssMiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for process ${pid}`);
  return Number(m[1]) / 1024;
}

/** User + system CPU milliseconds of `pid` so far, from /proc/<pid>/stat (fields 14 and 15, in clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The status of one GET on a fresh connection, or undefined when nothing answers (not listening yet). */
function statusOf(host: string, port: number, path: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request({ host, port, path, agent: false, timeout: 1000 }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode));
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(undefined));
    req.end();
  });
}

/** Starts the server, times it to its first 200, waits idle, reads its RSS, stops it. */
export async function coldStart(spec: StartSpec): Promise<StartSample> {
  const t0 = performance.now();
  const child = spawn(process.execPath, spec.args, { cwd: spec.cwd, env: spec.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => { stderr = (stderr + c.toString('utf8')).slice(-4000); });
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) => child.once('exit', (code, signal) => {
    exited = signal ? `killed by ${signal}` : `exited with code ${code}`;
    resolve();
  }));
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  try {
    for (;;) {
      if (exited) throw new Error(`${spec.args.join(' ')} ${exited} before answering\n${stderr}`);
      if (performance.now() - t0 > TIMEOUT_MS) throw new Error(`${spec.args.join(' ')}: no 200 on ${spec.readyPath} within ${TIMEOUT_MS} ms\n${stderr}`);
      if (await statusOf(spec.host, spec.port, spec.readyPath) === 200) break;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    const readyMs = performance.now() - t0;
    const cpu = cpuMs(child.pid!);
    await new Promise((r) => setTimeout(r, spec.idleMs));
    return { readyMs, cpuMs: cpu, rssMiB: rssMiB(child.pid!) };
  } finally {
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(kill, STOP_GRACE_MS);
      await exit;
      clearTimeout(timer);
    }
    process.removeListener('exit', kill);
  }
}

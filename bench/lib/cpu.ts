// CPU used during a measured run, by the server and by the load generator. On a small machine they share the
// cores, so a low req/s next to a load generator at ~100% means the generator, not the server, was the limit.
import { readFileSync, readdirSync } from 'node:fs';

/** Linux's USER_HZ, the unit of /proc/<pid>/stat times; 100 on every mainstream architecture. */
const CLOCK_TICKS = 100;

/** The name and user + system CPU seconds in a /proc/.../stat file (see proc_pid_stat(5)). */
function readStat(path: string): { comm: string; seconds: number } {
  const stat = readFileSync(path, 'utf8');
  // The name is in parentheses and may hold spaces; after it come state (field 3) … utime (14) and stime (15).
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  return { comm: stat.slice(stat.indexOf('(') + 1, close), seconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS };
}

/** User + system CPU seconds of a process so far (all its threads); undefined where /proc is unavailable. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    return readStat(`/proc/${pid}/stat`).seconds;
  } catch {
    return undefined;
  }
}

/** Node's thread names (comm), grouped: where a Node server spends its CPU. */
const THREAD_GROUPS: Record<string, string> = { MainThread: 'main', WorkerThread: 'workers', 'libuv-worker': 'libuv', V8Worker: 'v8' };

/** CPU seconds so far of a process's live threads, summed per THREAD_GROUPS group ('other' for the rest). */
export function threadCpuSeconds(pid: number): Record<string, number> | undefined {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  const out: Record<string, number> = {};
  for (const tid of tids) {
    try {
      const { comm, seconds } = readStat(`/proc/${pid}/task/${tid}/stat`);
      const group = THREAD_GROUPS[comm] ?? 'other';
      out[group] = (out[group] ?? 0) + seconds;
    } catch { /* the thread just ended */ }
  }
  return out;
}

/** Busy CPU seconds of the whole machine so far (all cores, every process); undefined where /proc is unavailable. */
export function machineCpuSeconds(): number | undefined {
  try {
    // "cpu user nice system idle iowait irq softirq steal ...": busy = all but idle and iowait.
    const ticks = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
    return (total - ticks[3]! - ticks[4]!) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

export interface CpuShare {
  server?: number;
  /** The server's CPU by thread group: main (event loop), workers (worker threads: the hash pool), libuv, v8, other. */
  serverThreads?: Record<string, number>;
  load: number;
  /** Everything else on the machine: other programs (noise), and in the mixed run the other load generator. */
  other?: number;
}

/**
 * Starts a measurement window; calling the returned function ends it and gives the percent of one core
 * (200 = two cores busy) that `serverPid`, this process, and the rest of the machine used meanwhile.
 */
export function cpuWindow(serverPid?: number): () => CpuShare {
  const server0 = serverPid === undefined ? undefined : processCpuSeconds(serverPid);
  const threads0 = serverPid === undefined ? undefined : threadCpuSeconds(serverPid);
  const machine0 = machineCpuSeconds();
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  return () => {
    const wall = (performance.now() - t0) / 1000;
    const pct = (seconds: number) => Math.max(0, Math.round((seconds / wall) * 100));
    const server1 = serverPid === undefined ? undefined : processCpuSeconds(serverPid);
    const threads1 = serverPid === undefined ? undefined : threadCpuSeconds(serverPid);
    const machine1 = machineCpuSeconds();
    const selfUsage = process.cpuUsage(self0);
    const self = (selfUsage.user + selfUsage.system) / 1e6;
    const server = server0 !== undefined && server1 !== undefined ? server1 - server0 : undefined;
    const machine = machine0 !== undefined && machine1 !== undefined ? machine1 - machine0 : undefined;
    return {
      load: pct(self),
      ...(server !== undefined ? { server: pct(server) } : {}),
      ...(threads0 && threads1
        ? { serverThreads: Object.fromEntries(Object.entries(threads1).map(([g, t]) => [g, pct(t - (threads0[g] ?? 0))])) }
        : {}),
      ...(server !== undefined && machine !== undefined ? { other: pct(machine - server - self) } : {}),
    };
  };
}

/**
 * Waits until `pid` has been idle (under 5% of a core over 250 ms), at most `timeoutMs`: work queued by the previous
 * load (e.g. hashes of requests whose client has gone) must not run into the next measurement.
 */
export async function settle(pid: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let before = processCpuSeconds(pid);
  while (before !== undefined && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    const now = processCpuSeconds(pid);
    if (now === undefined || now - before < 0.0125) return;
    before = now;
  }
}

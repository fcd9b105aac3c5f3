// runLoad() against a server made of several processes (a node:cluster primary and its workers), with the CPU of
// the whole process tree: load-child.ts only measures one pid. The warm-up runs as a load of its own first, so the
// tree's CPU counted around the measured load is that load's (the server is idle while the next load process
// starts, a fraction of a second); the percentages are over the measured run's duration, as cpu.ts's. The local
// PostgreSQL server's processes are counted apart (all of them: other clients' queries too), so that "other" is
// what other programs took.
import { runLoad, type LoadResult, type LoadSpec } from './load.ts';
import { machineCpuSeconds } from './cpu.ts';
import { processRoots, processTree, settleTree, treeCpuDelta, treeCpuSeconds } from './process-tree.ts';

export interface TreeLoadResult extends LoadResult {
  /** Processes of the server's tree during the run (1 + workers for a cluster). */
  serverProcesses: number;
  /** Percent of one core each of them used, the root (the cluster's primary) first: is the load shared? */
  serverProcessCpu: number[];
  /** Percent of one core used by the local PostgreSQL server's processes; absent when none runs here. */
  postgresCpu?: number;
}

/** CPU snapshots of every local PostgreSQL server (its postmaster's tree). */
const postgresCpu = (): Map<number, number>[] => processRoots('postgres').map(treeCpuSeconds);

/** Runs `spec` (warm-up, then the measured load) against the server whose root process is `rootPid`. */
export async function runTreeLoad(spec: Omit<LoadSpec, 'serverPid'>, rootPid: number): Promise<TreeLoadResult> {
  await settleTree(rootPid);
  if (spec.warmup > 0) await runLoad({ ...spec, title: `${spec.title} (warm-up)`, duration: spec.warmup, warmup: 0 });
  const before = treeCpuSeconds(rootPid);
  const pg0 = postgresCpu();
  const machine0 = machineCpuSeconds();
  const t0 = performance.now();
  const load = await runLoad({ ...spec, warmup: 0 });
  const wall = (performance.now() - t0) / 1000;
  const machine1 = machineCpuSeconds();
  const after = treeCpuSeconds(rootPid);
  const pg1 = postgresCpu();
  const pg = pg0.length === 0 ? undefined
    : Math.round((pg1.reduce((sum, snap, i) => sum + treeCpuDelta(pg0[i] ?? new Map(), snap), 0) / load.duration) * 100);
  const server = Math.round((treeCpuDelta(before, after) / load.duration) * 100);
  // Machine-wide busy time over the wall time around the load (which includes starting its process): "other" is
  // what remains once the server, the load generator and PostgreSQL are taken out: other programs.
  const machine = machine0 !== undefined && machine1 !== undefined ? Math.round(((machine1 - machine0) / wall) * 100) : undefined;
  return {
    ...load,
    cpu: {
      server,
      load: load.cpu.load,
      ...(machine !== undefined ? { other: Math.max(0, machine - server - load.cpu.load - (pg ?? 0)) } : {}),
    },
    serverProcesses: after.size,
    ...(pg !== undefined ? { postgresCpu: pg } : {}),
    serverProcessCpu: [...after].map(([pid, s]) => Math.round(((s - (before.get(pid) ?? s)) / load.duration) * 100)),
  };
}

/**
 * Waits until `rootPid` has `processes` processes and all of them are idle: a cluster's workers are forked after the
 * primary answers, and a connection accepted before a worker listens would go to the other for the whole load
 * (autocannon keeps its connections open), so every worker must be up before a load opens its connections.
 */
export async function waitForProcesses(rootPid: number, processes: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (processTree(rootPid).length < processes) {
    if (Date.now() > deadline) throw new Error(`server ${rootPid}: ${processes} processes expected, ${processTree(rootPid).length} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await settleTree(rootPid);
  await new Promise((r) => setTimeout(r, 500));
}

/** "other" CPU above this (percent of one core) during a load means other programs took a real share of the cores. */
export const NOISE_PCT = 25;

/** A warning naming the loads that other programs disturbed, or undefined when none was. */
export function noiseWarning(loads: { label: string; load: TreeLoadResult }[]): string | undefined {
  const noisy = loads.filter(({ load }) => (load.cpu.other ?? 0) > NOISE_PCT);
  if (noisy.length === 0) return undefined;
  return `WARNING: other programs used CPU during ${noisy.map(({ label, load }) => `${label} (${load.cpu.other}%)`).join(', ')}: `
    + 'those numbers are low and the comparison is unreliable; run again on a quiet machine.';
}

// CPU of a process and all its descendants: `gatehouse serve --workers N` is a node:cluster primary and N worker
// processes, and a server's CPU is the sum of them all (cpu.ts measures one pid). Linux /proc only.
import { readFileSync, readdirSync } from 'node:fs';
import { processCpuSeconds, settle } from './cpu.ts';

/** The name and parent pid of `pid`, from /proc/<pid>/stat (comm in parentheses; ppid is field 4). */
function statOf(pid: number): { comm: string; parent: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    return { comm: stat.slice(stat.indexOf('(') + 1, close), parent: Number(stat.slice(close + 2).split(' ')[1]) };
  } catch {
    return undefined; // gone meanwhile
  }
}
const parentOf = (pid: number): number | undefined => statOf(pid)?.parent;

const pids = (): number[] => readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);

/**
 * Processes named `comm` whose parent is not: e.g. "postgres" gives each PostgreSQL server's postmaster, whose
 * tree is that server's backends (also readable as another user: /proc/<pid>/stat is public).
 */
export function processRoots(comm: string): number[] {
  return pids().filter((pid) => {
    const s = statOf(pid);
    return s?.comm === comm && statOf(s.parent)?.comm !== comm;
  });
}

/** `pid` and every live descendant of it. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const child of pids()) {
    const parent = parentOf(child);
    if (parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const out: number[] = [];
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...(children.get(p) ?? []));
  }
  return out;
}

/** User + system CPU seconds so far of each process of the tree, by pid. */
export function treeCpuSeconds(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const p of processTree(pid)) {
    const s = processCpuSeconds(p);
    if (s !== undefined) out.set(p, s);
  }
  return out;
}

/** CPU seconds the tree used between two snapshots (processes present in both: a worker is not restarted mid-run). */
export function treeCpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, s] of after) sum += s - (before.get(pid) ?? s);
  return sum;
}

/** Waits until every process of the tree is idle (cpu.ts settle, one after the other). */
export async function settleTree(pid: number): Promise<void> {
  for (const p of processTree(pid)) await settle(p);
}

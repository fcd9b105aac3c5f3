// After `gatehouse serve` has started: one memory-reducing garbage collection (issue #17).
//
// Starting allocates briskly (configuration, schemas, routes, migrations), so V8 grows its young generation, and it
// gives that back only in a later collection, which an idle server never has: a started server (the built one,
// SQLite) held ~9.6 MiB of young generation with under 1 MiB in use for as long as it idled (watched for 45 s). One
// collection of the kind V8 runs under memory pressure ("last resort": full and compacting, the young generation
// shrunk) returns it: idle RSS 96 -> 85 MiB, for ~45 ms of the main thread, once, a second after listening, when the
// start's own requests (probes, the first clients) have come and gone. Under traffic V8 sizes the young generation
// again as the allocation rate asks; nothing else changes.
//
// Node has no API for it. V8 installs its `gc` function in contexts created while --expose-gc is set, so the flag is on
// only while one context is made, then off again (the way Jest's leak detector reaches it); the server's own global
// scope never gets a `gc`. Where that does not work (another engine, a flag renamed), nothing happens.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type GcOptions = { type: 'major'; execution: 'async'; flavor: 'last-resort' };

/** V8's `gc`, reached without exposing it to the process; undefined when it cannot be had. */
function v8Gc(): ((options: GcOptions) => Promise<void>) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('typeof gc === "function" ? gc : undefined');
    return typeof gc === 'function' ? gc as (options: GcOptions) => Promise<void> : undefined;
  } catch {
    return undefined;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

/** Runs the collection now; resolves true once it ran, false when this Node offers no way to. */
export async function settleHeap(): Promise<boolean> {
  const gc = v8Gc();
  if (!gc) return false;
  await gc({ type: 'major', execution: 'async', flavor: 'last-resort' });
  return true;
}

/** Schedules settleHeap() `delayMs` after now, without keeping the process alive for it. */
export function settleHeapSoon(delayMs = 1000): void {
  setTimeout(() => void settleHeap(), delayMs).unref();
}

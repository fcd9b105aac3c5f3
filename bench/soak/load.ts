// The soak's load generator, in a process of its own (forked by run.ts) so that its event loop, heap and GC share
// nothing with the orchestrator that samples the server's memory. A fixed number of actors (actor.ts), each at
// a fixed pace: the load is bounded, whatever the server's speed. Receives a SoakLoadSpec; sends progress every
// `progressMs`, then the result.
import { fork } from 'node:child_process';
import { Actor, pickAction } from './actor.ts';
import { Tally, type TallySummary } from './tally.ts';

export interface SoakLoadSpec {
  origin: string;
  /** Actors, each with at most one request in flight (so at most this many connections). */
  connections: number;
  /** Actions per second, all actors together (a relogin or registration is two requests). */
  rate: number;
  durationMs: number;
  progressMs: number;
  /** Unique per run, in every address registered. */
  runId: string;
}

export interface SoakProgress { requests: number; errors: number }
export interface SoakLoadResult { tally: TallySummary; seconds: number; actions: number }

type Message = { progress: SoakProgress } | { result: SoakLoadResult } | { error: string };

/** Runs the load in a child process; `onProgress` is told the running totals. */
export function runSoakLoad(spec: SoakLoadSpec, onProgress: (p: SoakProgress) => void): { done: Promise<SoakLoadResult>; stop(): void } {
  const child = fork(new URL(import.meta.url), ['--child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const done = new Promise<SoakLoadResult>((resolve, reject) => {
    let result: SoakLoadResult | undefined, error: string | undefined;
    child.on('message', (m: Message) => {
      if ('progress' in m) onProgress(m.progress);
      else if ('result' in m) result = m.result;
      else error = m.error;
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (result) resolve(result);
      else reject(new Error(`soak load: ${error ?? `exited (${signal ?? code}) with no result`}`));
    });
  });
  child.send(spec);
  return { done, stop: () => { if (child.connected) child.send('stop'); } };
}

async function run(spec: SoakLoadSpec, stopped: () => boolean): Promise<SoakLoadResult> {
  const tally = new Tally();
  const start = performance.now();
  const deadline = start + spec.durationMs;
  const interval = (1000 * spec.connections) / spec.rate; // ms between two actions of one actor
  let actions = 0;
  const progress = setInterval(() => process.send!({ progress: tally.totals() } satisfies Message), spec.progressMs);
  const loop = async (i: number) => {
    const actor = new Actor(spec.origin, tally, `${spec.runId}-${i}`);
    let next = start + (interval * i) / spec.connections; // spread the actors' start over one interval
    while (!stopped()) {
      const wait = Math.min(next, deadline) - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (performance.now() >= deadline || stopped()) break;
      await actor.act(pickAction(Math.random()));
      actions++;
      // The next slot; after a slow answer the actor does not race to catch up (no bursts), it resumes the pace.
      next = Math.max(next + interval, performance.now());
    }
  };
  await Promise.all(Array.from({ length: spec.connections }, (_, i) => loop(i)));
  clearInterval(progress);
  return { tally: tally.summary(), seconds: (performance.now() - start) / 1000, actions };
}

if (process.argv.includes('--child')) {
  process.once('disconnect', () => process.exit(1)); // the orchestrator is gone: stop loading its server
  let stop = false;
  process.on('message', (m: SoakLoadSpec | 'stop') => {
    if (m === 'stop') { stop = true; return; }
    run(m, () => stop).then(
      (result) => process.send!({ result } satisfies Message, () => process.exit(0)),
      (err: unknown) => process.send!({ error: (err as Error)?.message ?? String(err) } satisfies Message, () => process.exit(1)),
    );
  });
}

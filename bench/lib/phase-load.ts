// A load that runs in phases on command, in its own process, with its connections kept open in between: for
// comparisons that alternate quickly between loading the server and measuring something else (main/interleave.ts).
// autocannon (load.ts) starts a process and opens its connections for every run, and costs ~0.2 ms of CPU per
// request (~4 % of a core at 200 logins/s, on the same two cores as the server); this client costs a fraction of it.
import { fork, type ChildProcess } from 'node:child_process';

export interface PhaseRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Each request registers a new address: {"email": "<prefix>-<n>@bench.example.com", "password"} (instead of body). */
  uniqueEmail?: { prefix: string; password: string };
}

export interface PhaseSpec {
  host: string;
  port: number;
  connections: number;
  request: PhaseRequest;
  /** An answer that has not come after this long is a timeout, and its connection is replaced (10 s in the bench). */
  timeoutMs: number;
}

export interface PhaseResult {
  /** Measured seconds (after the phase's warm-up). */
  seconds: number;
  /** Answers (any status) that arrived within the measured seconds, and the 2xx ones among them. */
  completed: number;
  ok: number;
  /** 2xx answers per measured second. */
  rps: number;
  /** Every answer of the phase by status, warm-up and drain included; and the failures anywhere in the phase. */
  statusCodes: Record<string, number>;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** The load generator's own CPU over the whole phase, percent of one core. */
  cpuPercent: number;
}

export interface PhaseLoad {
  /** Loads for `warmup` + `seconds`, counting what completes in the last `seconds`; resolves once nothing is in flight. */
  run(warmup: number, seconds: number): Promise<PhaseResult>;
  close(): void;
}

const CHILD = new URL('./phase-load-child.ts', import.meta.url);

export function startPhaseLoad(spec: PhaseSpec): Promise<PhaseLoad> {
  const child: ChildProcess = fork(CHILD, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let waiting: { resolve: (r: PhaseResult) => void; reject: (e: Error) => void } | undefined;
  const fail = (why: string) => {
    waiting?.reject(new Error(`phase load: ${why}`));
    waiting = undefined;
  };
  child.on('exit', (code, signal) => fail(`exited (${signal ?? code})`));
  child.on('error', (err) => fail(err.message));
  return new Promise((ready, refuse) => {
    child.once('message', (msg: { ready?: boolean }) => {
      if (!msg.ready) return refuse(new Error('phase load: unexpected first message'));
      child.on('message', (m: { result: PhaseResult }) => {
        waiting?.resolve(m.result);
        waiting = undefined;
      });
      ready({
        run: (warmup, seconds) => new Promise((resolve, reject) => {
          if (waiting) return reject(new Error('phase load: a phase is already running'));
          // A phase ends at most one timeout after its last request; past that, something is wrong in the client.
          const deadline = setTimeout(() => fail(`no result ${warmup + seconds} s + ${spec.timeoutMs} ms + 5 s after the phase started`),
            (warmup + seconds) * 1000 + spec.timeoutMs + 5000);
          waiting = {
            resolve: (r) => { clearTimeout(deadline); resolve(r); },
            reject: (e) => { clearTimeout(deadline); reject(e); },
          };
          child.send({ run: { warmup, seconds } });
        }),
        close: () => { child.kill(); },
      });
    });
    child.once('exit', () => refuse(new Error('phase load: exited before it was ready')));
    child.send({ start: spec });
  });
}

// Overload (issue #17, goal 2): logins offered at twice the rate the server can hash them, while the /users/me
// probe runs. What the goal asks: the accepted logins' p99 within 2x their p50 (they do not queue up), the rest
// refused early with 503 + Retry-After (never a timeout), and reads' p99 <= 25 ms meanwhile.
//
// 1. Capacity: the logins per second the server answers 200 while the open loop offers far more (CAPACITY_RATE for
//    5 s), counted from 1 s in. (Measured on the server under load rather than as the raw argon2id rate next to it:
//    on a shared machine the CPU the hash threads get drifts too much between two measurements.)
// 2. Overload: an open loop (open-loop.ts) offering 2x that rate for BENCH_OVERLOAD_SECONDS (default 10), each
//    login on an idle keep-alive connection or a new one, in turn as ACCOUNTS accounts (so that what is measured is
//    the hash queue, not one account's login throttle); the /users/me probe (the core bench's: 4 connections x 50
//    req/s, autocannon) from 1 s in to 1 s before the end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../lib/server.ts';
import { startGatehouse } from '../lib/gatehouse.ts';
import { createUser } from '../lib/fixtures.ts';
import { runLoad, type LoadResult } from '../lib/load.ts';
import { settle } from '../lib/cpu.ts';
import { percentile, runOpenLoop, type OpenLoopResult } from './open-loop.ts';

const HOST = '127.0.0.1';
const PASSWORD = 'bench password, long enough';
/** The goals. */
export const ACCEPTED_P99_OVER_P50 = 2;
export const READ_P99_MS = 25;
/** "Refused early": the median 503 comes at once (within this), not after waiting in the queue. */
export const REFUSED_P50_MS = 100;
const PROBE = { connections: 4, connectionRate: 50 };
const ACCOUNTS = 100;
const CAPACITY_RATE = 200;

export interface OverloadReport {
  settings: { seconds: number; hashWorkers: number; hashQueueMax: number | string; hashQueueTimeoutMs: number; overloadFactor: number };
  capacity: number;
  offered: number;
  logins: { sent: number; unsent: number; accepted: number; refused: number; other: Record<string, number>; errors: number; timeouts: number;
    acceptedMs: { p50: number; p90: number; p99: number; max: number }; refusedMs: { p50: number; p99: number; max: number }; retryAfter: Record<string, number>;
    refusedAs: OpenLoopResult['refusedAs'] };
  probe: LoadResult;
  bars: { name: string; target: string; measured: string; pass: boolean }[];
}

const r1 = (x: number) => Math.round(x * 10) / 10;

export async function measureOverload(say: (line: string) => void, o: { seconds: number; factor: number; queueTimeoutMs?: number; rate?: number }): Promise<OverloadReport> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-overload-'));
  const env: Record<string, string> = o.queueTimeoutMs === undefined ? {} : { HASH_QUEUE_TIMEOUT_MS: String(o.queueTimeoutMs) };
  const { server, config } = await startGatehouse(dir, HOST, await freePort(HOST), { env });
  try {
    const me = await createUser(server.origin, 'me@bench.example.com', PASSWORD);
    say(`  registering ${ACCOUNTS} accounts`);
    const accounts: string[] = [];
    for (let i = 0; i < ACCOUNTS; i += 10) {
      accounts.push(...await Promise.all(Array.from({ length: 10 }, async (_, j) => {
        const email = `login-${i + j}@bench.example.com`;
        for (let attempt = 1; ; attempt++) {
          const r = await fetch(`${server.origin}/auth/register`, {
            method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }),
          });
          await r.arrayBuffer();
          if (r.status === 201) return email;
          // A busy machine and a short HASH_QUEUE_TIMEOUT_MS: the server says when to come back.
          if (r.status !== 503 || attempt === 5) throw new Error(`register: ${r.status}`);
          await new Promise((resolve) => setTimeout(resolve, Number(r.headers.get('retry-after') ?? 1) * 1000));
        }
      })));
    }
    const bodies = accounts.map((username) => new URLSearchParams({ username, password: PASSWORD }).toString());
    const request = { method: 'POST' as const, path: '/auth/jwt/login', headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    const { port } = new URL(server.origin);

    const open = {
      host: HOST, port: Number(port), method: request.method, path: request.path, headers: request.headers, bodies, maxConnections: 1000, timeoutMs: 10_000,
      warmupSeconds: 0,
    };
    say(`  capacity: logins answered 200 per second while ${CAPACITY_RATE}/s are offered, 5 s`);
    await settle(server.pid);
    const capacity = (await runOpenLoop({ ...open, rate: CAPACITY_RATE, seconds: 5 })).okInWindow / 4;
    const offered = o.rate ?? Math.round(capacity * o.factor);
    // Until a full queue's worth of waiting has passed, the queue is still filling: those logins are left out.
    const warmupSeconds = Math.ceil(config.hashQueue.timeoutMs / 1000) + 1;
    say(`  overload: ${offered} logins/s offered (${o.factor}x ${r1(capacity)}/s) for ${warmupSeconds} s (warm-up) + ${o.seconds} s, /users/me probe meanwhile`);
    await settle(server.pid);
    const [logins, probe] = await Promise.all([
      runOpenLoop({ ...open, rate: offered, seconds: warmupSeconds + o.seconds, warmupSeconds }),
      new Promise<void>((r) => setTimeout(r, (warmupSeconds + 1) * 1000)).then(() => runLoad({
        title: 'GET /users/me probe (login overload)', origin: server.origin, serverPid: server.pid, path: '/users/me',
        headers: { authorization: `Bearer ${me.token}` }, ...PROBE, duration: Math.max(1, o.seconds - 2), warmup: 0,
      })),
    ]);
    return report(logins, probe, capacity, offered, {
      seconds: o.seconds, hashWorkers: config.hashWorkers, hashQueueMax: config.hashQueue.maxQueued ?? `default (64 x ${config.hashWorkers})`,
      hashQueueTimeoutMs: config.hashQueue.timeoutMs, overloadFactor: o.factor,
    });
  } finally {
    await server.stop(12_000);
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(l: OpenLoopResult, probe: LoadResult, capacity: number, offered: number, settings: OverloadReport['settings']): OverloadReport {
  const ok = Object.entries(l.latencies).filter(([s]) => s.startsWith('2')).flatMap(([, xs]) => xs);
  const refused = l.latencies['503'] ?? [];
  const other = Object.fromEntries(Object.entries(l.latencies).filter(([s]) => !s.startsWith('2') && s !== '503').map(([s, xs]) => [s, xs.length]));
  const acceptedMs = { p50: r1(percentile(ok, 50)), p90: r1(percentile(ok, 90)), p99: r1(percentile(ok, 99)), max: r1(percentile(ok, 100)) };
  const refusedMs = { p50: r1(percentile(refused, 50)), p99: r1(percentile(refused, 99)), max: r1(percentile(refused, 100)) };
  const withoutRetryAfter = l.retryAfter.none ?? 0;
  const failures = l.errors + l.timeouts + Object.values(other).reduce((a, b) => a + b, 0);
  const probeFailures = probe.errors + probe.timeouts + probe.non2xx;
  const bars = [
    {
      name: 'accepted logins under 2x overload', target: `p99 <= ${ACCEPTED_P99_OVER_P50} x p50`,
      measured: `p50 ${acceptedMs.p50} ms, p99 ${acceptedMs.p99} ms (${r1(acceptedMs.p99 / acceptedMs.p50)}x); ${ok.length} accepted after the warm-up = ${r1(ok.length / settings.seconds)}/s`,
      pass: ok.length > 0 && acceptedMs.p99 <= ACCEPTED_P99_OVER_P50 * acceptedMs.p50,
    },
    {
      name: 'the rest refused early', target: `503 + Retry-After, p50 <= ${REFUSED_P50_MS} ms; no timeout, error or other status`,
      measured: `${refused.length} refused (p50 ${refusedMs.p50} ms, p99 ${refusedMs.p99} ms; ${l.refusedAs.arrival} as they came, `
        + `${l.refusedAs.deadline} at their deadline, ${l.refusedAs.other} other), ${withoutRetryAfter} without Retry-After; `
        + `${l.timeouts} timeouts, ${l.errors} errors, other ${JSON.stringify(other)}; ${l.unsent} not sent (client cap)`,
      pass: failures === 0 && withoutRetryAfter === 0 && l.unsent === 0 && (refused.length === 0 || refusedMs.p50 <= REFUSED_P50_MS),
    },
    {
      name: '/users/me p99 during the login overload', target: `<= ${READ_P99_MS} ms`,
      measured: `p99 ${probe.latency.p99} ms (p50 ${probe.latency.p50} ms); ${probeFailures} failed`,
      pass: probe.latency.p99 <= READ_P99_MS && probeFailures === 0,
    },
  ];
  return {
    settings, capacity: r1(capacity), offered,
    logins: { sent: l.sent, unsent: l.unsent, accepted: ok.length, refused: refused.length, other, errors: l.errors, timeouts: l.timeouts, acceptedMs, refusedMs, retryAfter: l.retryAfter, refusedAs: l.refusedAs },
    probe, bars,
  };
}

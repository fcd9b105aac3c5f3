// The targets the issue sets, checked against one run's measurements.
import type { LoadResult } from '../lib/load.ts';
import type { Interleaved } from './interleave.ts';

/** /users/me must keep at least this share of a hello-world Fastify app's req/s. */
export const ME_SHARE_OF_HELLO = 0.4;
/** Login and register must keep at least this share of the raw argon2id hash rate. */
export const SHARE_OF_ARGON2 = 0.9;
/** /users/me p99 while login is saturated. */
export const MIXED_P99_MS = 25;

export interface Bar { name: string; target: string; measured: string; pass: boolean }

export interface BarInputs {
  hello: LoadResult;
  me: LoadResult;
  login: LoadResult;
  register: LoadResult;
  /** The /users/me probe of the mixed run. */
  mixedProbe: LoadResult;
  /** Login and register in phases alternating with the raw argon2id rate (interleave.ts). */
  argon2Shares: { login: Interleaved; register: Interleaved };
}

const failures = (r: LoadResult) => r.errors + r.timeouts + r.non2xx;
const pct = (x: number) => `${Math.round(x * 100)}%`;
const n1 = (x: number) => x.toFixed(1);

function argon2Bar(name: string, r: LoadResult, x: Interleaved): Bar {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const errors = failures(r) + x.failures;
  return {
    name,
    target: `>= ${pct(SHARE_OF_ARGON2)} of argon2 hash/s, 0 errors @ ${r.connections} conn`,
    measured: `${pct(x.share)} of raw over ${x.rounds.length} alternating phases (${n1(mean(x.rounds.map((q) => q.rps)))} req/s vs `
      + `${n1(mean(x.rounds.map((q) => q.ceiling)))} hash/s; ${pct(x.harshShare)} of the higher neighbours); ${errors} errors, timeouts or non-2xx`,
    pass: x.share >= SHARE_OF_ARGON2 && errors === 0,
  };
}

export function evaluateBars(i: BarInputs): Bar[] {
  const meShare = i.me.rps / i.hello.rps;
  return [
    {
      name: 'GET /users/me throughput',
      target: `>= ${pct(ME_SHARE_OF_HELLO)} of hello-world req/s`,
      measured: `${n1(i.me.rps)} req/s = ${pct(meShare)} of ${n1(i.hello.rps)}`,
      pass: meShare >= ME_SHARE_OF_HELLO && failures(i.me) === 0,
    },
    argon2Bar('login throughput', i.login, i.argon2Shares.login),
    argon2Bar('register throughput', i.register, i.argon2Shares.register),
    {
      name: '/users/me p99 under login load',
      target: `<= ${MIXED_P99_MS} ms`,
      measured: `p99 ${i.mixedProbe.latency.p99} ms (p50 ${i.mixedProbe.latency.p50} ms); ${failures(i.mixedProbe)} failed`,
      pass: i.mixedProbe.latency.p99 <= MIXED_P99_MS && failures(i.mixedProbe) === 0,
    },
  ];
}

// Login (or register) against the raw argon2id rate in alternating short rounds. The machine's speed drifts — raw
// argon2id moved by 25 % between two measurements a minute apart, and login once measured 9 % above a raw rate taken
// next to it — so a load compared with a ceiling measured minutes away says more about the drift than about the
// server. Here each round of the load sits between two raw measurements seconds away and is held to their mean (a
// straight line through the drift). Single raw measurements still jump by up to 30 % between neighbours 10 s apart
// on this machine, so the share held to the higher of the two is reported too: the harsher reading.
import { measureHashRate } from './hash-rate.ts';
import { runLoad, type LoadResult, type LoadSpec } from './load.ts';
import { settle } from './cpu.ts';
import type { Argon2Params } from '../src/crypto/hash-pool.ts';

export interface Round {
  /** The load's req/s in this round. */
  rps: number;
  /** The mean of the raw hash/s measured just before and just after it. */
  ceiling: number;
  /** The higher of the two. */
  highest: number;
  failures: number;
}

export interface Interleaved {
  rounds: Round[];
  /** Raw argon2id hash/s, in the order measured (one more than rounds). */
  raw: number[];
  seconds: number;
  /** The most CPU other programs used during any of its measurements (percent of one core): noise. */
  otherCpu: number;
  /** Sum of the rounds' req/s over the sum of their ceilings. */
  share: number;
  /** The same over the sum of the higher neighbours. */
  harshShare: number;
  failures: number;
}

export interface InterleaveOptions {
  spec: Omit<LoadSpec, 'duration' | 'warmup'>;
  serverPid: number;
  workers: number;
  params: Argon2Params;
  rounds: number;
  /** Measured seconds of each raw measurement and of each round of the load (after 1 s of warm-up). */
  seconds: number;
}

export async function interleave(o: InterleaveOptions): Promise<Interleaved> {
  let otherCpu = 0;
  const rawRate = async () => {
    await settle(o.serverPid);
    const r = await measureHashRate({ workers: o.workers, params: o.params, seconds: o.seconds, serverPid: o.serverPid, verify: false });
    otherCpu = Math.max(otherCpu, r.cpu.other ?? 0);
    return r.hash.perSecond;
  };
  const raw = [await rawRate()];
  const loads: LoadResult[] = [];
  for (let i = 0; i < o.rounds; i++) {
    await settle(o.serverPid);
    // Registrations need addresses no earlier round (nor the caller's own run) used.
    const reg = o.spec.uniqueRegistration;
    const spec = reg ? { ...o.spec, uniqueRegistration: { ...reg, prefix: `${reg.prefix}-round${i}` } } : o.spec;
    const load = await runLoad({ ...spec, duration: o.seconds, warmup: 1 });
    otherCpu = Math.max(otherCpu, load.cpu.other ?? 0);
    loads.push(load);
    raw.push(await rawRate());
  }
  const rounds = loads.map((l, i) => ({
    rps: l.rps, ceiling: (raw[i]! + raw[i + 1]!) / 2, highest: Math.max(raw[i]!, raw[i + 1]!), failures: l.errors + l.timeouts + l.non2xx,
  }));
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return {
    rounds, raw, seconds: o.seconds, otherCpu,
    share: sum(rounds.map((r) => r.rps)) / sum(rounds.map((r) => r.ceiling)),
    harshShare: sum(rounds.map((r) => r.rps)) / sum(rounds.map((r) => r.highest)),
    failures: sum(rounds.map((r) => r.failures)),
  };
}

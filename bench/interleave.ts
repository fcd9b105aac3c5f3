// Login (or register) against the raw argon2id rate in short alternating phases. The machine's speed drifts: raw
// argon2id moves by up to 30 % between measurements seconds apart (the CPU time one hash takes moves with it: the
// host's other tenants compete for memory bandwidth), so a load compared with a ceiling measured minutes away says
// more about the drift than about the server. Here raw and load phases of a few seconds alternate; each load phase is
// held to the mean of the raw phases just before and after it (a straight line through the drift), and the sums over
// all rounds give the share. The share held to the higher of the two neighbours is reported too: the harsher reading.
//
// Both sides stay warm across phases and nothing starts in between: the load keeps its connections open in its own
// process (phase-load.ts), the raw side keeps one HashPool (the project's own, as the server's, with the server's
// parameters and thread count) in this process. Each phase counts what completes after a short warm-up, and ends
// only when nothing is in flight, so no phase's work spills into the next.
import { HashPool, type Argon2Params } from '../src/crypto/hash-pool.ts';
import { PasswordHasher } from '../src/crypto/password-hasher.ts';
import { hashPhase } from './hash-rate.ts';
import { startPhaseLoad, type PhaseSpec } from './phase-load.ts';
import { cpuWindow } from './cpu.ts';

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
  /** Measured seconds of each phase. */
  seconds: number;
  /** The most CPU other programs used during any phase (percent of one core): noise. */
  otherCpu: number;
  /** Mean CPU during the load phases, percent of one core: the server's event loop, its hash threads, the client. */
  cpu: { main: number; workers: number; client: number };
  /** Sum of the rounds' req/s over the sum of their ceilings. */
  share: number;
  /** The same over the sum of the higher neighbours. */
  harshShare: number;
  failures: number;
}

export interface InterleaveOptions {
  spec: PhaseSpec;
  serverPid: number;
  workers: number;
  params: Argon2Params;
  rounds: number;
  /** Measured seconds of each phase. */
  seconds: number;
}

/** Seconds at the start of each phase that are not counted (a queue forming, the first batch of hashes). */
const PHASE_WARMUP = 0.25;

export async function interleave(o: InterleaveOptions): Promise<Interleaved> {
  const load = await startPhaseLoad(o.spec);
  const pool = new HashPool(o.workers);
  try {
    const hasher = new PasswordHasher(pool, o.params);
    // Jobs kept in flight: twice the threads, so the next job is waiting when a thread comes free.
    const concurrency = 2 * o.workers;
    let otherCpu = 0;
    const rawRate = async () => {
      const window = cpuWindow(o.serverPid);
      const rate = await hashPhase(hasher, concurrency, PHASE_WARMUP, o.seconds);
      otherCpu = Math.max(otherCpu, window().other ?? 0);
      return rate;
    };
    // Warm both sides once, unmeasured: threads started, connections open, the server's code compiled.
    await hashPhase(hasher, concurrency, 0.5, 0.1);
    await load.run(2, 0.1);
    const raw = [await rawRate()];
    const rounds: Round[] = [];
    const cpu = { main: 0, workers: 0, client: 0 };
    for (let i = 0; i < o.rounds; i++) {
      const window = cpuWindow(o.serverPid);
      const r = await load.run(PHASE_WARMUP, o.seconds);
      const c = window();
      otherCpu = Math.max(otherCpu, (c.other ?? 0) - r.cpuPercent);
      cpu.main += (c.serverThreads?.main ?? 0) / o.rounds;
      cpu.workers += (c.serverThreads?.workers ?? 0) / o.rounds;
      cpu.client += r.cpuPercent / o.rounds;
      raw.push(await rawRate());
      rounds.push({
        rps: r.rps, ceiling: (raw[i]! + raw[i + 1]!) / 2, highest: Math.max(raw[i]!, raw[i + 1]!),
        failures: r.errors + r.timeouts + (r.completed - r.ok),
      });
    }
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    return {
      rounds, raw, seconds: o.seconds, otherCpu: Math.max(0, otherCpu),
      cpu: { main: Math.round(cpu.main), workers: Math.round(cpu.workers), client: Math.round(cpu.client) },
      share: sum(rounds.map((r) => r.rps)) / sum(rounds.map((r) => r.ceiling)),
      harshShare: sum(rounds.map((r) => r.rps)) / sum(rounds.map((r) => r.highest)),
      failures: sum(rounds.map((r) => r.failures)),
    };
  } finally {
    load.close();
    await pool.close();
  }
}

// Login (or register) against the raw argon2id rate in short alternating phases. The machine's speed drifts: raw
// argon2id moves by up to 30 % between measurements seconds apart (the CPU time one hash takes moves with it: the
// host's other tenants compete for memory bandwidth), so a load compared with a ceiling measured minutes away says
// more about the drift than about the server. Here raw and load phases of a few seconds alternate; each load phase is
// held to the mean of the raw phases just before and after it (a straight line through the drift), and the sums over
// all rounds give the share. The share held to the higher of the two neighbours is reported too: the harsher reading.
//
// Both sides stay warm across phases and nothing starts in between: the load keeps its connections open in its own
// process (lib/phase-load.ts), the raw side keeps one HashPool (the project's own, as the server's, with the server's
// parameters and thread count) in this process, fed as the server's is under that load (as many jobs in flight as
// the load has connections, so its threads take the same batches). Each phase counts what completes after a short
// warm-up and ends only when nothing is in flight; a raw phase starts once the server has gone quiet.
import { HashPool, type Argon2Params } from '../../src/crypto/hash-pool.ts';
import { PasswordHasher } from '../../src/crypto/password-hasher.ts';
import { hashPhase, RAW_QUEUE } from './hash-rate.ts';
import { startPhaseLoad, type PhaseSpec } from '../lib/phase-load.ts';
import { cpuWindow, settle } from '../lib/cpu.ts';

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
  /**
   * Mean CPU, percent of one core: during the load phases the server's event loop, its hash threads and the client;
   * during the raw phases this process (its hash threads; its event loop idles).
   */
  cpu: { main: number; workers: number; client: number; raw: number };
  /** Sum of the rounds' req/s over the sum of their ceilings. */
  share: number;
  /** The same over the sum of the higher neighbours. */
  harshShare: number;
  /** Errors, timeouts and non-2xx answers of every load phase, its warm-up and drain included, and of the first warm-up. */
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
  const pool = new HashPool(o.workers, RAW_QUEUE);
  try {
    const hasher = new PasswordHasher(pool, o.params);
    const concurrency = o.spec.connections;
    let otherCpu = 0;
    const cpu = { main: 0, workers: 0, client: 0, raw: 0 };
    const rawRate = async () => {
      await settle(o.serverPid);
      const window = cpuWindow(o.serverPid);
      const rate = await hashPhase(hasher, concurrency, PHASE_WARMUP, o.seconds);
      const c = window();
      otherCpu = Math.max(otherCpu, c.other ?? 0);
      cpu.raw += c.load / (o.rounds + 1);
      return rate;
    };
    // Warm both sides once, unmeasured: threads started, connections open, the server's code compiled.
    await hashPhase(hasher, concurrency, 0.5, 0.1);
    const warm = await load.run(2, 0.1);
    const warmFailures = warm.errors + warm.timeouts + warm.non2xx;
    const raw = [await rawRate()];
    const rounds: Round[] = [];
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
        failures: r.errors + r.timeouts + r.non2xx,
      });
    }
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    return {
      rounds, raw, seconds: o.seconds, otherCpu: Math.max(0, otherCpu),
      cpu: { main: Math.round(cpu.main), workers: Math.round(cpu.workers), client: Math.round(cpu.client), raw: Math.round(cpu.raw) },
      share: sum(rounds.map((r) => r.rps)) / sum(rounds.map((r) => r.ceiling)),
      harshShare: sum(rounds.map((r) => r.rps)) / sum(rounds.map((r) => r.highest)),
      failures: warmFailures + sum(rounds.map((r) => r.failures)),
    };
  } finally {
    load.close();
    await pool.close();
  }
}

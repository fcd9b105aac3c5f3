// The micro-benchmarks' clock: each contender runs in short rounds, alternated A, B, A, B… so that the machine's drift
// (a shared 2-core host can change speed by tens of percent between seconds) falls on both alike, and the figure kept
// is the median round. Costs are CPU time of the whole process per operation (process.cpuUsage: the event loop and
// any thread the operation uses, such as libuv's pool for WebCrypto), which another program on the machine does not
// inflate the way it inflates wall-clock time; wall-clock per operation is shown beside it.

export interface Contender {
  name: string;
  /** Runs the operation `n` times (a batch, so the clock is read rarely). */
  run: (n: number) => void | Promise<void>;
}

export interface Figure { name: string; cpuUs: number; wallUs: number; rounds: number }

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** `rounds` alternated rounds of `batch` operations per contender, after one warm-up round each. */
export async function compare(contenders: Contender[], { batch, rounds = 9 }: { batch: number; rounds?: number }): Promise<Figure[]> {
  for (const c of contenders) await c.run(batch); // warm-up: JIT, caches, lazy loads
  const cpu = contenders.map(() => [] as number[]);
  const wall = contenders.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (const [i, c] of contenders.entries()) {
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      await c.run(batch);
      const t1 = process.hrtime.bigint();
      const used = process.cpuUsage(c0);
      cpu[i]!.push((used.user + used.system) / batch);
      wall[i]!.push(Number(t1 - t0) / 1000 / batch);
    }
  }
  return contenders.map((c, i) => ({ name: c.name, cpuUs: median(cpu[i]!), wallUs: median(wall[i]!), rounds }));
}

/** One line per contender, with its cost relative to the first. */
export function print(title: string, figures: Figure[]): void {
  const base = figures[0]!;
  console.log(`\n${title} (median of ${base.rounds} alternated rounds; µs per operation)`);
  for (const f of figures) {
    const ratio = f === base ? '' : `  ×${(f.cpuUs / base.cpuUs).toFixed(2)} CPU of ${base.name}`;
    console.log(`  ${f.name.padEnd(44)} CPU ${f.cpuUs.toFixed(3).padStart(9)}  wall ${f.wallUs.toFixed(3).padStart(9)}${ratio}`);
  }
}

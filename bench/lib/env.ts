// Benchmark knobs read from the environment, with the same rules as bench/run.ts: BENCH_DURATION and BENCH_WARMUP are
// seconds (> 0), lists are comma-separated positive whole numbers.

/** A positive number of seconds from `name`, or `def` when unset. */
export function envSeconds(name: string, def: number): number {
  const v = Number(process.env[name] ?? def);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number of seconds`);
  return v;
}

/** Comma-separated positive whole numbers from `name` ("1000,10000"; "1e6" and "100_000" are accepted), or `def`. */
export function envCounts(name: string, def: number[]): number[] {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return def;
  const list = raw.split(',').map((s) => Number(s.trim().replaceAll('_', '')));
  if (list.length === 0 || list.some((n) => !Number.isSafeInteger(n) || n <= 0)) {
    throw new Error(`${name} must be comma-separated positive whole numbers, e.g. "1000,10000"`);
  }
  return list;
}

/** The duration and warm-up of every load (BENCH_DURATION, default 10 s; BENCH_WARMUP, default 2 s). */
export function loadTimes(): { duration: number; warmup: number } {
  return { duration: envSeconds('BENCH_DURATION', 10), warmup: envSeconds('BENCH_WARMUP', 2) };
}

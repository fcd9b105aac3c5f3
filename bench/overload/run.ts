// `npm run bench:overload` (also part of `npm run bench`): the login-overload scenario alone. See overload.ts.
// Environment: BENCH_OVERLOAD_SECONDS (measured, after a warm-up of HASH_QUEUE_TIMEOUT_MS + 1 s; default 10),
// BENCH_OVERLOAD_FACTOR (offered / capacity, default 2), BENCH_OVERLOAD_RATE (logins/s offered, instead of the
// factor: to compare two builds at one rate), BENCH_OVERLOAD_QUEUE_TIMEOUT_MS (the server's
// HASH_QUEUE_TIMEOUT_MS; default: its default) and HASH_WORKERS (as in the core bench, bench/gatehouse.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { measureOverload, type OverloadReport } from './overload.ts';

const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));

export async function runOverload(say: (line: string) => void): Promise<OverloadReport> {
  const seconds = Number(process.env.BENCH_OVERLOAD_SECONDS ?? 10);
  const factor = Number(process.env.BENCH_OVERLOAD_FACTOR ?? 2);
  if (!(seconds >= 3)) throw new Error('BENCH_OVERLOAD_SECONDS must be 3 or more');
  if (!(factor > 0)) throw new Error('BENCH_OVERLOAD_FACTOR must be a positive number');
  say('overload: logins offered at twice the hashing capacity, /users/me probe meanwhile');
  const queueTimeout = process.env.BENCH_OVERLOAD_QUEUE_TIMEOUT_MS;
  const rate = process.env.BENCH_OVERLOAD_RATE;
  return measureOverload(say, { seconds, factor, ...(queueTimeout ? { queueTimeoutMs: Number(queueTimeout) } : {}), ...(rate ? { rate: Number(rate) } : {}) });
}

export function overloadLines(r: OverloadReport): string[] {
  return [
    `capacity ${r.capacity} logins/s; offered ${r.offered}/s for ${r.settings.seconds} s; ${r.settings.hashWorkers} hash threads, `
      + `queue ${r.settings.hashQueueMax}, wait <= ${r.settings.hashQueueTimeoutMs} ms`,
    `accepted ${r.logins.accepted} of the ${r.offered * r.settings.seconds} sent after the warm-up (${Math.round((r.logins.accepted / (r.offered * r.settings.seconds)) * 100)} %; `
      + `well below 100 % means the server was overloaded indeed): p50 ${r.logins.acceptedMs.p50} ms, p90 ${r.logins.acceptedMs.p90} ms, p99 ${r.logins.acceptedMs.p99} ms, max ${r.logins.acceptedMs.max} ms`,
    `refused ${r.logins.refused} (503): p50 ${r.logins.refusedMs.p50} ms, p99 ${r.logins.refusedMs.p99} ms; ${r.logins.refusedAs.arrival} as they came, `
      + `${r.logins.refusedAs.deadline} at their deadline; Retry-After ${JSON.stringify(r.logins.retryAfter)}`,
    ...r.bars.map((b) => `${b.pass ? 'PASS' : 'FAIL'}  ${b.name}: ${b.measured} (target ${b.target})`),
  ];
}

/** Runs it, prints its lines, and writes results/overload.{json,md}; gives the bars (run.ts's hook). */
export async function overloadSection(say: (line: string) => void): Promise<OverloadReport['bars']> {
  const load = [loadavg()[0]!];
  const r = await runOverload(say);
  load.push(loadavg()[0]!);
  const lines = [...overloadLines(r), `load average (1 min) ${load.map((x) => x.toFixed(2)).join(' -> ')}`];
  say(`\n${lines.join('\n')}\n`);
  const timestamp = new Date().toISOString();
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(`${RESULTS}overload.json`, `${JSON.stringify({ timestamp, loadAverage: load, ...r }, null, 2)}\n`);
  writeFileSync(`${RESULTS}overload.md`, `# Login overload, ${timestamp}\n\n\`npm run bench:overload\` (bench/overload/).\n\n${lines.map((l) => `- ${l}`).join('\n')}\n`);
  return r.bars;
}

if (import.meta.main) await overloadSection((line) => process.stdout.write(`${line}\n`));

/**
 * glibc malloc settings for the server process (mallopt(3): read from the environment at start, so they must be set
 * before the process starts — `npm start` and `serve --workers` do it; see README).
 *
 * What is measured, and what is not: they came in after a 20-minute soak held RSS at +5 % with them (2026-11-29),
 * against +10.8 % with the two thresholds alone. On 2026-11-30 neither result reproduced: two 20-minute soaks grew
 * RSS by +30 % with all three and +33 % with the arena cap alone (0 errors, the V8 heap flat at 50–78 MiB in both;
 * a 30-minute soak went on to +55 % in steps — see README, "Benchmarks"),
 * and login throughput was the same with and without the thresholds (3 alternating pairs, within noise). They are
 * kept until a longer soak says which way they cut. argon2id's own memory (19 MiB per hash) is not glibc's at all:
 * @node-rs/argon2 carries its own allocator (mimalloc), which maps those pages for every hash and unmaps them after
 * (seen with strace; no setting here changes it).
 */
export const SERVER_MALLOC: Readonly<Record<string, string>> = {
  MALLOC_MMAP_THRESHOLD_: String(64 * 2 ** 20),
  MALLOC_TRIM_THRESHOLD_: String(256 * 2 ** 20),
  MALLOC_ARENA_MAX: '2',
};

/** `env` with the settings above added, unless the operator chose their own. */
export function withServerMalloc(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const [k, v] of Object.entries(SERVER_MALLOC)) out[k] ??= v;
  return out;
}

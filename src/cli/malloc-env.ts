/**
 * glibc malloc settings for the server process (mallopt(3): read from the environment at start, so they must be set
 * before the process starts — `npm start` and `serve --workers` do it; see README).
 *
 * What is measured, and what is not: they came in after a 20-minute soak held RSS at +5 % with them (2026-11-29),
 * against +10.8 % with the two thresholds alone. The +30 % growth that a 20-minute soak showed on 2026-11-30, sampled
 * with V8's heap spaces, was V8's young generation, which V8 grew from 4 to 64 MiB and back with the allocation rate;
 * RSS outside it stayed within 184–197 MiB (bench/soak/memory.ts). (The earlier +55 % run, +111 MiB in ~60 MiB steps,
 * was not sampled that way; it is more than the young generation's 64 MiB, so part of it stays unexplained.) Login
 * throughput was the same with and without the thresholds (3 alternating pairs, within noise). So what these settings
 * buy is not yet told apart from V8's sizing; they stay until a run does. argon2id's own memory (19 MiB per hash) is
 * not glibc's at all: @node-rs/argon2 carries its own allocator (mimalloc), which maps those pages for every hash and
 * unmaps them after (seen with strace; no setting here changes it).
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

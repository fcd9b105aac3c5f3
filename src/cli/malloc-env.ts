/**
 * glibc malloc settings for the server process (mallopt(3): read from the environment at start, so they must be set
 * before the process starts — `npm start` and `serve --workers` do it; see README).
 *
 * What they do, measured with 20-minute soaks (`npm run bench:soak`, SQLite, same load): with all three, RSS holds
 * at ~305–320 MiB (+5 % from the warm baseline); with only the arena cap, RSS starts ~110 MiB lower but climbs from
 * 190 to 254 MiB (+33 %) while the V8 heap stays flat; with the two thresholds but glibc's default arena count
 * (8 per core), it rose +10.8 %. So: the thresholds keep freed blocks in the heap for reuse instead of trimming and
 * growing it again, and two arenas bound how many heaps keep them. Login throughput is the same with or without the thresholds (3 alternating pairs, within noise).
 * argon2id's own memory (19 MiB per hash) is not glibc's at all: @node-rs/argon2 carries its own allocator
 * (mimalloc), which maps those pages for every hash and unmaps them after (seen with strace; no setting here
 * changes it).
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

/**
 * glibc malloc settings for a process that hashes passwords (mallopt(3): read from the environment at start, so
 * they must be set before the process starts — `npm start` and `serve --workers` do it; see README).
 *
 * Each argon2id hash allocates its memory cost (19 MiB by default) and frees it. Above glibc's default mmap
 * threshold every hash maps fresh pages, faults and zeroes all of them, and unmaps them again, which also stalls
 * the event loop's own allocations on the process's memory-map lock. Keeping such blocks in the heap instead
 * raised logins/s under load by ~14 % on the 2-core bench machine (144 → 164/s, same run conditions), for ~20 MiB
 * more resident memory per arena.
 */
export const HASH_FRIENDLY_MALLOC: Readonly<Record<string, string>> = {
  MALLOC_MMAP_THRESHOLD_: String(64 * 2 ** 20),
  MALLOC_TRIM_THRESHOLD_: String(256 * 2 ** 20),
  // Each arena keeps the block of the last hash made in it; glibc's default of 8 arenas per core let a 20-minute
  // soak's RSS climb in 19 MiB steps as hashes landed in new arenas. Two arenas bound what is kept.
  MALLOC_ARENA_MAX: '2',
};

/** `env` with the settings above added, unless the operator chose their own. */
export function withHashFriendlyMalloc(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const [k, v] of Object.entries(HASH_FRIENDLY_MALLOC)) out[k] ??= v;
  return out;
}

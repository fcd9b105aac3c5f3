/**
 * V8 settings for the server process, given on node's command line (V8 reads them when the heap is made, and NODE_OPTIONS
 * refuses this one): `npm start` and the image's entrypoint pass them; `serve --workers` forks its workers with the
 * primary's (Node's default). `npm run dev` and `npx gatehouse` run without them.
 *
 * --min-semi-space-size=16 (MiB): the young generation starts at 16 MiB per semi-space instead of 1 MiB, so the start
 * does not collect it over and over while it grows (V8's collector took ~13 % of a start's CPU, `--cpu-prof`).
 * Measured 2026-12-07 (2-core AMD EPYC VM, `bench/footprint`, SQLite defaults, 7 alternating starts): time to the first
 * 200 +203 → +163 ms over bare Node, CPU 330 → 270 ms; idle RSS +24.5 → +26.0 MiB. Eight alternating starts each,
 * measured apart: CPU 370 → 290 and 380 → 330 ms. `bench:refresh`, three alternated pairs: the same within the noise
 * (2,522 / 2,513, 2,611 / 2,489, 2,336 / 2,694 per core-second).
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--min-semi-space-size=16'];

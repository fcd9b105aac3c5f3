// The server's resident memory during the soak: VmRSS from /proc/<pid>/status every few seconds (the whole process,
// hash threads included), and whether it grew once warm.
//
// V8's young generation (its "new space", where every object starts) is sized by V8 itself with the allocation rate:
// in a 20-minute soak sampled with V8's heap spaces (2026-11-30) it went 4 → 8 → 16 → 32 MiB, back to 4, and up again
// to 64 MiB by the end (64 MiB in the warm-up too), and the process's RSS followed it step for step, while RSS minus the
// young generation stayed at 184–197 MiB (single samples up to 20 MiB off: a hash in flight, or young pages V8 has
// committed but not yet touched). A leak cannot hide there — every scavenge empties it, and what survives moves to the
// old generation, which RSS counts — so the verdict is taken on RSS outside the young generation, read from the
// server's /metrics at each sample; RSS as measured is reported next to it.
import { statusKiB } from '../lib/rss.ts';

export interface RssSample {
  /** Seconds since sampling started. */
  t: number;
  kib: number;
  /** V8's young generation (new space) of the server's main thread, KiB, read right after `kib`; absent if unreadable. */
  youngKiB?: number;
}

/** VmRSS of `pid` in KiB; undefined when the process is gone (or /proc is unavailable). */
export const readRssKiB = (pid: number): number | undefined => statusKiB(pid, 'VmRSS');

/**
 * Samples VmRSS every `everyMs` until stopped, and the young generation's size with each sample when `young` is given;
 * `onGone` is called once if the process disappears.
 */
export function sampleRss(pid: number, everyMs: number, onGone: () => void, young?: () => Promise<number | undefined>): { samples: RssSample[]; stop(): void } {
  const samples: RssSample[] = [];
  const t0 = performance.now();
  const take = () => {
    const kib = readRssKiB(pid);
    if (kib === undefined) {
      clearInterval(timer);
      onGone();
      return;
    }
    const sample: RssSample = { t: Math.round((performance.now() - t0) / 100) / 10, kib };
    samples.push(sample);
    void young?.().then((k) => { if (k !== undefined) sample.youngKiB = k; });
  };
  const timer = setInterval(take, everyMs);
  take();
  return { samples, stop: () => { clearInterval(timer); take(); } };
}

export interface RssGrowth {
  /** Steady RSS in the window right after the warm-up: the lower quartile of its samples. */
  baselineKiB: number;
  /** Steady RSS in the last window of the run. */
  endKiB: number;
  peakKiB: number;
  /** end / baseline - 1 (0.05 = 5 %): the verdict's number. */
  growth: number;
  /** The same with the windows' medians instead, for comparison. */
  medianGrowth: number;
  /** The lowest sample after the warm-up, and end / it - 1: a drop after the baseline window can hide a later rise. */
  lowest: { kib: number; t: number; endAbove: number };
  /** Samples in each window. */
  window: { seconds: number; baselineSamples: number; endSamples: number };
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q, lo = Math.floor(pos);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (pos - lo);
};

/**
 * Growth from the window after the warm-up to the last window. Why the lower quartile: each argon2id hash in flight
 * adds its memory (19 MiB by default) to RSS until it ends, so a sample reads ~250, ~270 or ~290 MiB depending on how
 * many hashes happened to be running; a window's median can flip between those levels with the load, while its
 * lower quartile is the steady level — which anything retained (a leak) raises. With `outsideYoung`, the same of RSS
 * less the young generation (see the top of this file), over the samples where it was read, with the windows' medians:
 * there single samples stray both ways (up with a hash in flight, down right after V8 grew the young generation:
 * it counts pages it has committed, RSS only those touched since). Undefined with fewer than 3 samples in either window.
 */
export function rssGrowth(all: RssSample[], warmupSeconds: number, windowSeconds: number, outsideYoung = false): RssGrowth | undefined {
  // Outside the young generation: only the samples whose young generation was read, each less that.
  const samples = outsideYoung
    ? all.filter((s) => s.youngKiB !== undefined).map((s) => ({ t: s.t, kib: s.kib - s.youngKiB! }))
    : all;
  const last = all.at(-1)?.t ?? 0;
  const first = samples.filter((s) => s.t >= warmupSeconds && s.t <= warmupSeconds + windowSeconds).map((s) => s.kib);
  const final = samples.filter((s) => s.t >= last - windowSeconds && s.t >= warmupSeconds).map((s) => s.kib);
  if (first.length < 3 || final.length < 3) return undefined;
  const level = outsideYoung ? 0.5 : 0.25;
  const baselineKiB = quantile(first, level), endKiB = quantile(final, level);
  const low = samples.filter((s) => s.t >= warmupSeconds).reduce((a, b) => (b.kib < a.kib ? b : a));
  return {
    lowest: { kib: low.kib, t: low.t, endAbove: endKiB / low.kib - 1 },
    baselineKiB, endKiB, peakKiB: Math.max(...samples.map((s) => s.kib)), growth: endKiB / baselineKiB - 1,
    medianGrowth: quantile(final, 0.5) / quantile(first, 0.5) - 1,
    window: { seconds: windowSeconds, baselineSamples: first.length, endSamples: final.length },
  };
}

/** The sample nearest each whole minute (or each tenth of the run when it is shorter than 10 minutes): the curve. */
export function rssCurve(samples: RssSample[], durationSeconds: number): RssSample[] {
  const step = durationSeconds >= 600 ? 60 : durationSeconds / 10;
  const out: RssSample[] = [];
  for (let t = 0; t <= durationSeconds + 1e-9; t += step) {
    let best: RssSample | undefined;
    for (const s of samples) if (!best || Math.abs(s.t - t) < Math.abs(best.t - t)) best = s;
    if (best && out.at(-1) !== best) out.push(best);
  }
  return out;
}

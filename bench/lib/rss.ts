// Memory of a server process, from Linux's /proc/<pid>/status: VmHWM (the most resident memory it ever held) and
// VmRSS (what it holds now), sampled during a load to get that load's peak.
import { readFileSync } from 'node:fs';

/** `field` of /proc/<pid>/status in KiB; undefined when the process is gone or /proc is missing. */
export function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** `field` of /proc/<pid>/status in MiB (one decimal). */
export function statusMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  const kib = statusKiB(pid, field);
  return kib === undefined ? undefined : Math.round(kib / 102.4) / 10;
}

/** Samples VmRSS every `everyMs` from now; the returned function stops and gives the highest sample (MiB). */
export function rssPeak(pid: number, everyMs = 50): () => number | undefined {
  let peak: number | undefined;
  const sample = () => {
    const now = statusMiB(pid, 'VmRSS');
    if (now !== undefined && (peak === undefined || now > peak)) peak = now;
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return () => {
    clearInterval(timer);
    sample();
    return peak;
  };
}

// Memory of a server process, from Linux's /proc/<pid>/status: VmHWM (the most resident memory it ever held) and
// VmRSS (what it holds now), sampled during a load to get that load's peak.
import { readFileSync } from 'node:fs';

/** `field` of /proc/<pid>/status in MiB (one decimal); undefined when the process is gone or /proc is missing. */
export function statusMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 102.4) / 10 : undefined;
  } catch {
    return undefined;
  }
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

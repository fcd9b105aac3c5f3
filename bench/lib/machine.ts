// What the numbers were measured on.
import { availableParallelism, cpus, loadavg, platform, release, arch, totalmem } from 'node:os';
import { machineCpuSeconds } from './cpu.ts';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  /** 1-minute load average when the benchmark started: a busy machine skews everything. */
  loadAverage: number;
  /** Percent of one core busy over one second just before the benchmark started (nothing of ours running yet). */
  busyBeforeStart?: number;
}

export async function machineInfo(): Promise<Machine> {
  const list = cpus();
  const busy0 = machineCpuSeconds();
  await new Promise((r) => setTimeout(r, 1000));
  const busy1 = machineCpuSeconds();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${platform()} ${release()} ${arch()}`,
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
    ...(busy0 !== undefined && busy1 !== undefined ? { busyBeforeStart: Math.round((busy1 - busy0) * 100) } : {}),
  };
}

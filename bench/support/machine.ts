import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  platform: string;
  kernel: string;
  node: string;
  /** `ulimit -n` of the bench process, inherited by every child it starts. */
  openFilesLimit: number | null;
}

export interface GitInfo {
  commit: string | null;
  /** Uncommitted changes in the tree the figures were measured on. */
  dirty: boolean | null;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
    node: process.version,
    openFilesLimit: openFilesLimit(),
  };
}

export function gitInfo(cwd: string): GitInfo {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const status = execFileSync('git', ['status', '--porcelain'], { cwd, encoding: 'utf8' });
    return { commit, dirty: status.trim() !== '' };
  } catch {
    return { commit: null, dirty: null };
  }
}

/** The soft RLIMIT_NOFILE; Node has no API for it, the shell does. */
export function openFilesLimit(): number | null {
  const out = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' });
  const n = Number(out.stdout.trim());
  if (out.stdout.trim() === 'unlimited') return Number.POSITIVE_INFINITY;
  return Number.isFinite(n) ? n : null;
}

/** Clock ticks per second of /proc/<pid>/stat times. */
export function clockTicks(): number {
  const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(out.stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
}

const TICKS = clockTicks();

/** CPU time (ms) the whole machine spent busy (user, nice, system, irq, softirq), from /proc/stat. */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const busy = f[0] + f[1] + f[2] + f[5] + f[6];
  return (busy * 1000) / TICKS;
}

/**
 * CPU time (ms) of one process and all its threads, or NaN once it has exited. From the
 * scheduler's nanosecond counters (`/proc/<pid>/task/<tid>/schedstat`) where the kernel has them:
 * `/proc/<pid>/stat` counts 10 ms ticks, too coarse for a per-request difference of microseconds.
 */
export function processCpuMs(pid: number): number {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ', 1)[0]);
    }
    if (Number.isFinite(ns) && ns > 0) return ns / 1e6;
  } catch {
    // no schedstat (or a thread ended meanwhile): the tick counts below
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(rest[11]) + Number(rest[12])) * 1000) / TICKS;
  } catch {
    return Number.NaN;
  }
}

export interface MachineLoad {
  /** CPU used by processes the bench did not start, in % of one core (cores × 100 is the machine). */
  foreignCpuPercent: number;
  /** Everything, the bench's own processes included. */
  machineCpuPercent: number;
  wallMs: number;
}

/**
 * Measures how busy the machine was with *other* work while a scenario ran: the bench shares
 * its cores with whatever else runs there, and a figure taken next to a busy neighbour says so.
 */
export function startLoadMeter(ourPids: () => number[]): () => MachineLoad {
  const pids = [process.pid, ...ourPids()];
  const ours0 = new Map(pids.map((pid) => [pid, processCpuMs(pid)]));
  const busy0 = machineBusyMs();
  const wall0 = Date.now();
  return () => {
    let ours = 0;
    for (const [pid, before] of ours0) {
      const now = processCpuMs(pid);
      if (Number.isFinite(now) && Number.isFinite(before)) ours += now - before;
    }
    const wallMs = Math.max(1, Date.now() - wall0);
    const busy = machineBusyMs() - busy0;
    return {
      foreignCpuPercent: Math.max(0, ((busy - ours) / wallMs) * 100),
      machineCpuPercent: (busy / wallMs) * 100,
      wallMs,
    };
  };
}

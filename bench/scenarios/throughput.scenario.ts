import autocannon from 'autocannon';
import { CHAT_PATH, REQUEST_HEADERS, type BenchTarget } from '../support/bench.constants';
import type { ChildHandle } from '../support/processes';
import { nowUs, type MeasuredWindow } from '../support/stats';

export interface ThroughputOptions {
  /** The paths, by name; `handle` is the process whose CPU is reported (none for direct). */
  targets: Record<string, BenchTarget & { handle?: ChildHandle }>;
  /** Which path goes first; the order rotates between runs. */
  rotate: number;
  connections: number;
  durationS: number;
  warmupS: number;
  onMeasured?: (name: string, ...span: Parameters<MeasuredWindow>) => void;
}

export interface ThroughputRun {
  /** Mean of autocannon's per-second samples, as its CLI prints it. */
  rps: number;
  ok: number;
  non2xx: number;
  errors: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** CPU time of the proxy per answered request, in µs (from /proc; steadier than req/s). */
  cpuUsPerRequest?: number;
}

/**
 * (b) Saturation, non-streamed: autocannon (in this process) with `connections` keep-alive
 * connections against each path in turn, each measured run after an unrecorded warm-up.
 */
export async function runThroughput(
  options: ThroughputOptions,
): Promise<Record<string, ThroughputRun>> {
  const names = Object.keys(options.targets);
  const result: Record<string, ThroughputRun> = {};
  for (let k = 0; k < names.length; k++) {
    const name = names[(k + options.rotate) % names.length];
    const target = options.targets[name];
    const run = (duration: number) =>
      autocannon({
        url: target.origin + CHAT_PATH,
        method: 'POST',
        headers: { ...REQUEST_HEADERS },
        body: target.body,
        connections: options.connections,
        pipelining: 1,
        duration,
      });
    if (options.warmupS > 0) await run(options.warmupS);
    const cpu0 = target.handle?.cpuMs();
    const from = nowUs();
    const r = await run(options.durationS);
    options.onMeasured?.(name, from, nowUs());
    const cpu = cpu0 === undefined ? undefined : target.handle!.cpuMs() - cpu0;
    result[name] = {
      rps: r.requests.average,
      ok: r['2xx'],
      non2xx: r.non2xx,
      errors: r.errors,
      latencyP50Ms: r.latency.p50,
      latencyP99Ms: r.latency.p99,
      ...(cpu === undefined
        ? {}
        : { cpuUsPerRequest: (cpu * 1000) / Math.max(1, r.requests.total) }),
    };
    if (r.non2xx + r.errors > 0) {
      throw new Error(`(b) ${name}: ${r.non2xx} non-2xx answers and ${r.errors} errors`);
    }
  }
  return result;
}

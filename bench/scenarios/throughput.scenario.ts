import autocannon from 'autocannon';
import { CHAT_PATH, REQUEST_HEADERS, type BenchTarget } from '../support/bench.constants';
import type { ChildHandle } from '../support/processes';
import { nowUs, type MeasuredWindow } from '../support/stats';

export interface ThroughputOptions {
  direct: BenchTarget;
  gateway: BenchTarget;
  connections: number;
  durationS: number;
  warmupS: number;
  gatewayProcess: ChildHandle;
  simulatorProcess: ChildHandle;
  onMeasured?: MeasuredWindow;
}

export interface ThroughputRun {
  /** Mean of autocannon's per-second samples, as its CLI prints it. */
  rps: number;
  /** 2xx answers over the whole run. */
  ok: number;
  non2xx: number;
  errors: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  durationS: number;
  /** CPU of each process during the run, in % of one core (200 % = both cores). */
  cpuPercent: { simulator: number; gateway?: number; loadGenerator: number };
  /** CPU time per answered request, in µs: steadier than req/s when the machine is shared. */
  cpuUsPerRequest: { simulator: number; gateway?: number; loadGenerator: number };
}

export interface ThroughputResult {
  connections: number;
  /** Planned length of each measured run. */
  durationS: number;
  direct: ThroughputRun;
  gateway: ThroughputRun;
  /** gateway rps / direct rps. */
  ratio: number;
}

/**
 * (b) Saturation: autocannon (in this process: the load generator) with `connections`
 * keep-alive connections, first straight to the simulator, then through the gateway. Each
 * measured run follows an unrecorded warm-up run against the same target.
 */
export async function runThroughput(options: ThroughputOptions): Promise<ThroughputResult> {
  const direct = await measure(options, options.direct, undefined);
  const gateway = await measure(options, options.gateway, options.gatewayProcess);
  return {
    connections: options.connections,
    durationS: options.durationS,
    direct,
    gateway,
    ratio: gateway.rps / direct.rps,
  };
}

async function measure(
  options: ThroughputOptions,
  target: BenchTarget,
  gatewayProcess: ChildHandle | undefined,
): Promise<ThroughputRun> {
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
  const sim0 = options.simulatorProcess.cpuMs();
  const gw0 = gatewayProcess?.cpuMs();
  const self0 = process.cpuUsage();
  const from = nowUs();
  const result = await run(options.durationS);
  if (gatewayProcess) options.onMeasured?.(from, nowUs());
  const self = process.cpuUsage(self0);
  const wallMs = result.duration * 1000;
  const pct = (ms: number): number => (ms / wallMs) * 100;
  const perRequest = (ms: number): number => (ms * 1000) / Math.max(1, result.requests.total);
  const sim = options.simulatorProcess.cpuMs() - sim0;
  const gw = gatewayProcess && gw0 !== undefined ? gatewayProcess.cpuMs() - gw0 : undefined;
  const loadGenerator = (self.user + self.system) / 1000;
  return {
    rps: result.requests.average,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    durationS: result.duration,
    cpuPercent: {
      simulator: pct(sim),
      ...(gw !== undefined ? { gateway: pct(gw) } : {}),
      loadGenerator: pct(loadGenerator),
    },
    cpuUsPerRequest: {
      simulator: perRequest(sim),
      ...(gw !== undefined ? { gateway: perRequest(gw) } : {}),
      loadGenerator: perRequest(loadGenerator),
    },
  };
}

import { Pool } from 'undici';
import { CHAT_PATH, REQUEST_HEADERS, type BenchTarget } from '../support/bench.constants';
import type { ChildHandle } from '../support/processes';
import {
  distribution,
  msSince,
  nowUs,
  type Distribution,
  type MeasuredWindow,
} from '../support/stats';

export interface SequentialLatencyOptions {
  direct: BenchTarget;
  gateway: BenchTarget;
  warmup: number;
  iterations: number;
  /** Requests per batch; batches alternate between the paths (and which path goes first). */
  batch: number;
  gatewayProcess: ChildHandle;
  simulatorProcess: ChildHandle;
  onMeasured?: MeasuredWindow;
}

export interface SequentialLatencyResult {
  direct: Distribution;
  gateway: Distribution;
  /** Gateway percentile minus direct percentile, in ms. */
  added: { p50: number; p90: number; p99: number };
  /** CPU time the gateway spent per request, in µs (from /proc; 10 ms tick resolution). */
  gatewayCpuUsPerRequest: number;
  simulatorCpuUsPerRequest: number;
}

/**
 * (a) Requests one at a time over one keep-alive connection per path, timed from the call to
 * the last byte of the body. Direct and gateway batches are interleaved so drift (CPU frequency,
 * other tenants) lands on both.
 */
export async function runSequentialLatency(
  options: SequentialLatencyOptions,
): Promise<SequentialLatencyResult> {
  const direct = new Pool(options.direct.origin, { connections: 1, pipelining: 1 });
  const gateway = new Pool(options.gateway.origin, { connections: 1, pipelining: 1 });
  try {
    for (let i = 0; i < options.warmup; i++) {
      await timeOne(direct, options.direct.body);
      await timeOne(gateway, options.gateway.body);
    }
    const directMs: number[] = [];
    const gatewayMs: number[] = [];
    const gwCpu0 = options.gatewayProcess.cpuMs();
    const simCpu0 = options.simulatorProcess.cpuMs();
    const from = nowUs();
    for (let done = 0, round = 0; done < options.iterations; round++) {
      const n = Math.min(options.batch, options.iterations - done);
      const order: [Pool, string, number[]][] = [
        [direct, options.direct.body, directMs],
        [gateway, options.gateway.body, gatewayMs],
      ];
      if (round % 2 === 1) order.reverse();
      for (const [pool, body, into] of order) {
        for (let i = 0; i < n; i++) into.push(await timeOne(pool, body));
      }
      done += n;
    }
    options.onMeasured?.(from, nowUs());
    const gwCpu = options.gatewayProcess.cpuMs() - gwCpu0;
    const simCpu = options.simulatorProcess.cpuMs() - simCpu0;
    const d = distribution(directMs);
    const g = distribution(gatewayMs);
    return {
      direct: d,
      gateway: g,
      added: { p50: g.p50 - d.p50, p90: g.p90 - d.p90, p99: g.p99 - d.p99 },
      gatewayCpuUsPerRequest: (gwCpu * 1000) / gatewayMs.length,
      // The simulator served both paths.
      simulatorCpuUsPerRequest: (simCpu * 1000) / (directMs.length + gatewayMs.length),
    };
  } finally {
    await Promise.all([direct.close(), gateway.close()]);
  }
}

async function timeOne(pool: Pool, body: string): Promise<number> {
  const start = process.hrtime.bigint();
  const res = await pool.request({
    method: 'POST',
    path: CHAT_PATH,
    headers: REQUEST_HEADERS,
    body,
  });
  const text = await res.body.text();
  const ms = msSince(start);
  if (res.statusCode !== 200)
    throw new Error(`POST ${CHAT_PATH}: ${res.statusCode} ${text.slice(0, 300)}`);
  return ms;
}

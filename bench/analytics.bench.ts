/**
 * The per-request cost of analytics (issue 15), on and off in one run:
 *
 * 1. in process: one request's record (the sink beside the log line) and one upstream attempt,
 *    with the flush amortised (drained into the memory store every 1000 requests), in ns;
 * 2. over HTTP: three gateways (`node dist/main.js`) against one simulator: `analytics.enabled`
 *    false, true, and false again (the control: its distance from the first is the machine's
 *    noise), in rounds whose order rotates, with autocannon: requests/s, p50, and each
 *    gateway's CPU per request from the scheduler's counters.
 *    CPU per request is the steadier figure on a shared machine: req/s moves with whatever else
 *    runs; the CPU a request costs the gateway much less.
 *
 *   npm run bench:analytics   [-- --rounds 5 --seconds 5 --connections 16] [--in-process-only]
 *
 * Targets: within 3 % of the throughput and 5 µs of the p50 latency.
 */
import autocannon from 'autocannon';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnalyticsAggregator } from '../src/analytics/analytics-aggregator';
import { MemoryAnalyticsStore } from '../src/analytics/memory-analytics.store';
import {
  BENCH_API_KEY,
  chatBody,
  CHAT_PATH,
  FAST_ANSWER,
  GATEWAY_MODEL,
  REQUEST_HEADERS,
  SIM_INSTANT_MODEL,
} from './support/bench.constants';
import { processCpuMs } from './support/machine';
import {
  killAllStarted,
  spawnGateway,
  spawnSimulator,
  type GatewayProcess,
} from './support/processes';

const ROOT = join(__dirname, '..', '..');

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** ns per request of recording one request and one attempt, flush amortised; median of rounds. */
async function inProcess(n: number): Promise<number> {
  let now = Date.UTC(2026, 11, 7);
  const aggregator = new AnalyticsAggregator(() => now);
  const store = new MemoryAnalyticsStore(() => now);
  const keys = ['team-a', 'team-b', 'team-c', 'team-d'];
  const rounds: number[] = [];
  for (let round = 0; round < 6; round++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      aggregator.recordRequest({
        key: keys[i & 3],
        tier: i % 3 === 0 ? 'thinking' : 'instant',
        model: i % 3 === 0 ? 'sim-thinking' : 'sim-instant',
        pool: i % 3 === 0 ? 'thinking' : 'instant',
        input: 40 + (i & 15),
        cachedInput: 0,
        output: 16,
        reasoning: 0,
        cost: 0.00001,
        latencyMs: 2 + (i % 97) / 10,
        ttftMs: i & 1 ? 1 + (i % 13) / 10 : undefined,
        auto: i % 5 === 0 ? { tier: 'instant', step: 'classifier:rules' } : undefined,
      });
      aggregator.recordAttempt({
        replica: `instant/${i & 1 ? 'a' : 'b'}`,
        input: 40,
        cachedInput: 0,
        output: 16,
        reasoning: 0,
        cost: 0,
        latencyMs: 2 + (i % 97) / 10,
      });
      if (i % 1000 === 999) {
        now += 1000;
        await store.apply(aggregator.drain());
      }
    }
    const ns = Number(process.hrtime.bigint() - started) / n;
    if (round > 0) rounds.push(ns);
  }
  return median(rounds);
}

interface Round {
  rps: number;
  p50Ms: number;
  /** The gateway's CPU (all threads) per answered request. */
  cpuUsPerRequest: number;
}

async function load(gateway: GatewayProcess, seconds: number, connections: number): Promise<Round> {
  const pid = gateway.handle.pid;
  const cpu0 = processCpuMs(pid);
  const result = await autocannon({
    url: `${gateway.origin}${CHAT_PATH}`,
    method: 'POST',
    headers: { ...REQUEST_HEADERS },
    body: chatBody(GATEWAY_MODEL, false),
    connections,
    duration: seconds,
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${result.non2xx} non-2xx answers, ${result.errors} errors`);
  }
  const cpuMs = processCpuMs(pid) - cpu0;
  return {
    rps: result.requests.average,
    p50Ms: result.latency.p50,
    cpuUsPerRequest: Number(((cpuMs * 1000) / result.requests.total).toFixed(2)),
  };
}

async function overHttp(rounds: number, seconds: number, connections: number) {
  const sim = await spawnSimulator(ROOT, 'instant', SIM_INSTANT_MODEL, [
    '--tokens',
    String(FAST_ANSWER.tokens),
  ]);
  // `analytics.enabled` from a file; everything else from the variables.
  const dir = mkdtempSync(join(tmpdir(), 'tiergate-bench-'));
  const file = (enabled: boolean): string => {
    const path = join(dir, `analytics-${enabled}.yaml`);
    writeFileSync(path, JSON.stringify({ analytics: { enabled } }));
    return path;
  };
  const env = (enabled: boolean) => ({
    GATEWAY_CONFIG: file(enabled),
    INSTANT_UPSTREAMS: sim.url,
    INSTANT_MODEL: SIM_INSTANT_MODEL,
    GATEWAY_API_KEYS: BENCH_API_KEY,
    LOG_LEVEL: 'warn',
    OTEL_SDK_DISABLED: 'true',
  });
  const gateways = {
    off: await spawnGateway({ root: ROOT, name: 'gateway-analytics-off', env: env(false) }),
    on: await spawnGateway({ root: ROOT, name: 'gateway-analytics-on', env: env(true) }),
    // A second gateway with analytics off: its distance from the first is the machine's noise.
    control: await spawnGateway({
      root: ROOT,
      name: 'gateway-analytics-off-control',
      env: env(false),
    }),
  };
  type Which = keyof typeof gateways;
  // Warm all, then rotate the order round by round so machine noise hits each alike.
  for (const gateway of Object.values(gateways)) await load(gateway, 2, connections);
  const ORDERS: Which[][] = [
    ['off', 'on', 'control'],
    ['on', 'control', 'off'],
    ['control', 'off', 'on'],
  ];
  const results: Record<Which, Round[]> = { off: [], on: [], control: [] };
  for (let r = 0; r < rounds; r++) {
    for (const which of ORDERS[r % ORDERS.length]) {
      results[which].push(await load(gateways[which], seconds, connections));
    }
  }
  const summary = (of: Round[]) => ({
    rps: median(of.map((x) => x.rps)),
    p50Ms: median(of.map((x) => x.p50Ms)),
    cpuUsPerRequest: median(of.map((x) => x.cpuUsPerRequest)),
  });
  return {
    off: summary(results.off),
    on: summary(results.on),
    control: summary(results.control),
    rounds: results,
  };
}

async function main(): Promise<void> {
  const ns = await inProcess(arg('n', 200_000));
  console.log(
    `in process: ${(ns / 1000).toFixed(2)} µs per request (record + one attempt + amortised flush)`,
  );
  if (process.argv.includes('--in-process-only')) return;
  try {
    const http = await overHttp(arg('rounds', 5), arg('seconds', 5), arg('connections', 16));
    const change = (http.on.rps / http.off.rps - 1) * 100;
    const cpuChange = (http.on.cpuUsPerRequest / http.off.cpuUsPerRequest - 1) * 100;
    const noise = (http.control.rps / http.off.rps - 1) * 100;
    console.log(
      JSON.stringify(
        {
          in_process_us_per_request: Number((ns / 1000).toFixed(3)),
          http: {
            analytics_off: http.off,
            analytics_on: http.on,
            control_analytics_off: http.control,
            noise_throughput_change_percent: Number(noise.toFixed(2)),
            noise_cpu_added_us: Number(
              (http.control.cpuUsPerRequest - http.off.cpuUsPerRequest).toFixed(2),
            ),
            throughput_change_percent: Number(change.toFixed(2)),
            cpu_per_request_change_percent: Number(cpuChange.toFixed(2)),
            cpu_per_request_added_us: Number(
              (http.on.cpuUsPerRequest - http.off.cpuUsPerRequest).toFixed(2),
            ),
            p50_change_ms: Number((http.on.p50Ms - http.off.p50Ms).toFixed(3)),
            rounds: http.rounds,
          },
        },
        null,
        2,
      ),
    );
  } finally {
    killAllStarted();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  killAllStarted();
  process.exit(1);
});

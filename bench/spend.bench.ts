/**
 * What pricing and budgets cost per request (issue 15, point 8): the same gateway with pricing
 * off and on, side by side in one run.
 *
 * (a) The spend path alone, in this process: admission (worst-case reservation against a hard
 *     budget in the memory store), one priced upstream call, settlement; per-request time, p50,
 *     with pricing on, next to the path with no price configured.
 * (b) Three built gateways (`node dist/main.js`) against one simulator: pricing off, pricing on,
 *     and a second one with pricing off (the control: its distance from the first is the machine's
 *     noise), measured in rotating autocannon rounds so the machine's load falls on all alike:
 *     requests per second and the gateway's CPU time per request.
 *
 * Targets: throughput on ≥ 97 % of off; per-request cost ≤ 5 µs more at p50.
 *
 *   npm run bench:spend [-- --rounds 3 --duration 5 --connections 32] [-- --path-only]
 */
import autocannon from 'autocannon';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetricsService } from '../src/telemetry';
import { BudgetService } from '../src/spend/budget.service';
import { MemorySpendStore } from '../src/spend/memory-spend.store';
import { PricingService } from '../src/spend/pricing.service';
import { SpendMetrics } from '../src/spend/spend-metrics';
import { SpendService } from '../src/spend/spend.service';
import {
  BENCH_API_KEY,
  CHAT_PATH,
  chatBody,
  FAST_ANSWER,
  GATEWAY_MODEL,
  REQUEST_HEADERS,
  SIM_INSTANT_MODEL,
} from './support/bench.constants';
import {
  killAllStarted,
  spawnGateway,
  spawnSimulator,
  type GatewayProcess,
} from './support/processes';
import { distribution, median } from './support/stats';

const ROOT = join(__dirname, '..', '..');

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

const PRICE = { input: 0.15, cached_input: 0.075, output: 0.6 };

/** (a): nanoseconds per request of the spend path, p50 over `n` requests. */
async function spendPath(n: number, priced: boolean): Promise<{ p50Ns: number; p99Ns: number }> {
  const catalog = {
    tiers: { instant: { pool: 'instant', model: SIM_INSTANT_MODEL } },
    aliases: {},
    replicas: { instant: 1 },
  };
  const pricing = new PricingService(
    {
      currency: 'USD',
      tiers: priced
        ? { instant: { input: PRICE.input, cachedInput: PRICE.cached_input, output: PRICE.output } }
        : {},
      models: {},
      aliases: {},
      pools: {},
    },
    catalog,
  );
  const budgets = new BudgetService(
    {
      default: { amount: 1e6, period: 'month', mode: 'hard', warnAt: [0.8, 0.95] },
      keys: {},
      keyPrefix: 'b:',
    },
    'USD',
    new MemorySpendStore(),
    'closed',
  );
  const spend = new SpendService(pricing, budgets, new SpendMetrics(new MetricsService(), 'USD'));
  const usage = { prompt_tokens: 40, completion_tokens: 16, total_tokens: 56 };
  const end = {
    outcome: 'ok' as const,
    usageReported: true,
    promptTokens: 40,
    streamedTokens: 0,
    tier: 'instant',
    model: SIM_INSTANT_MODEL,
  };
  const samples: number[] = [];
  for (let i = 0; i < n + n / 10; i++) {
    const started = process.hrtime.bigint();
    const ticket = await spend.admit(`key-${i % 8}`, {
      endpoint: 'chat',
      requestedModel: GATEWAY_MODEL,
      promptTokens: 40,
      completionTokens: 64,
      choices: 1,
    });
    ticket?.observe(usage, 'instant', SIM_INSTANT_MODEL);
    ticket?.settle(end);
    const ns = Number(process.hrtime.bigint() - started);
    if (i >= n / 10) samples.push(ns); // the first tenth warms up
  }
  const d = distribution(samples);
  return { p50Ns: d.p50, p99Ns: d.p99 };
}

function gatewayConfig(sim: string, priced: boolean): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tiergate-bench-spend-')), 'gateway.yaml');
  writeFileSync(
    file,
    JSON.stringify({
      auth: { keys: [{ name: 'bench', key: BENCH_API_KEY }] },
      pools: { instant: { upstreams: [{ url: sim }] } },
      tiers: { instant: { pool: 'instant', model: SIM_INSTANT_MODEL } },
      ...(priced
        ? {
            pricing: { currency: 'USD', tiers: { instant: PRICE } },
            budgets: { default: { amount: 1000000, period: 'month', mode: 'hard' } },
          }
        : {}),
    }),
  );
  return file;
}

interface Round {
  rps: number;
  cpuUsPerRequest: number;
  latencyP50Ms: number;
  non2xx: number;
}

async function round(
  gateway: GatewayProcess,
  body: string,
  connections: number,
  durationS: number,
): Promise<Round> {
  const cpu0 = gateway.handle.cpuMs();
  const result = await autocannon({
    url: gateway.origin + CHAT_PATH,
    method: 'POST',
    headers: { ...REQUEST_HEADERS },
    body,
    connections,
    pipelining: 1,
    duration: durationS,
  });
  const cpuMs = gateway.handle.cpuMs() - cpu0;
  return {
    rps: result.requests.average,
    cpuUsPerRequest: (cpuMs * 1000) / Math.max(1, result.requests.total),
    latencyP50Ms: result.latency.p50,
    non2xx: result.non2xx + result.errors,
  };
}

async function main(): Promise<void> {
  const rounds = arg('rounds', 3);
  const durationS = arg('duration', 5);
  const connections = arg('connections', 32);
  const n = arg('n', 200_000);

  const off = await spendPath(n, false);
  const on = await spendPath(n, true);
  console.log('(a) the spend path per request, in this process');
  console.log(
    `    pricing off: p50 ${(off.p50Ns / 1000).toFixed(2)} µs  p99 ${(off.p99Ns / 1000).toFixed(2)} µs`,
  );
  console.log(
    `    pricing on:  p50 ${(on.p50Ns / 1000).toFixed(2)} µs  p99 ${(on.p99Ns / 1000).toFixed(2)} µs`,
  );
  console.log(`    added at p50: ${((on.p50Ns - off.p50Ns) / 1000).toFixed(2)} µs (target ≤ 5 µs)`);
  if (process.argv.includes('--path-only')) return;

  const sim = await spawnSimulator(ROOT, 'instant', SIM_INSTANT_MODEL, [
    '--tokens',
    String(FAST_ANSWER.tokens),
  ]);
  // `control` is a second gateway with pricing off: the difference between the two "off"
  // gateways is the noise of the machine, against which the on/off difference is read.
  const gateways = {
    control: await spawnGateway({
      root: ROOT,
      name: 'gateway-pricing-off-control',
      env: { GATEWAY_CONFIG: gatewayConfig(sim.url, false), LOG_LEVEL: 'warn' },
    }),
    off: await spawnGateway({
      root: ROOT,
      name: 'gateway-pricing-off',
      env: { GATEWAY_CONFIG: gatewayConfig(sim.url, false), LOG_LEVEL: 'warn' },
    }),
    on: await spawnGateway({
      root: ROOT,
      name: 'gateway-pricing-on',
      env: { GATEWAY_CONFIG: gatewayConfig(sim.url, true), LOG_LEVEL: 'warn' },
    }),
  };
  const body = chatBody(GATEWAY_MODEL, false);
  type Which = 'control' | 'off' | 'on';
  const results: Record<Which, Round[]> = { control: [], off: [], on: [] };
  const ORDERS: readonly (readonly Which[])[] = [
    ['off', 'on', 'control'],
    ['on', 'control', 'off'],
    ['control', 'off', 'on'],
  ];
  try {
    for (const which of ORDERS[0]) await round(gateways[which], body, connections, 2); // warm-up
    for (let i = 0; i < rounds; i++) {
      // Rotate who goes first, so a drift in the machine's load is shared.
      const order = ORDERS[i % ORDERS.length];
      for (const which of order)
        results[which].push(await round(gateways[which], body, connections, durationS));
    }
  } finally {
    killAllStarted();
  }
  const summary = (which: Which) => ({
    rps: median(results[which].map((r) => r.rps)),
    cpuUs: median(results[which].map((r) => r.cpuUsPerRequest)),
    p50Ms: median(results[which].map((r) => r.latencyP50Ms)),
    failed: results[which].reduce((sum, r) => sum + r.non2xx, 0),
  });
  const a = summary('off');
  const b = summary('on');
  const c = summary('control');
  console.log(
    `(b) three gateways, ${rounds} alternating rounds of ${durationS} s, ${connections} connections (medians)`,
  );
  console.log(
    `    pricing off: ${a.rps.toFixed(0)} req/s  gateway CPU ${a.cpuUs.toFixed(1)} µs/request  p50 ${a.p50Ms} ms  failed ${a.failed}`,
  );
  console.log(
    `    pricing on:  ${b.rps.toFixed(0)} req/s  gateway CPU ${b.cpuUs.toFixed(1)} µs/request  p50 ${b.p50Ms} ms  failed ${b.failed}`,
  );
  console.log(
    `    control (off): ${c.rps.toFixed(0)} req/s  gateway CPU ${c.cpuUs.toFixed(1)} µs/request  p50 ${c.p50Ms} ms  failed ${c.failed}`,
  );
  console.log(
    `    noise (control vs off): throughput ${((c.rps / a.rps) * 100).toFixed(1)} %, CPU ${(c.cpuUs - a.cpuUs).toFixed(1)} µs/request`,
  );
  console.log(`    throughput on/off: ${((b.rps / a.rps) * 100).toFixed(1)} % (target ≥ 97 %)`);
  console.log(`    CPU per request added: ${(b.cpuUs - a.cpuUs).toFixed(1)} µs (target ≤ 5 µs)`);
}

main().catch((error: unknown) => {
  killAllStarted();
  console.error(error);
  process.exit(1);
});

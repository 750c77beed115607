/**
 * `npm run bench:chaos`: the gateway (`node dist/main.js`, its own process) in front of
 * simulator replicas, under a steady closed-loop load of 50 callers, while replicas misbehave.
 *
 *   node .tools/bench/chaos.js [--quick] [--out FILE]
 *
 * (1) kill one of two replicas: caller-visible error rate (target ≤ 0.1 %) and failover time,
 *     from the kill to the first success of a request that was in flight on the dead replica
 *     (target ≤ 100 ms);
 * (2) one of two replicas answers 503 to 20 % of requests: caller-visible error rate (≤ 0.1 %);
 * (3) two replicas whose speed differs 4× (each with a batch limit, see SlotLimitedReplica):
 *     p50/p99 latency with `round-robin`, `load-aware` and `least-outstanding`; load-aware's
 *     p99 must be the lower of the first two.
 *
 * Exits 1 when a target is missed. Figures go to stdout and to bench/chaos/results/latest.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { startSimulator, type RunningSimulator } from '../test/simulator';
import { counterTotal, startGateway } from './chaos/gateway-process';
import { percentile, runLoad, type LoadResult } from './chaos/load';
import { SlotLimitedReplica } from './chaos/slot-limited-replica';

const ROOT = resolve(__dirname, '..', '..');
const API_KEY = 'tg-chaos-bench-key';
const CLIENTS = 50;
const BODY = {
  model: 'instant',
  max_tokens: 16,
  messages: [{ role: 'user', content: 'Say hello.' }],
};

interface Flags {
  quick: boolean;
  out: string;
}

function flags(argv: readonly string[]): Flags {
  const outAt = argv.indexOf('--out');
  return {
    quick: argv.includes('--quick'),
    out:
      outAt !== -1
        ? resolve(argv[outAt + 1])
        : join(ROOT, 'bench', 'chaos', 'results', 'latest.json'),
  };
}

/** The gateway's YAML tree: one instant pool over `urls`, defaults unless `pool` says otherwise. */
function gatewayConfig(urls: string[], pool: Record<string, unknown> = {}): object {
  return {
    server: { shutdown: { drain_delay_ms: 0, grace_period_ms: 5000 } },
    pools: { instant: { upstreams: urls.map((url) => ({ url })), ...pool } },
    tiers: { instant: { pool: 'instant', model: 'sim-instant' } },
  };
}

function errorsOf(result: LoadResult): { total: number; errors: number; rate: number } {
  const total = result.samples.length;
  const errors = result.samples.filter((s) => s.status !== 200).length;
  return { total, errors, rate: total === 0 ? 1 : errors / total };
}

function latencies(result: LoadResult): { p50: number; p90: number; p99: number; max: number } {
  const ms = result.samples.filter((s) => s.status === 200).map((s) => s.end - s.start);
  return {
    p50: percentile(ms, 50),
    p90: percentile(ms, 90),
    p99: percentile(ms, 99),
    max: percentile(ms, 100),
  };
}

const pct = (x: number): string => `${(x * 100).toFixed(3)} %`;
const ms = (x: number): string => `${x.toFixed(1)} ms`;

async function simulator(name: string, behavior: object): Promise<RunningSimulator> {
  return startSimulator({ model: 'sim-instant', name, behavior, logLimit: 200_000 });
}

async function killScenario(durationMs: number, warmupMs: number) {
  const a = await simulator('a', { latencyMs: 20 });
  const b = await simulator('b', { latencyMs: 20 });
  const gateway = await startGateway(ROOT, gatewayConfig([a.url, b.url]), {
    GATEWAY_API_KEYS: API_KEY,
  });
  try {
    await runLoad({
      origin: gateway.origin,
      apiKey: API_KEY,
      clients: CLIENTS,
      durationMs: warmupMs,
      body: BODY,
      idPrefix: 'warm',
    });
    const result = await runLoad({
      origin: gateway.origin,
      apiKey: API_KEY,
      clients: CLIENTS,
      durationMs,
      body: BODY,
      idPrefix: 'kill',
      event: { atMs: Math.round(durationMs * 0.35), run: () => a.kill() },
    });
    const killedAt = result.eventAt!;
    // Requests the dead replica had received and never finished: the gateway had to move them.
    const cut = new Set(
      a
        .requests()
        .filter((r) => !r.completed)
        .map((r) => String(r.headers['x-request-id'] ?? '')),
    );
    const moved = result.samples.filter((s) => cut.has(s.id));
    const movedOk = moved.filter((s) => s.status === 200);
    const failover = movedOk.map((s) => s.end - killedAt);
    const after = result.samples.filter((s) => s.start >= killedAt && s.status === 200);
    const metrics = await gateway.metrics();
    return {
      ...errorsOf(result),
      throughputRps: result.samples.length / (durationMs / 1000),
      inFlightOnKilledReplica: moved.length,
      movedSucceeded: movedOk.length,
      failoverFirstMs: failover.length ? Math.min(...failover) : Number.NaN,
      failoverLastMs: failover.length ? Math.max(...failover) : Number.NaN,
      firstSuccessAfterKillMs: after.length
        ? Math.min(...after.map((s) => s.end - killedAt))
        : Number.NaN,
      latency: latencies(result),
      retries: counterTotal(await gateway.metrics(), 'tiergate_upstream_retries_total'),
      killedReplicaState: /tiergate_upstream_state\{[^}]*state="(\w[\w-]*)"\} 1/.exec(
        metrics
          .split('\n')
          .find(
            (l) =>
              l.includes(a.url) && l.startsWith('tiergate_upstream_state{') && l.endsWith(' 1'),
          ) ?? '',
      )?.[1],
    };
  } finally {
    await gateway.stop();
    await Promise.all([a.close(), b.close()]);
  }
}

async function failRateScenario(durationMs: number, warmupMs: number) {
  const a = await simulator('a', { latencyMs: 20 });
  const b = await simulator('b', { latencyMs: 20 });
  const gateway = await startGateway(ROOT, gatewayConfig([a.url, b.url]), {
    GATEWAY_API_KEYS: API_KEY,
  });
  try {
    await runLoad({
      origin: gateway.origin,
      apiKey: API_KEY,
      clients: CLIENTS,
      durationMs: warmupMs,
      body: BODY,
      idPrefix: 'warm',
    });
    a.reset();
    a.configure({ failRate: 0.2, failStatus: 503 });
    const result = await runLoad({
      origin: gateway.origin,
      apiKey: API_KEY,
      clients: CLIENTS,
      durationMs,
      body: BODY,
      idPrefix: 'fail',
    });
    const metrics = await gateway.metrics();
    return {
      ...errorsOf(result),
      throughputRps: result.samples.length / (durationMs / 1000),
      upstream503s: a.requests().filter((r) => r.status === 503).length,
      retries: counterTotal(metrics, 'tiergate_upstream_retries_total'),
      ejections: counterTotal(metrics, 'tiergate_upstream_state_transitions_total', [
        'to="ejected"',
      ]),
      latency: latencies(result),
    };
  } finally {
    await gateway.stop();
    await Promise.all([a.close(), b.close()]);
  }
}

async function balancingScenario(policy: string, durationMs: number, warmupMs: number) {
  const fastSim = await simulator('fast', { latencyMs: 25 });
  const slowSim = await simulator('slow', { latencyMs: 100 });
  const fast = new SlotLimitedReplica(fastSim.origin, 4);
  const slow = new SlotLimitedReplica(slowSim.origin, 4);
  await Promise.all([fast.listen(), slow.listen()]);
  const gateway = await startGateway(
    ROOT,
    gatewayConfig([fast.url, slow.url], {
      balancing: policy,
      load_aware: { scrape_interval_ms: 200 },
    }),
    { GATEWAY_API_KEYS: API_KEY },
  );
  try {
    await runLoad({
      origin: gateway.origin,
      apiKey: API_KEY,
      clients: CLIENTS,
      durationMs: warmupMs,
      body: BODY,
      idPrefix: 'warm',
    });
    fastSim.reset();
    slowSim.reset();
    const result = await runLoad({
      origin: gateway.origin,
      apiKey: API_KEY,
      clients: CLIENTS,
      durationMs,
      body: BODY,
      idPrefix: policy,
    });
    const toFast = fastSim.stats().completed;
    const toSlow = slowSim.stats().completed;
    return {
      policy,
      ...errorsOf(result),
      throughputRps: result.samples.length / (durationMs / 1000),
      shareToFast: toFast / Math.max(1, toFast + toSlow),
      latency: latencies(result),
    };
  } finally {
    await gateway.stop();
    await Promise.all([fast.close(), slow.close()]);
    await Promise.all([fastSim.close(), slowSim.close()]);
  }
}

async function main(): Promise<void> {
  const { quick, out } = flags(process.argv.slice(2));
  const durationMs = quick ? 3000 : 10_000;
  const warmupMs = quick ? 500 : 2000;
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
  console.log(
    `Chaos bench: ${CLIENTS} closed-loop callers, ${durationMs / 1000} s per run${quick ? ' (--quick: smoke run)' : ''}; ${machine}\n`,
  );

  const kill = await killScenario(durationMs, warmupMs);
  console.log('(1) kill one of two replicas (latency 20 ms each) under load');
  console.log(
    `    requests ${kill.total}, caller-visible errors ${kill.errors} (${pct(kill.rate)}), ${kill.throughputRps.toFixed(0)} req/s`,
  );
  console.log(
    `    in flight on the killed replica: ${kill.inFlightOnKilledReplica}, all answered by the other: ${kill.movedSucceeded === kill.inFlightOnKilledReplica}`,
  );
  console.log(
    `    failover (kill → first rerouted success) ${ms(kill.failoverFirstMs)}, last rerouted success ${ms(kill.failoverLastMs)}`,
  );
  console.log(
    `    latency p50 ${ms(kill.latency.p50)} p99 ${ms(kill.latency.p99)} max ${ms(kill.latency.max)}; retries ${kill.retries}; killed replica now ${kill.killedReplicaState}\n`,
  );

  const fail = await failRateScenario(durationMs, warmupMs);
  console.log('(2) one of two replicas answers 503 to 20 % of requests');
  console.log(
    `    requests ${fail.total}, caller-visible errors ${fail.errors} (${pct(fail.rate)}), ${fail.throughputRps.toFixed(0)} req/s`,
  );
  console.log(
    `    upstream 503s ${fail.upstream503s}, retries ${fail.retries}, ejections ${fail.ejections}; latency p50 ${ms(fail.latency.p50)} p99 ${ms(fail.latency.p99)}\n`,
  );

  console.log('(3) replicas 4× apart in speed (25 ms vs 100 ms per request, 4 slots each)');
  const balancing = [];
  for (const policy of ['round-robin', 'load-aware', 'least-outstanding']) {
    const r = await balancingScenario(policy, durationMs, warmupMs);
    balancing.push(r);
    console.log(
      `    ${policy.padEnd(18)} p50 ${ms(r.latency.p50).padStart(9)}  p90 ${ms(r.latency.p90).padStart(9)}  p99 ${ms(r.latency.p99).padStart(9)}  ` +
        `${r.throughputRps.toFixed(0).padStart(4)} req/s  to fast ${(r.shareToFast * 100).toFixed(0)} %  errors ${r.errors}`,
    );
  }
  const rr = balancing[0];
  const la = balancing[1];

  const checks = [
    { name: 'kill: error rate ≤ 0.1 %', ok: kill.rate <= 0.001, value: pct(kill.rate) },
    {
      name: 'kill: failover ≤ 100 ms',
      ok: kill.failoverFirstMs <= 100,
      value: ms(kill.failoverFirstMs),
    },
    { name: '20 % 503: error rate ≤ 0.1 %', ok: fail.rate <= 0.001, value: pct(fail.rate) },
    {
      name: 'load-aware p99 < round-robin p99',
      ok: la.latency.p99 < rr.latency.p99,
      value: `${ms(la.latency.p99)} vs ${ms(rr.latency.p99)}`,
    },
  ];
  console.log('\nTargets');
  for (const c of checks) console.log(`    ${c.ok ? 'PASS' : 'FAIL'}  ${c.name}: ${c.value}`);

  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify(
      {
        at: new Date().toISOString(),
        machine,
        quick,
        clients: CLIENTS,
        durationMs,
        kill,
        fail,
        balancing,
        checks,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`\nWritten to ${out}`);
  if (checks.some((c) => !c.ok)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

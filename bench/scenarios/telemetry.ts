/**
 * The cost of observability (issue: observability, item 6): the same gateway with OpenTelemetry
 * off (`OTEL_SDK_DISABLED=true`), on as the Helm chart deploys it (traces exported over OTLP/HTTP
 * to a local collector stub; `parentbased_traceidratio` at 0.1 traces a tenth of the requests
 * that come without a `traceparent`), and on with the SDK's default sampler, which traces every
 * request (`parentbased_always_on`), measured side by side:
 *
 * - throughput and p99 with autocannon, `connections` keep-alive connections, non-streaming chat;
 *   the gateways run at the same time and their runs alternate (and rotate which goes first) so
 *   drift on a shared machine lands on all of them;
 * - RSS with `streams` open streams, each mode in a fresh gateway (scenario (d)'s procedure).
 *
 * Prometheus metrics and the JSON logs are on in every mode (they are not optional); "on" adds
 * the SDK, the http and undici instrumentations, recorded spans and their export. The targets
 * are judged on "on", the configuration the Helm chart deploys.
 *
 *   const result = await runTelemetryCost({ root, quick: false });
 *   console.log(formatTelemetryCost(result));
 */
import * as http from 'node:http';
import autocannon from 'autocannon';
import { runOpenStreams, type OpenStreamsResult } from './open-streams.scenario';
import {
  CHAT_PATH,
  FAST_ANSWER,
  GATEWAY_MODEL,
  REQUEST_HEADERS,
  SIM_INSTANT_MODEL,
  SIM_THINKING_MODEL,
  chatBody,
} from '../support/bench.constants';
import { startLoadMeter } from '../support/machine';
import {
  resetSimulator,
  gatewayEnv,
  spawnGateway,
  spawnSimulator,
  startedPids,
  type GatewayProcess,
  type SimulatorProcess,
} from '../support/processes';
import { round } from '../support/stats';

/** The limits. */
export const TELEMETRY_COST_TARGETS = {
  /** Throughput lost with telemetry on, in % of the throughput with it off. */
  maxThroughputCostPercent: 10,
  /** RSS added with telemetry on while `streams` streams are open, in MiB. */
  maxRssCostMiB: 30,
} as const;

/** Other work above this share of a core makes the throughput figures suspect. */
const DISTURBED_PERCENT = 15;

export type TelemetryMode = 'off' | 'on' | 'all';

export const TELEMETRY_MODES: readonly TelemetryMode[] = ['off', 'on', 'all'];

/** What each mode is, for the report. */
export const TELEMETRY_MODE_LABELS: Readonly<Record<TelemetryMode, string>> = {
  off: 'OTEL_SDK_DISABLED=true',
  on: 'OTLP export, sampling as the Helm chart sets it (parentbased_traceidratio 0.1)',
  all: 'OTLP export, the SDK default sampler (parentbased_always_on: every request)',
};

export interface TelemetryCostOptions {
  /** The repository root (dist/main.js and .tools/ are built). */
  root: string;
  /** Shorter runs, for a smoke test: not figures to quote. */
  quick?: boolean;
  /** Default 50. */
  connections?: number;
  /** Measured seconds per autocannon run. Default 10 (3 with `quick`). */
  durationS?: number;
  /** Unrecorded warm-up seconds before each run. Default 2 (1 with `quick`). */
  warmupS?: number;
  /** Runs per mode, alternating. Default 3 (1 with `quick`). */
  rounds?: number;
  /** Open streams for the RSS measurement. Default 1,000. */
  streams?: number;
  /** Simulators to use; started (and stopped) by the scenario when absent. */
  sims?: { instant: SimulatorProcess; thinking: SimulatorProcess };
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface ThroughputSample {
  rps: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  ok: number;
  non2xx: number;
  errors: number;
  /** The gateway's CPU over the run, in % of one core. */
  gatewayCpuPercent: number;
  /** CPU used meanwhile by processes this bench did not start, in % of one core. */
  foreignCpuPercent: number;
}

export interface ModeResult {
  /** One sample per round, in the order they ran. */
  runs: ThroughputSample[];
  /** Means over the rounds. */
  rps: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  gatewayCpuPercent: number;
  /** CPU time per request, in µs: the steadiest figure on a shared machine. */
  gatewayCpuUsPerRequest: number;
  /** Other work on the machine during this mode's runs, mean % of one core. */
  foreignCpuPercent: number;
  openStreams: OpenStreamsResult;
}

export interface TelemetryCostResult {
  connections: number;
  durationS: number;
  rounds: number;
  streams: number;
  off: ModeResult;
  on: ModeResult;
  all: ModeResult;
  /** (off rps − on rps) / off rps, in %. */
  throughputCostPercent: number;
  /** on p99 − off p99, in ms. */
  p99AddedMs: number;
  /** on − off RSS with every stream open, in MiB. */
  rssCostMiB: number;
  /** on − off CPU per request, in % of off's. */
  cpuCostPercent: number;
  /** The same figures with every request traced. */
  allSampled: {
    throughputCostPercent: number;
    cpuCostPercent: number;
    p99AddedMs: number;
    rssCostMiB: number;
  };
  /** Set when other processes used more than 15 % of a core meanwhile: the figures are disturbed. */
  disturbed?: string;
  /** What the collector stub received from the "on" gateways. */
  collector: { exportRequests: number; bytes: number };
  targets: {
    throughput: { limitPercent: number; pass: boolean };
    rss: { limitMiB: number; pass: boolean };
  };
}

/** An OTLP/HTTP endpoint that accepts every export (`POST /v1/traces`) and counts it. */
export interface CollectorStub {
  url: string;
  exportRequests: number;
  bytes: number;
  close(): Promise<void>;
}

export function startCollectorStub(): Promise<CollectorStub> {
  const stub = { exportRequests: 0, bytes: 0 };
  const server = http.createServer((req, res) => {
    req.on('data', (chunk: Buffer) => (stub.bytes += chunk.length));
    req.on('end', () => {
      if (req.method === 'POST' && req.url?.startsWith('/v1/')) stub.exportRequests++;
      // An empty ExportTraceServiceResponse: valid protobuf and valid JSON ({}).
      const json = (req.headers['content-type'] ?? '').includes('json');
      res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      res.end(json ? '{}' : '');
    });
  });
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        url: `http://127.0.0.1:${port}`,
        get exportRequests() {
          return stub.exportRequests;
        },
        get bytes() {
          return stub.bytes;
        },
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

export async function runTelemetryCost(
  options: TelemetryCostOptions,
): Promise<TelemetryCostResult> {
  const quick = options.quick ?? false;
  const connections = options.connections ?? 50;
  const durationS = options.durationS ?? (quick ? 3 : 10);
  const warmupS = options.warmupS ?? (quick ? 1 : 2);
  const rounds = options.rounds ?? (quick ? 1 : 3);
  const streams = options.streams ?? 1000;
  const log = options.log ?? (() => undefined);
  const { root } = options;

  const collector = await startCollectorStub();
  const ownSims = options.sims === undefined;
  const sims = options.sims ?? {
    instant: await spawnSimulator(root, 'telemetry-instant', SIM_INSTANT_MODEL),
    thinking: await spawnSimulator(root, 'telemetry-thinking', SIM_THINKING_MODEL),
  };
  const env = (mode: TelemetryMode): Record<string, string> => ({
    ...gatewayEnv(sims.instant, sims.thinking, 'warn'),
    // Set explicitly in every mode, whatever this process inherited.
    ...(mode === 'off'
      ? { OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: '' }
      : { OTEL_SDK_DISABLED: 'false', OTEL_EXPORTER_OTLP_ENDPOINT: collector.url }),
    // "on" samples as the Helm chart deploys it; "all" is the SDK's default (every request).
    OTEL_TRACES_SAMPLER: mode === 'on' ? 'parentbased_traceidratio' : '',
    OTEL_TRACES_SAMPLER_ARG: mode === 'on' ? '0.1' : '',
    OTEL_TRACES_EXPORTER: '',
    OTEL_NODE_DISABLED_INSTRUMENTATIONS: '',
    OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'false',
  });
  const start = (mode: TelemetryMode, name: string): Promise<GatewayProcess> =>
    spawnGateway({ root, name: `${name}-${mode}`, env: env(mode) });

  try {
    // Throughput and p99: both gateways up, runs alternating.
    await resetSimulator(sims.instant.origin, FAST_ANSWER);
    const runs: Record<TelemetryMode, ThroughputSample[]> = { off: [], on: [], all: [] };
    const gateways = {} as Record<TelemetryMode, GatewayProcess>;
    try {
      for (const mode of TELEMETRY_MODES) gateways[mode] = await start(mode, 'telemetry');
      for (let round = 0; round < rounds; round++) {
        // Rotate which mode goes first, too.
        const order = TELEMETRY_MODES.map(
          (_, i) => TELEMETRY_MODES[(i + round) % TELEMETRY_MODES.length],
        );
        for (const mode of order) {
          log(
            `telemetry ${mode}: autocannon ${connections} connections, ${durationS} s (round ${round + 1}/${rounds})`,
          );
          runs[mode].push(await measureThroughput(gateways[mode], connections, durationS, warmupS));
        }
      }
    } finally {
      await Promise.all(Object.values(gateways).map((g) => g.handle.stop('SIGTERM')));
    }

    // RSS with open streams: a fresh gateway per mode.
    const open: Partial<Record<TelemetryMode, OpenStreamsResult>> = {};
    for (const mode of TELEMETRY_MODES) {
      log(`telemetry ${mode}: a fresh gateway, ${streams} open streams`);
      const gateway = await start(mode, 'telemetry-streams');
      try {
        open[mode] = await runOpenStreams({
          gateway,
          simulatorOrigin: sims.instant.origin,
          streams,
          warmup: 50,
          abortTimeoutMs: 10_000,
        });
      } finally {
        await gateway.handle.stop('SIGTERM');
      }
    }

    const off = summarise(runs.off, open.off!);
    const on = summarise(runs.on, open.on!);
    const all = summarise(runs.all, open.all!);
    const cost = (mode: ModeResult) => ({
      throughputCostPercent: round2(((off.rps - mode.rps) / off.rps) * 100),
      cpuCostPercent: round2(
        ((mode.gatewayCpuUsPerRequest - off.gatewayCpuUsPerRequest) / off.gatewayCpuUsPerRequest) *
          100,
      ),
      p99AddedMs: round2(mode.latencyP99Ms - off.latencyP99Ms),
      rssCostMiB: round2((mode.openStreams.rssOpenKiB - off.openStreams.rssOpenKiB) / 1024),
    });
    const foreign = Math.max(off.foreignCpuPercent, on.foreignCpuPercent, all.foreignCpuPercent);
    const { throughputCostPercent, cpuCostPercent, p99AddedMs, rssCostMiB } = cost(on);
    return {
      connections,
      durationS,
      rounds,
      streams,
      off,
      on,
      all,
      throughputCostPercent,
      cpuCostPercent,
      p99AddedMs,
      rssCostMiB,
      allSampled: cost(all),
      ...(foreign > DISTURBED_PERCENT
        ? {
            disturbed: `other processes used up to ${foreign.toFixed(0)} % of a core during the throughput runs: the figures are disturbed`,
          }
        : {}),
      collector: { exportRequests: collector.exportRequests, bytes: collector.bytes },
      targets: {
        throughput: {
          limitPercent: TELEMETRY_COST_TARGETS.maxThroughputCostPercent,
          pass: throughputCostPercent <= TELEMETRY_COST_TARGETS.maxThroughputCostPercent,
        },
        rss: {
          limitMiB: TELEMETRY_COST_TARGETS.maxRssCostMiB,
          pass: rssCostMiB <= TELEMETRY_COST_TARGETS.maxRssCostMiB,
        },
      },
    };
  } finally {
    await collector.close();
    if (ownSims) {
      await Promise.all([
        sims.instant.handle.stop('SIGTERM'),
        sims.thinking.handle.stop('SIGTERM'),
      ]);
    }
  }
}

/** The lines to print: one per mode, then the costs against the targets. */
export function formatTelemetryCost(result: TelemetryCostResult): string {
  const row = (mode: TelemetryMode): string => {
    const m = result[mode];
    return (
      `  ${mode.padEnd(3)}  ${m.rps.toFixed(0).padStart(6)} req/s  ` +
      `p50 ${m.latencyP50Ms.toFixed(2)} ms  p99 ${m.latencyP99Ms.toFixed(2)} ms  ` +
      `CPU ${m.gatewayCpuUsPerRequest.toFixed(0)} µs/req  other work ${m.foreignCpuPercent.toFixed(0)} %  ` +
      `RSS ${(m.openStreams.rssOpenKiB / 1024).toFixed(1)} MiB with ${result.streams} streams ` +
      `(${m.openStreams.kibPerStream.toFixed(1)} KiB/stream)`
    );
  };
  const verdict = (pass: boolean): string => (pass ? 'PASS' : 'FAIL');
  const signed = (n: number, digits: number): string => `${n >= 0 ? '+' : ''}${n.toFixed(digits)}`;
  const all = result.allSampled;
  return [
    `cost of observability (${result.connections} connections, ${result.rounds} × ${result.durationS} s per mode, alternating):`,
    ...TELEMETRY_MODES.map((mode) => `${row(mode)}  [${TELEMETRY_MODE_LABELS[mode]}]`),
    `  on:  throughput cost ${result.throughputCostPercent.toFixed(1)} % (target ≤ ${result.targets.throughput.limitPercent} %) ${verdict(result.targets.throughput.pass)}; ` +
      `CPU per request ${signed(result.cpuCostPercent, 1)} %; p99 ${signed(result.p99AddedMs, 2)} ms; ` +
      `RSS ${signed(result.rssCostMiB, 1)} MiB (target ≤ ${result.targets.rss.limitMiB} MiB) ${verdict(result.targets.rss.pass)}`,
    `  all: throughput cost ${all.throughputCostPercent.toFixed(1)} %; CPU per request ${signed(all.cpuCostPercent, 1)} %; p99 ${signed(all.p99AddedMs, 2)} ms; RSS ${signed(all.rssCostMiB, 1)} MiB (reported, not a target)`,
    `  the collector stub received ${result.collector.exportRequests} exports, ${(result.collector.bytes / 1024).toFixed(0)} KiB`,
    ...(result.disturbed ? [`  note: ${result.disturbed}`] : []),
  ].join('\n');
}

async function measureThroughput(
  gateway: GatewayProcess,
  connections: number,
  durationS: number,
  warmupS: number,
): Promise<ThroughputSample> {
  const run = (duration: number) =>
    autocannon({
      url: gateway.origin + CHAT_PATH,
      method: 'POST',
      headers: { ...REQUEST_HEADERS },
      body: chatBody(GATEWAY_MODEL, false),
      connections,
      pipelining: 1,
      duration,
    });
  if (warmupS > 0) await run(warmupS);
  const cpu0 = gateway.handle.cpuMs();
  const load = startLoadMeter(startedPids);
  const result = await run(durationS);
  const cpuMs = gateway.handle.cpuMs() - cpu0;
  const foreignCpuPercent = load().foreignCpuPercent;
  if (result['2xx'] === 0) {
    throw new Error(
      `${gateway.handle.name}: no 2xx answer in ${durationS} s\n${gateway.handle.logTail()}`,
    );
  }
  return {
    rps: result.requests.average,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    gatewayCpuPercent: (cpuMs / (result.duration * 1000)) * 100,
    foreignCpuPercent,
  };
}

function summarise(runs: ThroughputSample[], openStreams: OpenStreamsResult): ModeResult {
  const mean = (pick: (s: ThroughputSample) => number): number =>
    runs.reduce((sum, s) => sum + pick(s), 0) / runs.length;
  const rps = mean((s) => s.rps);
  const cpuPercent = mean((s) => s.gatewayCpuPercent);
  return {
    runs,
    rps: round(rps),
    latencyP50Ms: round(mean((s) => s.latencyP50Ms)),
    latencyP99Ms: round(mean((s) => s.latencyP99Ms)),
    gatewayCpuPercent: round(cpuPercent),
    // CPU seconds per second (% / 100), in µs, over requests per second: µs per request.
    gatewayCpuUsPerRequest: round(((cpuPercent / 100) * 1e6) / rps),
    foreignCpuPercent: round(mean((s) => s.foreignCpuPercent)),
    openStreams,
  };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

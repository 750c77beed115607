/**
 * `npm run bench`: one simulator per tier and the gateway, each its own process, measured side by
 * side on this machine. Prints a table (direct, gateway, added cost, target, PASS/FAIL) and writes
 * `bench/results/latest.json`. Targets are reported, not asserted: the exit code is 0 unless the
 * bench itself fails.
 *
 *   node .tools/bench/run.js [--quick] [--only a,b,c,d,classifier,ref] [--profile] [--out FILE]
 *
 * (a) one request at a time, direct vs gateway: added latency p50/p99
 * (b) saturation with autocannon, 50 connections: req/s and the gateway/direct ratio
 * (c) streaming time to first byte, one at a time
 * (d) a fresh gateway holding 1,000 open streams: RSS per stream, upstream aborts when callers leave
 * classifier: `bench/classifier.bench.ts`'s runClassifierBench(), when that file exists
 * ref (only with --only): (a) and (b) through minimal reference proxies, for scale
 * telemetry: the cost of observability, OpenTelemetry off / on / on for every request
 *   (bench/scenarios/telemetry.ts)
 *
 * --profile runs each gateway under `--cpu-prof` (profiles in bench/results/profiles) and prints
 * the top self-time functions of the span each scenario measured. See docs/performance.md.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { formatProfileSummary, summariseProfile, type ProfileSummary } from './profile-summary';
import { runOpenStreams } from './scenarios/open-streams.scenario';
import { runSequentialLatency } from './scenarios/sequential-latency.scenario';
import { runStreamTtfb } from './scenarios/stream-ttfb.scenario';
import { runThroughput } from './scenarios/throughput.scenario';
import {
  formatTelemetryCost,
  runTelemetryCost,
  type TelemetryCostResult,
} from './scenarios/telemetry';
import {
  BENCH_API_KEY,
  FAST_ANSWER,
  GATEWAY_MODEL,
  SIM_INSTANT_MODEL,
  SIM_THINKING_MODEL,
  chatBody,
} from './support/bench.constants';
import { gitInfo, machineInfo, startLoadMeter, type MachineLoad } from './support/machine';
import {
  killAllStarted,
  resetSimulator,
  sleep,
  spawnGateway,
  spawnReferenceProxy,
  spawnSimulator,
  startedPids,
  type GatewayProcess,
  type SimulatorProcess,
} from './support/processes';
import { checkTargets, formatTable, type ScenarioResults } from './support/report';
import type { MeasuredWindow } from './support/stats';

type Section = 'a' | 'b' | 'c' | 'd' | 'classifier' | 'ref' | 'telemetry';
const SECTIONS: readonly Section[] = ['a', 'b', 'c', 'd', 'classifier', 'ref', 'telemetry'];
/** `ref` (minimal reference proxies) runs only when asked for with --only. */
const DEFAULT_SECTIONS: readonly Section[] = ['a', 'b', 'c', 'd', 'classifier', 'telemetry'];

interface Flags {
  quick: boolean;
  only: Set<Section>;
  profile: boolean;
  out: string;
}

/** Iterations per mode; `--quick` is a smoke run, its figures are not the ones to quote. */
const PLAN = {
  full: {
    aWarmup: 2000,
    aIterations: 2000,
    bDurationS: 10,
    bWarmupS: 2,
    cWarmup: 500,
    cIterations: 1000,
  },
  quick: {
    aWarmup: 200,
    aIterations: 300,
    bDurationS: 3,
    bWarmupS: 1,
    cWarmup: 50,
    cIterations: 200,
  },
} as const;
const BATCH = 100;
const STREAMS = 1000;
const CONNECTIONS = 50;
/** Sockets the gateway holds in (d): one per caller and one per upstream request. */
const FDS_NEEDED = 2 * STREAMS + 200;

/** Other work above this share of a core during a scenario makes its figures suspect. */
const DISTURBED_PERCENT = 15;

const USAGE =
  'usage: run.js [--quick] [--only a,b,c,d,classifier,ref,telemetry] [--profile] [--out FILE]';

function parseFlags(argv: string[], root: string): Flags {
  const flags: Flags = {
    quick: false,
    only: new Set(DEFAULT_SECTIONS),
    profile: false,
    out: join(root, 'bench', 'results', 'latest.json'),
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [name, inline] = arg.split('=', 2);
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${name} needs a value\n${USAGE}`);
      return v;
    };
    if (name === '--quick') flags.quick = true;
    else if (name === '--profile') flags.profile = true;
    else if (name === '--out') flags.out = resolve(value());
    else if (name === '--only') {
      const picked = value()
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      for (const s of picked) {
        if (!(SECTIONS as readonly string[]).includes(s))
          throw new Error(`--only: unknown section ${s}\n${USAGE}`);
      }
      flags.only = new Set(picked as Section[]);
    } else if (name === '--help' || name === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  return flags;
}

interface ProfileRecord {
  gateway: string;
  file: string;
  /** Per scenario, the summary of the samples taken while it ran. */
  summaries: Record<string, ProfileSummary>;
}

async function main(): Promise<number> {
  // Compiled to .tools/bench/run.js: the repository is two levels up.
  const root = resolve(__dirname, '..', '..');
  const flags = parseFlags(process.argv.slice(2), root);
  const plan = flags.quick ? PLAN.quick : PLAN.full;
  const command = ['node', relative(root, process.argv[1]), ...process.argv.slice(2)].join(' ');
  for (const file of [
    join(root, 'dist', 'main.js'),
    join(root, '.tools', 'test', 'simulator', 'main.js'),
  ]) {
    if (!existsSync(file)) {
      throw new Error(
        `${relative(root, file)} is missing: run npx tsc -p tsconfig.build.json && npx tsc -p tsconfig.tools.json`,
      );
    }
  }
  const machine = machineInfo();
  const git = gitInfo(root);
  const date = new Date().toISOString();
  console.log(`Tiergate bench, ${date}`);
  console.log(
    `machine: ${machine.cpuModel} × ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.platform} ` +
      `(kernel ${machine.kernel}), node ${machine.node}, ulimit -n ${machine.openFilesLimit ?? '?'}`,
  );
  console.log(`commit: ${git.commit ?? 'unknown'}${git.dirty ? ' (uncommitted changes)' : ''}`);
  console.log(`command: ${command}  (cwd ${root})`);
  if (flags.quick) console.log('mode: --quick (smoke run: too few samples to quote)');
  if (flags.profile)
    console.log('mode: --profile (the gateway runs under --cpu-prof: its figures are inflated)');
  console.log('');

  const results: ScenarioResults = {};
  const notes: string[] = [];
  const errors: string[] = [];
  const profiles: ProfileRecord[] = [];
  let classifier: unknown;
  let telemetry: TelemetryCostResult | undefined;
  const profileDir = join(root, 'bench', 'results', 'profiles');
  const sims: SimulatorProcess[] = [];
  const started = Date.now();

  const gatewayEnv = (
    instant: SimulatorProcess,
    thinking: SimulatorProcess,
  ): Record<string, string> => ({
    // No configuration file: the gateway is measured on its defaults (issue 12).
    INSTANT_UPSTREAMS: instant.url,
    INSTANT_MODEL: instant.model,
    THINKING_UPSTREAMS: thinking.url,
    THINKING_MODEL: thinking.model,
    GATEWAY_API_KEYS: BENCH_API_KEY,
    LOG_LEVEL: 'warn',
  });
  const startGateway = (name: string, instant: SimulatorProcess, thinking: SimulatorProcess) => {
    const nodeArgs: string[] = [];
    if (flags.profile) {
      mkdirSync(profileDir, { recursive: true });
      nodeArgs.push(
        '--cpu-prof',
        '--cpu-prof-dir',
        profileDir,
        '--cpu-prof-name',
        `${name}-${date.replace(/[:.]/g, '-')}.cpuprofile`,
        '-r',
        join(__dirname, 'profile-exit.hook.js'),
      );
    }
    return spawnGateway({ root, name, env: gatewayEnv(instant, thinking), nodeArgs });
  };
  const stopGateway = async (
    gateway: GatewayProcess,
    windows: Record<string, [number, number]>,
  ) => {
    if (!flags.profile) return gateway.handle.stop('SIGTERM');
    await gateway.handle.stop('SIGUSR2');
    const file = newestProfile(profileDir, gateway.handle.name);
    if (!file) return void notes.push(`no profile written by ${gateway.handle.name}`);
    const summaries: Record<string, ProfileSummary> = {};
    for (const [label, [fromUs, toUs]] of Object.entries(windows)) {
      summaries[label] = summariseProfile(file, { top: 25, window: { fromUs, toUs } });
    }
    profiles.push({ gateway: gateway.handle.name, file: relative(root, file), summaries });
  };
  /** Records, per scenario, the span in which it measured the gateway (for the profile). */
  const mark =
    (windows: Record<string, [number, number]>, label: string): MeasuredWindow =>
    (fromUs, toUs) =>
      void (windows[label] = [fromUs, toUs]);

  const load: Record<string, MachineLoad> = {};
  /** Runs a scenario and records how busy the machine was with other work meanwhile. */
  const measured = async <T>(label: string, run: () => Promise<T>): Promise<T> => {
    const stop = startLoadMeter(startedPids);
    try {
      return await run();
    } finally {
      load[label] = stop();
    }
  };

  process.once('SIGINT', () => {
    killAllStarted();
    process.exit(130);
  });

  try {
    const idle = startLoadMeter(startedPids);
    await sleep(1000);
    load.before = idle();
    const instant = await spawnSimulator(root, 'instant', SIM_INSTANT_MODEL);
    sims.push(instant);
    const thinking = await spawnSimulator(root, 'thinking', SIM_THINKING_MODEL, [
      '--reasoning',
      'reasoning_content',
    ]);
    sims.push(thinking);
    const direct = { origin: instant.origin, body: chatBody(instant.model, false) };
    const directStream = { origin: instant.origin, body: chatBody(instant.model, true) };

    if (flags.only.has('a') || flags.only.has('b') || flags.only.has('c')) {
      await resetSimulator(instant.origin, FAST_ANSWER);
      const gateway = await startGateway('gateway', instant, thinking);
      const windows: Record<string, [number, number]> = {};
      const via = { origin: gateway.origin, body: chatBody(GATEWAY_MODEL, false) };
      const viaStream = { origin: gateway.origin, body: chatBody(GATEWAY_MODEL, true) };
      try {
        if (flags.only.has('a')) {
          console.log(
            `(a) ${plan.aIterations} sequential requests per path after ${plan.aWarmup} warm-up…`,
          );
          results.a = await measured('a', () =>
            runSequentialLatency({
              direct,
              gateway: via,
              warmup: plan.aWarmup,
              iterations: plan.aIterations,
              batch: BATCH,
              gatewayProcess: gateway.handle,
              simulatorProcess: instant.handle,
              onMeasured: mark(windows, 'a'),
            }),
          );
        }
        if (flags.only.has('b')) {
          console.log(`(b) autocannon, ${CONNECTIONS} connections, ${plan.bDurationS} s per path…`);
          results.b = await measured('b', () =>
            runThroughput({
              direct,
              gateway: via,
              connections: CONNECTIONS,
              durationS: plan.bDurationS,
              warmupS: plan.bWarmupS,
              gatewayProcess: gateway.handle,
              simulatorProcess: instant.handle,
              onMeasured: mark(windows, 'b'),
            }),
          );
        }
        if (flags.only.has('c')) {
          console.log(
            `(c) ${plan.cIterations} sequential streams per path after ${plan.cWarmup} warm-up…`,
          );
          results.c = await measured('c', () =>
            runStreamTtfb({
              direct: directStream,
              gateway: viaStream,
              warmup: plan.cWarmup,
              iterations: plan.cIterations,
              batch: BATCH,
              onMeasured: mark(windows, 'c'),
            }),
          );
        }
      } finally {
        await stopGateway(gateway, windows);
      }
    }

    if (flags.only.has('ref')) {
      await resetSimulator(instant.origin, FAST_ANSWER);
      const refs: NonNullable<ScenarioResults['reference']> = {};
      for (const kind of ['http', 'fastify'] as const) {
        console.log(`(ref) minimal ${kind} + undici proxy: (a) and (b)…`);
        const proxy = await spawnReferenceProxy(root, kind, instant.origin, instant.model);
        const via = { origin: proxy.origin, body: chatBody(GATEWAY_MODEL, false) };
        try {
          refs[kind] = await measured(`ref-${kind}`, async () => ({
            a: await runSequentialLatency({
              direct,
              gateway: via,
              warmup: plan.aWarmup,
              iterations: plan.aIterations,
              batch: BATCH,
              gatewayProcess: proxy.handle,
              simulatorProcess: instant.handle,
            }),
            b: await runThroughput({
              direct,
              gateway: via,
              connections: CONNECTIONS,
              durationS: plan.bDurationS,
              warmupS: plan.bWarmupS,
              gatewayProcess: proxy.handle,
              simulatorProcess: instant.handle,
            }),
          }));
        } finally {
          await proxy.handle.stop('SIGTERM');
        }
      }
      results.reference = refs;
    }

    if (flags.only.has('d')) {
      const limit = machine.openFilesLimit ?? 0;
      if (limit < FDS_NEEDED) {
        notes.push(
          `ulimit -n is ${limit}; (d) needs about ${FDS_NEEDED} descriptors in the gateway ` +
            `(and ${STREAMS}+ here): raise it (ulimit -n 8192) if (d) fails`,
        );
      }
      console.log(`(d) a fresh gateway, ${STREAMS} open streams, then every caller leaves…`);
      const gateway = await startGateway('gateway-fresh', instant, thinking);
      const windows: Record<string, [number, number]> = {};
      try {
        results.d = await measured('d', () =>
          runOpenStreams({
            gateway,
            simulatorOrigin: instant.origin,
            streams: STREAMS,
            warmup: 50,
            abortTimeoutMs: 10_000,
            onMeasured: mark(windows, 'd'),
          }),
        );
      } finally {
        await stopGateway(gateway, windows);
      }
    }

    if (flags.only.has('telemetry')) {
      console.log('(telemetry) OpenTelemetry off, on, and on for every request, side by side…');
      telemetry = await measured('telemetry', () =>
        runTelemetryCost({ root, quick: flags.quick, sims: { instant, thinking } }),
      );
    }
  } catch (error) {
    errors.push((error as Error).stack ?? String(error));
  } finally {
    await Promise.all(sims.map((s) => s.handle.stop('SIGTERM')));
  }

  if (flags.only.has('classifier') && errors.length === 0) {
    console.log('classifier bench…');
    try {
      classifier = await runClassifier(flags.quick);
    } catch (error) {
      errors.push(`classifier bench: ${(error as Error).stack ?? String(error)}`);
    }
  }

  const checks = checkTargets(results);
  console.log('');
  console.log(formatTable(results, checks));
  if (classifier !== undefined) {
    console.log('');
    console.log(
      `classifier bench (its table is above; every figure is in the JSON): ${headline(classifier)}`,
    );
  }
  if (telemetry !== undefined) {
    console.log('');
    console.log(formatTelemetryCost(telemetry));
  }
  for (const profile of profiles) {
    for (const [label, summary] of Object.entries(profile.summaries)) {
      console.log('');
      console.log(`gateway profile, scenario (${label}) — ${profile.gateway}`);
      console.log(formatProfileSummary(summary, 15, { callers: true }));
    }
  }
  const failed = checks.filter((c) => !c.pass);
  console.log('');
  console.log(
    `targets: ${checks.length - failed.length}/${checks.length} met` +
      (failed.length
        ? `; missed: ${failed.map((c) => `${c.id} (${c.measured} ${c.unit}, ${c.limit})`).join(', ')}`
        : ''),
  );
  console.log(
    `other work on this machine (CPU % of one core; ${machine.cores * 100} % = all cores): ` +
      Object.entries(load)
        .map(
          ([label, l]) =>
            `${label === 'before' ? 'before the run' : `(${label})`} ${l.foreignCpuPercent.toFixed(0)} %`,
        )
        .join(', '),
  );
  const disturbed = Object.entries(load).filter(([, l]) => l.foreignCpuPercent > DISTURBED_PERCENT);
  if (disturbed.length > 0) {
    notes.push(
      `other processes used more than ${DISTURBED_PERCENT} % of a core during ${disturbed.map(([k]) => k).join(', ')}: ` +
        'those figures are disturbed; run again on a quiet machine before quoting them',
    );
  }
  for (const note of notes) console.log(`note: ${note}`);
  for (const error of errors) console.error(`error: ${error}`);

  mkdirSync(join(flags.out, '..'), { recursive: true });
  const report = {
    date,
    command,
    npmScript: 'npm run bench',
    durationS: Math.round((Date.now() - started) / 1000),
    options: { quick: flags.quick, only: [...flags.only], profile: flags.profile },
    machine,
    git,
    setup: {
      processes:
        'simulator (instant), simulator (thinking), gateway and this load generator: separate processes on the same cores',
      simulator: FAST_ANSWER,
      gatewayConfig: 'defaults + env (no GATEWAY_CONFIG; LOG_LEVEL=warn)',
      directBody: chatBody(SIM_INSTANT_MODEL, false),
      gatewayBody: chatBody(GATEWAY_MODEL, false),
      plan: { ...plan, batch: BATCH, connections: CONNECTIONS, streams: STREAMS },
    },
    results,
    machineLoad: load,
    targets: checks,
    profiles: profiles.map((p) => ({
      gateway: p.gateway,
      file: p.file,
      summaries: Object.fromEntries(
        Object.entries(p.summaries).map(([k, s]) => [k, { ...s, file: relative(root, s.file) }]),
      ),
    })),
    classifier,
    telemetry,
    notes,
    errors,
  };
  writeFileSync(flags.out, JSON.stringify(report, jsonRound, 2) + '\n');
  console.log(`wrote ${relative(root, flags.out)}`);
  return errors.length > 0 ? 1 : 0;
}

/** Numbers in the JSON report at a readable precision. */
function jsonRound(_key: string, value: unknown): unknown {
  if (typeof value !== 'number' || Number.isInteger(value)) return value;
  const abs = Math.abs(value);
  const f = abs < 10 ? 1e4 : abs < 1000 ? 1e2 : 1;
  return Math.round(value * f) / f;
}

function newestProfile(dir: string, prefix: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const files = readdirSync(dir)
    .filter((f) => f.startsWith(`${prefix}-`) && f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return files[0];
}

/** The classifier bench of `bench/classifier.bench.ts`, when it exists and exports `runClassifierBench`. */
async function runClassifier(quick: boolean): Promise<unknown> {
  const file = join(__dirname, 'classifier.bench.js');
  if (!existsSync(file)) return { skipped: 'bench/classifier.bench.ts is not there (yet)' };
  const mod = (await import(file)) as {
    runClassifierBench?: (options?: { quick?: boolean; print?: boolean }) => unknown;
  };
  if (typeof mod.runClassifierBench !== 'function') {
    return { skipped: 'bench/classifier.bench.ts exports no runClassifierBench()' };
  }
  return await mod.runClassifierBench({ quick, print: true });
}

/** The top-level scalar fields of a result, on one line. */
function headline(result: unknown): string {
  if (result === null || typeof result !== 'object') return String(result);
  return Object.entries(result as Record<string, unknown>)
    .filter(([, v]) => v === null || ['string', 'number', 'boolean'].includes(typeof v))
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    killAllStarted();
    console.error((error as Error).message ?? error);
    process.exit(1);
  },
);

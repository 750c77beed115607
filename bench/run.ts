/**
 * `npm run bench`: the gateway beside the floor (bench/reference-proxy.ts, the thinnest honest
 * Node proxy doing the same job) and beside the simulator reached directly, in one run, on the
 * gateway's default configuration at `LOG_LEVEL=info`. Every gateway figure is judged as a ratio
 * to, or a difference from, the floor's (issue 17). Paths alternate (the order rotates per batch
 * and per run). Writes JSON and a markdown table; targets are reported, not asserted.
 *
 *   node .tools/bench/run.js [--runs 3] [--quick] [--only a,b,c,d,e,f] [--profile]
 *     [--log-level info] [--out bench/results/node24]   (writes node24.json and node24.md)
 *     [--before DIR]   (also a gateway built from another checkout, e.g. the commit before a change:
 *                       a "before" column in (a), (b), (c), (e), measured in the same run)
 *
 * (a) one request at a time: added latency p50/p99 over direct, gateway vs floor
 * (b) saturation, non-streamed, 50 connections: req/s
 * (c) streaming, one at a time: time to first byte p50
 * (d) 5,000 concurrent open streams on a fresh process: RSS per stream; then every caller leaves
 *     and the time until the simulator has seen all 5,000 upstream requests aborted
 * (e) 200 concurrent streams of 200 chunks, no upstream delay: chunks/s
 * (f) `auto` vs `instant`: the gateway's CPU per request
 * Also with --only: telemetry (bench/scenarios/telemetry.ts), classifier (bench/classifier.bench.ts).
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { formatProfileSummary, summariseProfile, type ProfileSummary } from './profile-summary';
import { runChunkRate } from './scenarios/chunk-rate.scenario';
import { runOpenStreams } from './scenarios/open-streams.scenario';
import { runRouteCost } from './scenarios/route-cost.scenario';
import { runSequential } from './scenarios/sequential-latency.scenario';
import { formatTelemetryCost, runTelemetryCost } from './scenarios/telemetry';
import { runThroughput } from './scenarios/throughput.scenario';
import {
  BENCH_API_KEY,
  FAST_ANSWER,
  GATEWAY_MODEL,
  SIM_INSTANT_MODEL,
  SIM_THINKING_MODEL,
  chatBody,
  type BenchTarget,
} from './support/bench.constants';
import {
  consoleTable,
  figuresOf,
  markdownTable,
  medianFigures,
  type Figure,
  type RunResults,
} from './support/floor-report';
import { gitInfo, machineInfo, startLoadMeter, type MachineLoad } from './support/machine';
import {
  killAllStarted,
  resetSimulator,
  sleep,
  gatewayEnv,
  spawnGateway,
  spawnReferenceProxy,
  spawnSimulator,
  startedPids,
  type GatewayProcess,
  type SimulatorProcess,
} from './support/processes';

type Section = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'telemetry' | 'classifier';
const SECTIONS: readonly Section[] = ['a', 'b', 'c', 'd', 'e', 'f', 'telemetry', 'classifier'];
const DEFAULT_SECTIONS: readonly Section[] = ['a', 'b', 'c', 'd', 'e', 'f'];

const PLAN = {
  full: {
    aWarmup: 1000,
    aIterations: 2000,
    bDurationS: 8,
    bWarmupS: 2,
    cWarmup: 300,
    cIterations: 1000,
    eRounds: 3,
    fRequests: 3000,
    fWarmup: 300,
    dStreams: 5000,
  },
  quick: {
    aWarmup: 100,
    aIterations: 300,
    bDurationS: 3,
    bWarmupS: 1,
    cWarmup: 50,
    cIterations: 200,
    eRounds: 2,
    fRequests: 600,
    fWarmup: 100,
    dStreams: 1000,
  },
} as const;
const BATCH = 100;
const CONNECTIONS = 50;
const CHUNK_STREAMS = 200;
const CHUNKS = 200;
const DISTURBED_PERCENT = 15;

const USAGE =
  'usage: run.js [--runs N] [--quick] [--only a,b,c,d,e,f,telemetry,classifier] [--profile] ' +
  '[--log-level LEVEL] [--out PATH-WITHOUT-EXTENSION] [--before DIR]';

interface Flags {
  runs: number;
  quick: boolean;
  only: Set<Section>;
  profile: boolean;
  logLevel: string;
  out: string;
  /** A checkout with `dist/` built: its gateway is measured beside this one. */
  before?: string;
}

function parseFlags(argv: string[], root: string): Flags {
  const major = process.versions.node.split('.')[0];
  const flags: Flags = {
    runs: 1,
    quick: false,
    only: new Set(DEFAULT_SECTIONS),
    profile: false,
    logLevel: 'info',
    out: join(root, 'bench', 'results', `node${major}`),
  };
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i].split('=', 2);
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${name} needs a value\n${USAGE}`);
      return v;
    };
    if (name === '--quick') flags.quick = true;
    else if (name === '--profile') flags.profile = true;
    else if (name === '--runs') {
      flags.runs = Number(value());
      if (!Number.isInteger(flags.runs) || flags.runs < 1)
        throw new Error(`--runs: a count\n${USAGE}`);
    } else if (name === '--log-level') flags.logLevel = value();
    else if (name === '--before') flags.before = resolve(value());
    else if (name === '--out') flags.out = resolve(value()).replace(/\.(json|md)$/, '');
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
    } else throw new Error(`unknown argument ${argv[i]}\n${USAGE}`);
  }
  return flags;
}

interface ProfileRecord {
  run: number;
  file: string;
  summaries: Record<string, ProfileSummary>;
}

async function main(): Promise<number> {
  const root = resolve(__dirname, '..', '..');
  const flags = parseFlags(process.argv.slice(2), root);
  const plan = flags.quick ? PLAN.quick : PLAN.full;
  const command = [
    process.execPath,
    relative(root, process.argv[1]),
    ...process.argv.slice(2),
  ].join(' ');
  for (const file of [
    join(root, 'dist', 'main.js'),
    join(root, '.tools', 'test', 'simulator', 'main.js'),
    join(root, '.tools', 'bench', 'reference-proxy.js'),
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
  const loadAverage = loadavg().map((l) => Math.round(l * 100) / 100);
  console.log(`Tiergate bench against the floor, ${date}`);
  console.log(
    `machine: ${machine.cpuModel} × ${machine.cores} cores, ${machine.memoryGiB} GiB, kernel ${machine.kernel}, ` +
      `node ${machine.node} (every process: ${process.execPath}), ulimit -n ${machine.openFilesLimit ?? '?'}, ` +
      `load average ${loadAverage.join(' ')}`,
  );
  console.log(`commit: ${git.commit ?? 'unknown'}${git.dirty ? ' (uncommitted changes)' : ''}`);
  console.log(`command: ${command}`);
  console.log(
    `gateway: default configuration, LOG_LEVEL=${flags.logLevel} (its stdout to /dev/null)`,
  );
  if (flags.quick) console.log('mode: --quick (smoke run: too few samples to quote)');
  if (flags.profile)
    console.log('mode: --profile (the gateway runs under --cpu-prof: its figures are inflated)');
  console.log('');

  const runs: { results: RunResults; figures: Figure[]; load: Record<string, MachineLoad> }[] = [];
  const notes: string[] = [];
  const errors: string[] = [];
  const profiles: ProfileRecord[] = [];
  const profileDir = join(root, 'bench', 'results', 'profiles');
  const sims: SimulatorProcess[] = [];
  let telemetry: unknown;
  let classifier: unknown;
  const started = Date.now();

  process.once('SIGINT', () => {
    killAllStarted();
    process.exit(130);
  });

  const startGateway = (
    name: string,
    instant: SimulatorProcess,
    thinking: SimulatorProcess,
    from = root,
  ) => {
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
    return spawnGateway({
      root: from,
      name,
      discardStdout: true,
      nodeArgs,
      env: gatewayEnv(instant, thinking, flags.logLevel),
    });
  };
  const stopGateway = async (
    gateway: GatewayProcess,
    run: number,
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
    profiles.push({ run, file: relative(root, file), summaries });
  };

  try {
    const instant = await spawnSimulator(root, 'instant', SIM_INSTANT_MODEL);
    sims.push(instant);
    const thinking = await spawnSimulator(root, 'thinking', SIM_THINKING_MODEL, [
      '--reasoning',
      'reasoning_content',
    ]);
    sims.push(thinking);
    const spawnFloor = () =>
      spawnReferenceProxy(root, instant.origin, instant.model, BENCH_API_KEY);

    for (let run = 0; run < flags.runs; run++) {
      console.log(`run ${run + 1} of ${flags.runs}`);
      const results: RunResults = {};
      const load: Record<string, MachineLoad> = {};
      const measured = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
        const stop = startLoadMeter(startedPids);
        try {
          return await fn();
        } finally {
          load[label] = stop();
        }
      };
      const needWarm = ['a', 'b', 'c', 'e', 'f'].some((s) => flags.only.has(s as Section));
      if (needWarm) {
        await resetSimulator(instant.origin, FAST_ANSWER);
        const floor = await spawnFloor();
        const gateway = await startGateway(`gateway-run${run + 1}`, instant, thinking);
        const before = flags.before
          ? await startGateway(`before-run${run + 1}`, instant, thinking, flags.before)
          : undefined;
        const windows: Record<string, [number, number]> = {};
        const targets = (stream: boolean, extra: Record<string, unknown> = {}) => ({
          ...(before && {
            before: {
              origin: before.origin,
              body: chatBody(GATEWAY_MODEL, stream, extra),
              handle: before.handle,
            },
          }),
          direct: {
            origin: instant.origin,
            body: chatBody(instant.model, stream, extra),
          } as BenchTarget,
          floor: {
            origin: floor.origin,
            body: chatBody(GATEWAY_MODEL, stream, extra),
            handle: floor.handle,
          },
          gateway: {
            origin: gateway.origin,
            body: chatBody(GATEWAY_MODEL, stream, extra),
            handle: gateway.handle,
          },
        });
        const rotated = <T>(t: Record<string, T>): Record<string, T> => {
          const keys = Object.keys(t);
          const order = keys.map((_, i) => keys[(i + run) % keys.length]);
          return Object.fromEntries(order.map((k) => [k, t[k]]));
        };
        const mark = (label: string) => (fromUs: number, toUs: number) =>
          void (windows[label] = [fromUs, toUs]);
        try {
          if (flags.only.has('a')) {
            console.log(`(a) ${plan.aIterations} requests one at a time per path…`);
            results.a = await measured('a', () =>
              runSequential({
                targets: rotated(targets(false)),
                warmup: plan.aWarmup,
                iterations: plan.aIterations,
                batch: BATCH,
                onMeasured: mark('a'),
              }),
            );
          }
          if (flags.only.has('c')) {
            console.log(`(c) ${plan.cIterations} streams one at a time per path…`);
            results.c = await measured('c', () =>
              runSequential({
                targets: rotated(targets(true)),
                warmup: plan.cWarmup,
                iterations: plan.cIterations,
                batch: BATCH,
                onMeasured: mark('c'),
              }),
            );
          }
          if (flags.only.has('b')) {
            console.log(
              `(b) autocannon, ${CONNECTIONS} connections, ${plan.bDurationS} s per path…`,
            );
            results.b = await measured('b', () =>
              runThroughput({
                targets: targets(false),
                rotate: run,
                connections: CONNECTIONS,
                durationS: plan.bDurationS,
                warmupS: plan.bWarmupS,
                onMeasured: (name, from, to) => name === 'gateway' && mark('b')(from, to),
              }),
            );
          }
          if (flags.only.has('e')) {
            console.log(
              `(e) ${CHUNK_STREAMS} concurrent streams of ${CHUNKS} chunks, ${plan.eRounds} rounds per path…`,
            );
            await resetSimulator(instant.origin, { ...FAST_ANSWER, tokens: CHUNKS });
            results.e = await measured('e', () =>
              runChunkRate({
                targets: targets(true, { max_tokens: CHUNKS * 2 }),
                rotate: run,
                streams: CHUNK_STREAMS,
                chunks: CHUNKS,
                rounds: plan.eRounds + 1,
                onMeasured: (name, from, to) => name === 'gateway' && mark('e')(from, to),
              }),
            );
            await resetSimulator(instant.origin, FAST_ANSWER);
          }
          if (flags.only.has('f')) {
            console.log(`(f) auto vs instant, ${plan.fRequests} requests each…`);
            await resetSimulator(thinking.origin, FAST_ANSWER);
            results.f = await measured('f', () =>
              runRouteCost({
                gateway,
                requests: plan.fRequests,
                warmup: plan.fWarmup,
                batch: 250,
                concurrency: 4,
              }),
            );
          }
        } finally {
          await Promise.all([
            floor.handle.stop('SIGTERM'),
            before?.handle.stop('SIGTERM'),
            stopGateway(gateway, run, windows),
          ]);
        }
      }
      if (flags.only.has('d')) {
        results.d = {};
        const order =
          run % 2 === 0 ? (['floor', 'gateway'] as const) : (['gateway', 'floor'] as const);
        for (const name of order) {
          console.log(
            `(d) ${name}: a fresh process, ${plan.dStreams} open streams, then every caller leaves…`,
          );
          const proc =
            name === 'floor'
              ? await spawnFloor()
              : await startGateway(`gateway-fresh-run${run + 1}`, instant, thinking);
          try {
            results.d[name] = await measured(`d-${name}`, () =>
              runOpenStreams({
                gateway: proc,
                simulatorOrigin: instant.origin,
                streams: plan.dStreams,
                warmup: 50,
                abortTimeoutMs: 15_000,
              }),
            );
          } finally {
            await (name === 'floor' ? proc.handle.stop('SIGTERM') : stopGateway(proc, run, {}));
          }
          await resetSimulator(instant.origin, FAST_ANSWER);
          await sleep(1000);
        }
      }
      const figures = figuresOf(results);
      runs.push({ results, figures, load });
      console.log(consoleTable(figures));
      console.log('');
    }

    if (flags.only.has('telemetry')) {
      console.log('(telemetry) OpenTelemetry off, on, and on for every request, side by side…');
      const t = await runTelemetryCost({ root, quick: flags.quick, sims: { instant, thinking } });
      telemetry = t;
      console.log(formatTelemetryCost(t));
    }
  } catch (error) {
    errors.push((error as Error).stack ?? String(error));
  } finally {
    await Promise.all(sims.map((s) => s.handle.stop('SIGTERM')));
  }
  if (flags.only.has('classifier') && errors.length === 0) {
    classifier = await runClassifier(flags.quick).catch((e: unknown) => ({ error: String(e) }));
  }

  const figures = medianFigures(runs.map((r) => r.figures));
  const title =
    runs.length > 1
      ? `medians of ${runs.length} runs`
      : runs.length === 1
        ? 'one run'
        : 'no complete run';
  console.log(`Gateway vs floor (${title}), node ${process.version}:`);
  console.log(consoleTable(figures));
  for (const profile of profiles) {
    for (const [label, summary] of Object.entries(profile.summaries)) {
      console.log('');
      console.log(`gateway profile, run ${profile.run + 1}, scenario (${label})`);
      console.log(formatProfileSummary(summary, 15, { callers: true }));
    }
  }
  const disturbed = runs.flatMap((r, i) =>
    Object.entries(r.load)
      .filter(([, l]) => l.foreignCpuPercent > DISTURBED_PERCENT)
      .map(([k, l]) => `run ${i + 1} (${k}) ${l.foreignCpuPercent.toFixed(0)} %`),
  );
  if (disturbed.length > 0) {
    notes.push(
      `other processes used more than ${DISTURBED_PERCENT} % of a core during: ${disturbed.join(', ')}; ` +
        'those figures are disturbed',
    );
  }
  for (const note of notes) console.log(`note: ${note}`);
  for (const error of errors) console.error(`error: ${error}`);

  const loadAfter = loadavg().map((l) => Math.round(l * 100) / 100);
  mkdirSync(join(flags.out, '..'), { recursive: true });
  const report = {
    date,
    command,
    node: { version: process.version, execPath: process.execPath },
    durationS: Math.round((Date.now() - started) / 1000),
    options: {
      before: flags.before,
      runs: flags.runs,
      quick: flags.quick,
      only: [...flags.only],
      profile: flags.profile,
      logLevel: flags.logLevel,
    },
    machine,
    loadAverage: { before: loadAverage, after: loadAfter },
    git,
    setup: {
      floor:
        'bench/reference-proxy.ts: node:http, bearer check, JSON parse, model set, re-serialise, undici pool, piped answer, abort on leave',
      gateway: `node dist/main.js, default configuration (no GATEWAY_CONFIG), LOG_LEVEL=${flags.logLevel}, stdout to /dev/null`,
      simulator: FAST_ANSWER,
      plan: {
        ...plan,
        batch: BATCH,
        connections: CONNECTIONS,
        chunkStreams: CHUNK_STREAMS,
        chunks: CHUNKS,
      },
    },
    figures,
    runs,
    profiles,
    telemetry,
    classifier,
    notes,
    errors,
  };
  writeFileSync(`${flags.out}.json`, JSON.stringify(report, jsonRound, 2) + '\n');
  const md = [
    `# Gateway vs floor, ${title}`,
    '',
    `${date}, node ${process.version}, commit ${git.commit?.slice(0, 7) ?? '?'}${git.dirty ? ' (dirty)' : ''}, ` +
      `${machine.cores} × ${machine.cpuModel}, load average ${loadAverage.join(' ')} → ${loadAfter.join(' ')}.`,
    '',
    `Command: \`${command}\`. Gateway on its default configuration at LOG_LEVEL=${flags.logLevel}.`,
    '',
    markdownTable(figures),
    '',
    ...notes.map((n) => `Note: ${n}`),
  ].join('\n');
  writeFileSync(`${flags.out}.md`, md + '\n');
  console.log(`wrote ${relative(root, flags.out)}.json and .md`);
  return errors.length > 0 ? 1 : 0;
}

function jsonRound(_key: string, value: unknown): unknown {
  if (typeof value !== 'number' || Number.isInteger(value)) return value;
  const abs = Math.abs(value);
  const f = abs < 10 ? 1e4 : abs < 1000 ? 1e2 : 1;
  return Math.round(value * f) / f;
}

function newestProfile(dir: string, prefix: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  return readdirSync(dir)
    .filter((f) => f.startsWith(`${prefix}-`) && f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

async function runClassifier(quick: boolean): Promise<unknown> {
  const file = join(__dirname, 'classifier.bench.js');
  if (!existsSync(file)) return { skipped: 'bench/classifier.bench.ts is not there' };
  const mod = (await import(file)) as {
    runClassifierBench?: (options?: { quick?: boolean; print?: boolean }) => unknown;
  };
  if (typeof mod.runClassifierBench !== 'function') return { skipped: 'no runClassifierBench()' };
  return await mod.runClassifierBench({ quick, print: true });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    killAllStarted();
    console.error((error as Error).message ?? error);
    process.exit(1);
  },
);

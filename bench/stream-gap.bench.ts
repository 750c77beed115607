/**
 * Where the gateway's CPU per streamed chunk goes beside the floor's (issue 17, (e)): the (e)
 * scenario (200 concurrent streams of 200 chunks, no delay upstream) against the floor and the
 * gateway, both under `--cpu-prof`, and each profile's busy time inside its own measured rounds
 * split into the same phases, per stream and per chunk. The floor pipes bytes, so what the
 * gateway spends beyond it in a phase is what that phase's work costs; the per-event path
 * (undici's body callback, minus the socket writes it makes) is broken down by function.
 *
 *   node .tools/bench/stream-gap.bench.js [--rounds 10] [--before DIR] [--top 25]
 *
 * `--before DIR` adds a gateway built from another checkout (its dist/). Profiling inflates
 * every figure; compare the columns of one run, not runs of different hours.
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runChunkRate } from './scenarios/chunk-rate.scenario';
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
  gatewayEnv,
  killAllStarted,
  resetSimulator,
  spawnGateway,
  spawnReferenceProxy,
  spawnSimulator,
  type ChildHandle,
  type GatewayProcess,
} from './support/processes';

const STREAMS = 200;
const CHUNKS = 200;

interface Frame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface Profile {
  nodes: { id: number; callFrame: Frame; children?: number[] }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/**
 * Phases, first match wins, tested on every frame of a sample's stack (leaf first for the
 * leaf-only ones). Socket writes and the collector first: they happen inside the others.
 */
const PHASES: { name: string; leaf?: boolean; test: RegExp }[] = [
  {
    name: 'socket writes (writev, write*String)',
    leaf: true,
    test: /^(writev|writeBuffer|write\w+String)$/,
  },
  { name: 'garbage collector', leaf: true, test: /^\(garbage collector\)$/ },
  { name: 'upstream body events (undici onBody)', test: /^onBody$/ },
  { name: 'upstream end (undici onMessageComplete)', test: /^onMessageComplete$/ },
  { name: 'upstream headers (undici onHeadersComplete)', test: /^onHeadersComplete$/ },
  { name: 'incoming request (node:http parserOnIncoming)', test: /^parserOnIncoming$/ },
  { name: 'promise jobs (runMicrotasks)', test: /^runMicrotasks$/ },
  { name: 'next-tick jobs (processTicksAndRejections)', test: /^processTicksAndRejections$/ },
];
const OTHER = 'other (socket reads, timers, close)';
const PER_EVENT = PHASES[2].name;

interface Split {
  busyMs: number;
  phases: Map<string, number>;
  /** Self ms by function inside the per-event phase. */
  perEvent: Map<string, number>;
  /**
   * The same by file, a native function counted in its nearest JavaScript caller's file (V8
   * inlines differently from run to run; a file's total moves less than a function's).
   */
  perEventFile: Map<string, number>;
}

function fileOf(frame: Frame): string {
  return frame.url.split('/').slice(-2).join('/');
}

/** The busy time of `file` inside `windows` (µs of the monotonic clock), split by phase. */
function split(file: string, windows: [number, number][]): Split {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const result: Split = {
    busyMs: 0,
    phases: new Map(),
    perEvent: new Map(),
    perEventFile: new Map(),
  };
  // A sample stands for the time until the next one, at most twice the usual interval: on a
  // loaded machine the process is sometimes descheduled for tens of ms, and that gap would
  // otherwise count as the sampled function's.
  const deltas = profile.timeDeltas.slice().sort((x, y) => x - y);
  const capUs = 2 * deltas[deltas.length >> 1];
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i];
    if (!windows.some(([from, to]) => at >= from && at <= to)) continue;
    const leaf = byId.get(profile.samples[i]);
    if (leaf === undefined || leaf.callFrame.functionName === '(idle)') continue;
    const ms = Math.min(profile.timeDeltas[i + 1] ?? 0, capUs) / 1000;
    const stack: Frame[] = [];
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      stack.push(byId.get(id)!.callFrame);
    }
    const phase =
      PHASES.find((p) =>
        p.leaf
          ? p.test.test(stack[0].functionName)
          : stack.some((f) => p.test.test(f.functionName)),
      )?.name ?? OTHER;
    result.busyMs += ms;
    result.phases.set(phase, (result.phases.get(phase) ?? 0) + ms);
    if (phase === PER_EVENT) {
      const f = stack[0];
      const key = `${f.functionName || '(anonymous)'} ${fileOf(f)}:${f.lineNumber + 1}`;
      result.perEvent.set(key, (result.perEvent.get(key) ?? 0) + ms);
      const file = fileOf(stack.find((frame) => frame.url !== '') ?? f) || '(native)';
      result.perEventFile.set(file, (result.perEventFile.get(file) ?? 0) + ms);
    }
  }
  return result;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

function newestProfile(dir: string, prefix: string): string {
  const files = readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (files.length === 0) throw new Error(`no profile ${prefix}* in ${dir}`);
  return files[0];
}

async function main(): Promise<void> {
  const rounds = Number(arg('rounds') ?? 10);
  const top = Number(arg('top') ?? 25);
  const before = arg('before');
  const root = resolve(__dirname, '..', '..');
  const dir = join('/tmp', `tiergate-stream-gap-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const hook = join(__dirname, 'profile-exit.hook.js');
  const profiled = (name: string) => [
    '--cpu-prof',
    '--cpu-prof-dir',
    dir,
    '--cpu-prof-name',
    `${name}.cpuprofile`,
    '-r',
    hook,
  ];

  const instant = await spawnSimulator(root, 'instant', SIM_INSTANT_MODEL);
  const thinking = await spawnSimulator(root, 'thinking', SIM_THINKING_MODEL, [
    '--reasoning',
    'reasoning_content',
  ]);
  // The floor takes no node flags of its own: NODE_OPTIONS reaches it (and only it) here.
  process.env.NODE_OPTIONS = profiled('floor').join(' ');
  const floor = await spawnReferenceProxy(root, instant.origin, instant.model, BENCH_API_KEY);
  delete process.env.NODE_OPTIONS;
  const gateway = (name: string, from: string): Promise<GatewayProcess> =>
    spawnGateway({
      root: from,
      name,
      discardStdout: true,
      nodeArgs: profiled(name),
      env: gatewayEnv(instant, thinking, 'info'),
    });
  const procs: Record<string, GatewayProcess> = { floor, gateway: await gateway('gateway', root) };
  if (before !== undefined) procs.before = await gateway('before', resolve(before));

  const body = chatBody(GATEWAY_MODEL, true, { max_tokens: CHUNKS * 2 });
  const targets: Record<string, BenchTarget & { handle: ChildHandle }> = {};
  const windows: Record<string, [number, number][]> = {};
  for (const [name, proc] of Object.entries(procs)) {
    targets[name] = { origin: proc.origin, body, handle: proc.handle };
    windows[name] = [];
  }
  await resetSimulator(instant.origin, { ...FAST_ANSWER, tokens: CHUNKS });
  const rates = await runChunkRate({
    targets,
    rotate: 0,
    streams: STREAMS,
    chunks: CHUNKS,
    rounds: rounds + 1,
    onMeasured: (name, from, to) => windows[name].push([from, to]),
  });
  for (const proc of Object.values(procs)) await proc.handle.stop('SIGUSR2');
  await instant.handle.stop();
  await thinking.handle.stop();

  const splits: Record<string, Split> = {};
  for (const name of Object.keys(procs)) {
    splits[name] = split(newestProfile(dir, name), windows[name]);
  }
  const streams = rounds * STREAMS;
  const names = Object.keys(splits);
  console.log(
    `(e) under --cpu-prof, node ${process.version}: ${rounds} measured rounds of ${STREAMS} streams × ${CHUNKS} chunks per path; profiles in ${dir}`,
  );
  for (const name of names) {
    console.log(
      `  ${name}: ${rates[name].chunksPerS.toFixed(0)} chunks/s, ${((splits[name].busyMs * 1000) / (streams * CHUNKS)).toFixed(2)} µs busy per chunk`,
    );
  }
  console.log(`\nbusy µs per stream by phase; the last column: gateway − floor, µs per chunk`);
  const header = ['phase', ...names, 'excess'];
  const rows = [...PHASES.map((p) => p.name), OTHER, 'all'].map((phase) => {
    const usPerStream = (name: string) =>
      ((phase === 'all' ? splits[name].busyMs : (splits[name].phases.get(phase) ?? 0)) * 1000) /
      streams;
    const excess = (usPerStream('gateway') - usPerStream('floor')) / CHUNKS;
    return [phase, ...names.map((n) => usPerStream(n).toFixed(1)), excess.toFixed(3)];
  });
  for (const row of [header, ...rows]) {
    console.log(
      '  ' + row.map((cell, i) => (i === 0 ? cell.padEnd(48) : cell.padStart(10))).join(''),
    );
  }
  const list = (title: string, entries: Map<string, number>) => {
    console.log(`\ngateway, ${PER_EVENT}: self ns per chunk by ${title} (top ${top})`);
    for (const [key, ms] of [...entries.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`  ${((ms * 1e6) / (streams * CHUNKS)).toFixed(1).padStart(8)}  ${key}`);
    }
  };
  list('file', splits.gateway.perEventFile);
  list('function', splits.gateway.perEvent);
}

main().catch((error: unknown) => {
  console.error(error);
  killAllStarted();
  process.exitCode = 1;
});

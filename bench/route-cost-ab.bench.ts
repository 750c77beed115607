/**
 * What `auto` costs over a forced tier, per thread, in one gateway: the bench's chat sent as
 * `instant`, `auto`, and each with a `reasoning_effort: low` hint (which routes `auto` without
 * scanning the text), in batches that rotate their order round by round. Each batch's CPU comes
 * from the scheduler's counters of the gateway's main thread and of all its threads, so GC
 * helpers and the libuv pool show apart from the JavaScript thread. Reports per mode the median
 * over rounds of µs per request, and the median of the per-round differences against the first
 * mode. With `--before <checkout>`, that build's gateway runs beside this one in the same rounds
 * (the two alternating), so a change is judged against its base in the same minutes.
 *
 *   node .tools/bench/route-cost-ab.bench.js [--rounds 12] [--batch 500] [--concurrency 4]
 *     [--warmup 2000] [--log-level info] [--root <checkout with dist/>] [--before <checkout>]
 *     [--modes instant,auto,instant-hint,auto-hint] [--node-args "--cpu-prof …"]
 */
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Pool } from 'undici';
import {
  FAST_ANSWER,
  SIM_INSTANT_MODEL,
  SIM_THINKING_MODEL,
  chatBody,
} from './support/bench.constants';
import {
  gatewayEnv,
  killAllStarted,
  resetSimulator,
  spawnGateway,
  spawnSimulator,
  type GatewayProcess,
} from './support/processes';
import { sendChats } from './scenarios/route-cost.scenario';
import { median } from './support/stats';

const MODES = {
  instant: chatBody('instant', false),
  auto: chatBody('auto', false),
  'instant-hint': chatBody('instant', false, { reasoning_effort: 'low' }),
  'auto-hint': chatBody('auto', false, { reasoning_effort: 'low' }),
} as const;
type Mode = keyof typeof MODES;

interface Flags {
  rounds: number;
  batch: number;
  concurrency: number;
  warmup: number;
  logLevel: string;
  root: string;
  /** Another checkout with a built dist/, run beside this one in the same rounds. */
  before?: string;
  modes: Mode[];
  nodeArgs: string[];
}

function parseFlags(args: string[]): Flags {
  const flag = (name: string): string | undefined => {
    const at = args.indexOf(name);
    return at === -1 ? undefined : args[at + 1];
  };
  const modes = (flag('--modes') ?? Object.keys(MODES).join(',')).split(',') as Mode[];
  for (const m of modes) if (!(m in MODES)) throw new Error(`unknown mode ${m}`);
  return {
    rounds: Number(flag('--rounds') ?? 12),
    batch: Number(flag('--batch') ?? 500),
    concurrency: Number(flag('--concurrency') ?? 4),
    warmup: Number(flag('--warmup') ?? 2000),
    logLevel: flag('--log-level') ?? 'info',
    root: resolve(flag('--root') ?? resolve(__dirname, '..', '..')),
    before: flag('--before') === undefined ? undefined : resolve(flag('--before') as string),
    modes,
    nodeArgs: (flag('--node-args') ?? '').split(' ').filter((a) => a !== ''),
  };
}

/** Nanoseconds of CPU: the main thread's (tid = pid) and every thread's. */
function threadCpuNs(pid: number): { main: number; all: number } {
  let all = 0;
  let main = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let ns = 0;
    try {
      ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ', 1)[0]);
    } catch {
      continue; // the thread ended meanwhile
    }
    all += ns;
    if (Number(tid) === pid) main = ns;
  }
  return { main, all };
}

const expectOk = (res: { statusCode: number }): void => {
  if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
};

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  process.on('exit', killAllStarted);
  const instant = await spawnSimulator(flags.root, 'instant', SIM_INSTANT_MODEL);
  const thinking = await spawnSimulator(flags.root, 'thinking', SIM_THINKING_MODEL, [
    '--reasoning',
    'reasoning_content',
  ]);
  await resetSimulator(instant.origin, FAST_ANSWER);
  await resetSimulator(thinking.origin, FAST_ANSWER);
  const builds = flags.before ? { this: flags.root, before: flags.before } : { this: flags.root };
  const gateways: { label: string; gateway: GatewayProcess; pool: Pool }[] = [];
  for (const [label, root] of Object.entries(builds)) {
    const gateway = await spawnGateway({
      root,
      name: `gateway-${label}`,
      discardStdout: true,
      nodeArgs: flags.nodeArgs,
      env: gatewayEnv(instant, thinking, flags.logLevel),
    });
    gateways.push({
      label,
      gateway,
      pool: new Pool(gateway.origin, { connections: flags.concurrency }),
    });
  }
  const perRound: Record<string, { main: number[]; all: number[] }> = {};
  for (const g of gateways)
    for (const m of flags.modes) perRound[`${g.label}:${m}`] = { main: [], all: [] };
  try {
    for (const g of gateways)
      for (const m of flags.modes)
        await sendChats(g.pool, MODES[m], flags.warmup, flags.concurrency, expectOk);
    for (let round = 0; round < flags.rounds; round++) {
      const k = round % flags.modes.length;
      const order = [...flags.modes.slice(k), ...flags.modes.slice(0, k)];
      if (Math.floor(round / flags.modes.length) % 2 === 1) order.reverse();
      const turn = round % 2 === 0 ? gateways : [...gateways].reverse();
      for (const { label, gateway, pool } of turn) {
        for (const m of order) {
          const t0 = threadCpuNs(gateway.handle.pid);
          await sendChats(pool, MODES[m], flags.batch, flags.concurrency, expectOk);
          const t1 = threadCpuNs(gateway.handle.pid);
          perRound[`${label}:${m}`].main.push((t1.main - t0.main) / 1000 / flags.batch);
          perRound[`${label}:${m}`].all.push((t1.all - t0.all) / 1000 / flags.batch);
        }
      }
    }
  } finally {
    for (const { gateway, pool } of gateways) {
      await pool.close();
      await gateway.handle.stop(flags.nodeArgs.length > 0 ? 'SIGUSR2' : 'SIGTERM');
    }
    await instant.handle.stop();
    await thinking.handle.stop();
  }
  const rows = gateways.flatMap(({ label }) =>
    flags.modes.map((m) => {
      const own = perRound[`${label}:${m}`];
      const base = perRound[`${label}:${flags.modes[0]}`];
      const diff = (key: 'main' | 'all') => median(own[key].map((v, i) => v - base[key][i]));
      return {
        build: label,
        mode: m,
        'main µs/req': median(own.main).toFixed(1),
        'all µs/req': median(own.all).toFixed(1),
        [`main − ${flags.modes[0]}`]: diff('main').toFixed(1),
        [`all − ${flags.modes[0]}`]: diff('all').toFixed(1),
      };
    }),
  );
  console.log(
    `node ${process.version}, ${flags.rounds} rounds × ${flags.batch} per mode, ` +
      `${flags.concurrency} in flight, LOG_LEVEL=${flags.logLevel}; this: ${flags.root}` +
      (flags.before ? `, before: ${flags.before}` : ''),
  );
  console.table(rows);
  if (process.env.AB_RAW) console.log(JSON.stringify(perRound));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

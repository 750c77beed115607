/**
 * `npm run bench:ab -- --before <checkout>`: the gateway's CPU per non-streamed chat request
 * against another build's, both loaded at the same time. Two gateways (this checkout's `dist/`
 * and the other's) run against one pair of simulators; each round, autocannon loads both at once
 * for the same seconds, and each process's CPU comes from its scheduler counters over that
 * window, so whatever else the machine does falls on both alike. Reports each round's ratio
 * (this / before) and their median: on a shared machine, the figure to quote for a change worth
 * a few per cent, where the bench's one-path-at-a-time (b) cannot resolve it.
 *
 *   node .tools/bench/same-time-ab.bench.js --before /path/to/checkout [--rounds 9] [--seconds 8]
 *     [--connections 25] [--log-level info]
 */
import autocannon from 'autocannon';
import { resolve } from 'node:path';
import {
  CHAT_PATH,
  FAST_ANSWER,
  GATEWAY_MODEL,
  REQUEST_HEADERS,
  SIM_INSTANT_MODEL,
  SIM_THINKING_MODEL,
  chatBody,
} from './support/bench.constants';
import { processCpuMs } from './support/machine';
import {
  killAllStarted,
  resetSimulator,
  gatewayEnv,
  spawnGateway,
  spawnSimulator,
  type GatewayProcess,
} from './support/processes';
import { median } from './support/stats';

const ROOT = resolve(__dirname, '..', '..');
const WARM_UP_SECONDS = 3;

interface Flags {
  before: string;
  rounds: number;
  seconds: number;
  connections: number;
  logLevel: string;
}

function flags(args: string[]): Flags {
  const flag = (name: string): string | undefined => {
    const at = args.indexOf(name);
    return at === -1 ? undefined : args[at + 1];
  };
  const before = flag('--before');
  if (!before) throw new Error('--before <checkout> is required (a checkout with a built dist/)');
  return {
    before: resolve(before),
    rounds: Number(flag('--rounds') ?? 9),
    seconds: Number(flag('--seconds') ?? 8),
    connections: Number(flag('--connections') ?? 25),
    logLevel: flag('--log-level') ?? 'info',
  };
}

function load(
  gateway: GatewayProcess,
  seconds: number,
  connections: number,
): ReturnType<typeof autocannon> {
  return autocannon({
    url: `${gateway.origin}${CHAT_PATH}`,
    method: 'POST',
    headers: REQUEST_HEADERS,
    body: chatBody(GATEWAY_MODEL, false),
    connections,
    duration: seconds,
  });
}

/** CPU µs per request of `gateway` while `run` loaded it. */
async function cpuPerRequest(
  gateway: GatewayProcess,
  run: () => ReturnType<typeof autocannon>,
): Promise<{ us: number; requests: number; failed: number }> {
  const before = processCpuMs(gateway.handle.pid);
  const result = await run();
  const us = ((processCpuMs(gateway.handle.pid) - before) * 1000) / result.requests.total;
  return { us, requests: result.requests.total, failed: result.non2xx + result.errors };
}

async function main(): Promise<void> {
  const f = flags(process.argv.slice(2));
  const instant = await spawnSimulator(ROOT, 'instant', SIM_INSTANT_MODEL);
  const thinking = await spawnSimulator(ROOT, 'thinking', SIM_THINKING_MODEL, [
    '--reasoning',
    'reasoning_content',
  ]);
  await resetSimulator(instant.origin, FAST_ANSWER);
  const start = (name: string, root: string) =>
    spawnGateway({
      root,
      name,
      discardStdout: true,
      env: gatewayEnv(instant, thinking, f.logLevel),
    });
  const gateways = { before: await start('before', f.before), after: await start('after', ROOT) };
  console.log(
    `node ${process.version}; before ${f.before}, after ${ROOT}; ${f.connections} connections ` +
      `each, ${f.rounds} rounds of ${f.seconds} s, LOG_LEVEL=${f.logLevel}`,
  );
  await Promise.all(Object.values(gateways).map((g) => load(g, WARM_UP_SECONDS, f.connections)));
  const ratios: number[] = [];
  const us = { before: [] as number[], after: [] as number[] };
  for (let round = 1; round <= f.rounds; round++) {
    const [before, after] = await Promise.all(
      [gateways.before, gateways.after].map((g) =>
        cpuPerRequest(g, () => load(g, f.seconds, f.connections)),
      ),
    );
    us.before.push(before.us);
    us.after.push(after.us);
    ratios.push(after.us / before.us);
    console.log(
      `round ${round}: before ${before.requests} requests (${before.failed} failed), ` +
        `${before.us.toFixed(1)} µs each; after ${after.requests} (${after.failed} failed), ` +
        `${after.us.toFixed(1)} µs; after/before ${(after.us / before.us).toFixed(3)}`,
    );
  }
  console.log(
    `CPU per request, medians: before ${median(us.before).toFixed(1)} µs, after ` +
      `${median(us.after).toFixed(1)} µs; per-round ratio after/before: median ` +
      `${median(ratios).toFixed(3)}, lower in ${ratios.filter((r) => r < 1).length} of ${f.rounds}`,
  );
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(killAllStarted);

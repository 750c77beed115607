/**
 * `npm run bench:alloc`: the bytes the gateway allocates per non-streamed chat request, by package
 * and by function (issue 17: the garbage collector is about a tenth of (b)). The gateway runs from
 * a checkout's `dist/` with the inspector on; after a warm-up, V8's sampling heap profiler records
 * every sampled allocation (those collected since included) while autocannon loads the gateway.
 * Sampled, so an estimate: compare runs, not single functions. With `--before`, a second checkout
 * is measured the same way, after the first.
 *
 *   node .tools/bench/request-alloc.bench.js [--seconds 8] [--top 25] [--before /path/to/checkout]
 */
import autocannon from 'autocannon';
import { resolve } from 'node:path';
import { WebSocket } from 'undici';
import {
  CHAT_PATH,
  FAST_ANSWER,
  GATEWAY_MODEL,
  REQUEST_HEADERS,
  SIM_INSTANT_MODEL,
  SIM_THINKING_MODEL,
  chatBody,
} from './support/bench.constants';
import {
  killAllStarted,
  resetSimulator,
  sleep,
  gatewayEnv,
  spawnGateway,
  spawnSimulator,
  type SimulatorProcess,
} from './support/processes';

const ROOT = resolve(__dirname, '..', '..');
const CONNECTIONS = 25;
const SAMPLING_INTERVAL_BYTES = 8192;

interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SamplingNode[];
}

/** A minimal Chrome DevTools Protocol session over the inspector's WebSocket. */
async function inspectorSession(
  url: string,
): Promise<{ call(method: string, params?: object): Promise<unknown>; close(): void }> {
  const ws = new WebSocket(url);
  await new Promise((ready, fail) => {
    ws.addEventListener('open', ready, { once: true });
    ws.addEventListener('error', fail, { once: true });
  });
  let lastId = 0;
  const pending = new Map<number, (result: unknown) => void>();
  ws.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  });
  return {
    call(method, params = {}) {
      const id = ++lastId;
      ws.send(JSON.stringify({ id, method, params }));
      return new Promise((done) => pending.set(id, done));
    },
    close: () => ws.close(),
  };
}

function packageOf(url: string): string {
  if (url === '') return '(native)';
  const ours = /\/dist\/([^/]+)/.exec(url);
  if (ours) return `tiergate:${ours[1].replace(/\.js$/, '')}`;
  const dependency = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency) return dependency[1];
  return url.startsWith('node:') ? url.split('/')[0] : url;
}

function load(origin: string, seconds: number): ReturnType<typeof autocannon> {
  return autocannon({
    url: `${origin}${CHAT_PATH}`,
    method: 'POST',
    headers: REQUEST_HEADERS,
    body: chatBody(GATEWAY_MODEL, false),
    connections: CONNECTIONS,
    duration: seconds,
  });
}

async function measure(
  checkout: string,
  sims: { instant: SimulatorProcess; thinking: SimulatorProcess },
  seconds: number,
  top: number,
): Promise<void> {
  const gateway = await spawnGateway({
    root: checkout,
    name: 'gateway',
    discardStdout: true,
    nodeArgs: ['--inspect=127.0.0.1:0'],
    env: gatewayEnv(sims.instant, sims.thinking, 'info'),
  });
  try {
    const inspector = /ws:\/\/\S+/.exec(gateway.handle.logTail());
    if (!inspector) throw new Error(`no inspector address in the gateway's output`);
    await load(gateway.origin, 2);
    const session = await inspectorSession(inspector[0]);
    await session.call('HeapProfiler.enable');
    await session.call('HeapProfiler.startSampling', {
      samplingInterval: SAMPLING_INTERVAL_BYTES,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    const result = await load(gateway.origin, seconds);
    const { profile } = (await session.call('HeapProfiler.stopSampling')) as {
      profile: { head: SamplingNode };
    };
    session.close();
    const byPackage = new Map<string, number>();
    const byFunction = new Map<string, number>();
    let total = 0;
    const walk = (node: SamplingNode): void => {
      if (node.selfSize > 0) {
        const { functionName, url, lineNumber } = node.callFrame;
        total += node.selfSize;
        const pkg = packageOf(url);
        byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + node.selfSize);
        const where = url.replace(/^.*\/(dist|node_modules)\//, '$1/');
        const fn = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
        byFunction.set(fn, (byFunction.get(fn) ?? 0) + node.selfSize);
      }
      node.children.forEach(walk);
    };
    walk(profile.head);
    const requests = result.requests.total;
    console.log(
      `${checkout}: ${requests} requests (${result.non2xx} non-2xx), ` +
        `${Math.round(total / requests)} B allocated per request (sampled)`,
    );
    const rows = (map: Map<string, number>): string[] =>
      [...map]
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(([key, bytes]) => {
          const share = ((100 * bytes) / total).toFixed(1).padStart(5);
          return `  ${share} %  ${String(Math.round(bytes / requests)).padStart(6)} B  ${key}`;
        });
    console.log(
      ['  by package:', ...rows(byPackage), '  by function:', ...rows(byFunction)].join('\n'),
    );
  } finally {
    await gateway.handle.stop('SIGTERM');
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string): string | undefined => {
    const at = args.indexOf(name);
    return at === -1 ? undefined : args[at + 1];
  };
  const seconds = Number(flag('--seconds') ?? 8);
  const top = Number(flag('--top') ?? 25);
  const checkouts = [ROOT, ...(flag('--before') ? [resolve(flag('--before') as string)] : [])];
  const instant = await spawnSimulator(ROOT, 'instant', SIM_INSTANT_MODEL);
  const thinking = await spawnSimulator(ROOT, 'thinking', SIM_THINKING_MODEL);
  await resetSimulator(instant.origin, FAST_ANSWER);
  console.log(`node ${process.version}, ${CONNECTIONS} connections, ${seconds} s sampled`);
  for (const checkout of checkouts) {
    await measure(checkout, { instant, thinking }, seconds, top);
    await sleep(500);
  }
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(killAllStarted);

/**
 * `npm run bench:stream-heap`: the JavaScript heap one open stream holds in the gateway (issue 17,
 * scenario (d)'s memory target), and what it is made of. The gateway runs from a checkout's
 * `dist/` under `--heapsnapshot-signal`, the simulator streams one token a second, endlessly;
 * after 50 streams opened and closed (warm-up), a snapshot with 1 stream open and one with
 * 1 + N open (a snapshot collects garbage first). Per stream: the difference of the self sizes
 * summed, by node type and constructor, divided by N. With `--before`, a second checkout is
 * measured the same way, after the first.
 *
 *   node .tools/bench/stream-heap.bench.js [--streams 1000] [--before /path/to/checkout]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request, type ClientRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CHAT_PATH,
  ENDLESS_STREAM,
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
const WARM_UP_STREAMS = 50;
const OPEN_AT_ONCE = 50;

/** Self sizes summed, in total and by type (and constructor, for objects and closures). */
interface HeapSummary {
  total: number;
  byKind: Map<string, { count: number; bytes: number }>;
}

interface HeapSnapshotFile {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

function summarise(file: string): HeapSummary {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshotFile;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [width, type, name, size] = [
    fields.length,
    fields.indexOf('type'),
    fields.indexOf('name'),
    fields.indexOf('self_size'),
  ];
  const byKind = new Map<string, { count: number; bytes: number }>();
  let total = 0;
  for (let i = 0; i < snap.nodes.length; i += width) {
    const kind = types[snap.nodes[i + type]];
    const bytes = snap.nodes[i + size];
    total += bytes;
    const key =
      kind === 'object' || kind === 'closure'
        ? `${kind} ${snap.strings[snap.nodes[i + name]]}`
        : kind;
    const entry = byKind.get(key) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += bytes;
    byKind.set(key, entry);
  }
  return { total, byKind };
}

/** Opens one stream on its own connection; resolves at its first body byte. */
function openStream(origin: string): Promise<ClientRequest> {
  const body = chatBody(GATEWAY_MODEL, true);
  return new Promise((resolveOpen, reject) => {
    const req = request(
      `${origin}${CHAT_PATH}`,
      {
        method: 'POST',
        agent: false,
        headers: { ...REQUEST_HEADERS, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.once('data', () => resolveOpen(req));
        res.on('error', () => undefined);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Signals the gateway and waits until its snapshot is complete (it parses). */
async function snapshot(pid: number, dir: string): Promise<HeapSummary> {
  const before = new Set(readdirSync(dir));
  process.kill(pid, 'SIGUSR2');
  for (let waited = 0; waited < 180; waited++) {
    await sleep(1000);
    const file = readdirSync(dir).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    if (!file) continue;
    try {
      return summarise(join(dir, file));
    } catch {
      // still being written
    }
  }
  throw new Error('the gateway wrote no complete heap snapshot in 3 minutes');
}

async function measure(
  checkout: string,
  instant: SimulatorProcess,
  thinking: SimulatorProcess,
  streams: number,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'stream-heap-'));
  const gateway = await spawnGateway({
    root: checkout,
    name: 'gateway',
    discardStdout: true,
    nodeArgs: ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`],
    env: gatewayEnv(instant, thinking, 'info'),
  });
  const open: ClientRequest[] = [];
  try {
    for (let i = 0; i < WARM_UP_STREAMS; i++) (await openStream(gateway.origin)).destroy();
    await sleep(3000);
    open.push(await openStream(gateway.origin));
    const one = await snapshot(gateway.handle.pid, dir);
    for (let i = 0; i < streams; i += OPEN_AT_ONCE) {
      const batch = Math.min(OPEN_AT_ONCE, streams - i);
      open.push(
        ...(await Promise.all(Array.from({ length: batch }, () => openStream(gateway.origin)))),
      );
    }
    await sleep(2000);
    const many = await snapshot(gateway.handle.pid, dir);
    console.log(
      `${checkout}: ${one.total} → ${many.total} bytes of heap; ` +
        `per open stream ${Math.round((many.total - one.total) / streams)} B`,
    );
    const rows = [...many.byKind].map(([key, { count, bytes }]) => {
      const was = one.byKind.get(key) ?? { count: 0, bytes: 0 };
      return { key, count: (count - was.count) / streams, bytes: (bytes - was.bytes) / streams };
    });
    rows.sort((a, b) => b.bytes - a.bytes);
    for (const row of rows.slice(0, 20)) {
      console.log(
        `  ${row.bytes.toFixed(0).padStart(6)} B  ${row.count.toFixed(2).padStart(6)} per stream  ${row.key}`,
      );
    }
  } finally {
    for (const req of open) req.destroy();
    await gateway.handle.stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string): string | undefined => {
    const at = args.indexOf(name);
    return at === -1 ? undefined : args[at + 1];
  };
  const streams = Number(flag('--streams') ?? 1000);
  const checkouts = [ROOT, ...(flag('--before') ? [resolve(flag('--before') as string)] : [])];
  const instant = await spawnSimulator(ROOT, 'instant', SIM_INSTANT_MODEL);
  const thinking = await spawnSimulator(ROOT, 'thinking', SIM_THINKING_MODEL);
  await resetSimulator(instant.origin, ENDLESS_STREAM);
  console.log(`node ${process.version}, ${streams} streams, heap self sizes after a GC`);
  for (const checkout of checkouts) {
    await resetSimulator(instant.origin, ENDLESS_STREAM);
    await measure(checkout, instant, thinking, streams);
  }
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(killAllStarted);

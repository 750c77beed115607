import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { request } from 'undici';
import { BENCH_API_KEY } from './bench.constants';
import { processCpuMs } from './machine';

const LOG_TAIL_LINES = 60;

/**
 * A process the bench started: its pid (for /proc readings), the tail of its output (for
 * failure messages) and a way to stop it. The bench never stops anything it did not start.
 */
export class ChildHandle {
  readonly pid: number;
  private readonly tail: string[] = [];
  private exitCode: number | null | undefined;
  private readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    if (child.pid === undefined) throw new Error(`${name}: spawn failed`);
    this.pid = child.pid;
    const keep = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        this.tail.push(line);
        if (this.tail.length > LOG_TAIL_LINES) this.tail.shift();
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        resolve();
      }),
    );
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  logTail(): string {
    return this.tail.map((l) => `  [${this.name}] ${l}`).join('\n');
  }

  /** Resident set size in KiB, from /proc/<pid>/status (VmRSS). */
  rssKiB(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    if (!m) throw new Error(`${this.name}: no VmRSS in /proc/${this.pid}/status`);
    return Number(m[1]);
  }

  /** User + system CPU time consumed so far (all threads), in ms, from /proc/<pid>/stat. */
  cpuMs(): number {
    return processCpuMs(this.pid);
  }

  /** Sends `signal`, waits for the exit, and kills it after `graceMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Resolves when the process exits (for a process told to exit by itself). */
  waitExit(): Promise<void> {
    return this.exited;
  }
}

/** Every child started, so an interrupted bench leaves nothing behind. */
const started = new Set<ChildHandle>();

/** The pids of the children still running. */
export function startedPids(): number[] {
  return [...started].filter((h) => h.running).map((h) => h.pid);
}

export function killAllStarted(): void {
  for (const handle of started) if (handle.running) handle.child.kill('SIGKILL');
}

function track(name: string, child: ChildProcess): ChildHandle {
  const handle = new ChildHandle(name, child);
  started.add(handle);
  child.once('exit', () => started.delete(handle));
  return handle;
}

export interface SimulatorProcess {
  handle: ChildHandle;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** `http://127.0.0.1:PORT/v1` */
  url: string;
  model: string;
}

/** Starts the compiled simulator CLI on an ephemeral port and waits for its "listening" line. */
export function spawnSimulator(
  root: string,
  name: string,
  model: string,
  extraArgs: string[] = [],
): Promise<SimulatorProcess> {
  const main = join(root, '.tools', 'test', 'simulator', 'main.js');
  const child = spawn(
    process.execPath,
    [main, '--port', '0', '--model', model, '--name', name, '--log-limit', '1', ...extraArgs],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const handle = track(`sim-${name}`, child);
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      reject(new Error(`simulator ${name} did not start in 10 s\n${handle.logTail()}`));
    }, 10_000);
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString('utf8');
      const m = /listening on (http:\/\/[^\s]+)\/v1/.exec(buffered);
      if (!m) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve({ handle, origin: m[1], url: `${m[1]}/v1`, model });
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`simulator ${name} exited with ${code}\n${handle.logTail()}`));
    });
  });
}

export interface GatewayProcess {
  handle: ChildHandle;
  origin: string;
  /** The command line, for the report. */
  argv: string[];
}

export interface GatewayOptions {
  root: string;
  name: string;
  env: Record<string, string>;
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  /**
   * Send stdout to /dev/null: at `LOG_LEVEL=info` the gateway writes a line per request, and
   * reading it here would load the load generator. The write itself still happens.
   */
  discardStdout?: boolean;
}

/**
 * The environment of a gateway under measurement: no configuration file (it is measured on its
 * defaults), its two tiers' pools on the two simulators, the bench's key, `LOG_LEVEL` as given.
 */
export function gatewayEnv(
  instant: SimulatorProcess,
  thinking: SimulatorProcess,
  logLevel: string,
): Record<string, string> {
  return {
    INSTANT_UPSTREAMS: instant.url,
    INSTANT_MODEL: instant.model,
    THINKING_UPSTREAMS: thinking.url,
    THINKING_MODEL: thinking.model,
    GATEWAY_API_KEYS: BENCH_API_KEY,
    LOG_LEVEL: logLevel,
  };
}

/** Starts `node dist/main.js` on a free port and waits until `/health/ready` answers 200. */
export async function spawnGateway(options: GatewayOptions): Promise<GatewayProcess> {
  const port = await freePort();
  const argv = [...(options.nodeArgs ?? []), join(options.root, 'dist', 'main.js')];
  const child = spawn(process.execPath, argv, {
    cwd: options.root,
    stdio: ['ignore', options.discardStdout ? 'ignore' : 'pipe', 'pipe'],
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), ...options.env },
  });
  const handle = track(options.name, child);
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (!handle.running) {
      throw new Error(`${options.name} exited during start-up\n${handle.logTail()}`);
    }
    try {
      const res = await request(`${origin}/health/ready`, { method: 'GET' });
      await res.body.dump();
      if (res.statusCode === 200) return { handle, origin, argv };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await handle.stop('SIGKILL');
  throw new Error(`${options.name} was not ready within 30 s\n${handle.logTail()}`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ----------------------------------------------------------------------- simulator control

export interface SimStats {
  received: number;
  inFlight: number;
  aborted: number;
  completed: number;
}

async function control(origin: string, method: 'GET' | 'POST', path: string, body?: unknown) {
  const res = await request(`${origin}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${method} ${path}: ${res.statusCode} ${text}`);
  return JSON.parse(text) as unknown;
}

/** Counters and behaviour back to the start options, then `behavior` merged in. */
export async function resetSimulator(
  origin: string,
  behavior: Record<string, unknown>,
): Promise<void> {
  await control(origin, 'POST', '/_sim/reset', {});
  await control(origin, 'POST', '/_sim/config', behavior);
}

export async function simulatorStats(origin: string): Promise<SimStats> {
  return (await control(origin, 'GET', '/_sim/stats')) as SimStats;
}

/** Starts the floor (`bench/reference-proxy.ts`, compiled) in front of `upstreamOrigin`. */
export async function spawnReferenceProxy(
  root: string,
  upstreamOrigin: string,
  model: string,
  key: string,
): Promise<GatewayProcess> {
  const port = await freePort();
  const argv = [
    join(root, '.tools', 'bench', 'reference-proxy.js'),
    '--upstream',
    upstreamOrigin,
    '--model',
    model,
    '--key',
    key,
    '--port',
    String(port),
  ];
  const child = spawn(process.execPath, argv, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const handle = track('floor', child);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the floor did not start\n${handle.logTail()}`)),
      10_000,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      if (!chunk.toString('utf8').includes('listening')) return;
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the floor exited with ${code}\n${handle.logTail()}`));
    });
  });
  return { handle, origin: `http://127.0.0.1:${port}`, argv };
}

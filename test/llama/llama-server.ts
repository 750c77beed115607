import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort, ROOT } from '../support/built-gateway';

/**
 * A real llama.cpp `llama-server` serving the generated tiny model (../shared/tools/tiny-gguf):
 * an upstream nobody here wrote. The binary comes from scripts/llama-server/build.sh, cached
 * outside the repository; LLAMA_SERVER names another one.
 */

/** node-llama-cpp's version, whose source bundle scripts/llama-server/build.sh builds. */
export const LLAMA_VERSION = '3.22.1';

export const BUILD_COMMAND = 'npm run llama:build';

/** Where the binary is expected: $LLAMA_SERVER, or build.sh's cache. */
export function llamaServerPath(): string {
  if (process.env.LLAMA_SERVER) return process.env.LLAMA_SERVER;
  const cache = process.env.TIERGATE_CACHE ?? join(homedir(), '.cache', 'tiergate');
  return join(cache, `llama-server-${LLAMA_VERSION}`, 'bin', 'llama-server');
}

const GENERATOR = join('tools', 'tiny-gguf', 'make-tiny-gguf.mjs');

/**
 * The shared/ folder beside the repository (CI clones the repository next to a copy of it);
 * from a git worktree one level further down, the nearest one above. TIERGATE_SHARED wins.
 */
export function sharedDir(): string {
  if (process.env.TIERGATE_SHARED) return process.env.TIERGATE_SHARED;
  const candidates = [join(ROOT, '..', 'shared'), join(ROOT, '..', '..', 'shared')];
  return candidates.find((dir) => existsSync(join(dir, GENERATOR))) ?? candidates[0];
}

export interface LlamaAvailability {
  binary: string;
  /** Why the suite cannot run, or undefined when it can. */
  missing?: string;
}

export function llamaAvailability(): LlamaAvailability {
  const binary = llamaServerPath();
  const generator = join(sharedDir(), GENERATOR);
  if (!existsSync(binary)) {
    return { binary, missing: `no llama-server at ${binary}: build it with \`${BUILD_COMMAND}\`` };
  }
  if (!existsSync(generator)) {
    return {
      binary,
      missing: `no tiny-gguf generator at ${generator}: put shared/ beside the repository or set TIERGATE_SHARED`,
    };
  }
  return { binary };
}

/**
 * `describe` for a suite that needs llama-server. Outside CI a missing binary skips it with a
 * loud warning naming the command that builds it; in CI (CI=true) it fails.
 */
export function describeLlama(name: string, body: () => void): void {
  // Real processes on a shared machine: a gateway start alone can take seconds.
  jest.setTimeout(60_000);
  const { missing } = llamaAvailability();
  if (!missing) {
    describe(name, body);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs llama-server (CI=true: a missing binary is a failure)', () => {
        throw new Error(missing);
      });
    });
    return;
  }
  console.warn(
    `\n!!! SKIPPED: "${name}" runs against a real llama-server, and ${missing}.\n` +
      `!!! llama-server is built once per machine (10-16 minutes) with: ${BUILD_COMMAND}\n`,
  );
  describe.skip(name, body);
}

let model: string | undefined;

/** The tiny model, generated once per test file (about 0.2 s, the same bytes every time). */
export function tinyModel(): string {
  if (model) return model;
  const out = join(mkdtempSync(join(tmpdir(), 'tiergate-llama-')), 'tiny.gguf');
  const generator = join(sharedDir(), GENERATOR);
  execFileSync(process.execPath, [generator, '--out', out], { stdio: 'pipe' });
  model = out;
  return out;
}

export interface LlamaOptions {
  /** `--alias`: the model id the server reports and the gateway's tier is configured with. */
  alias: string;
  /** `--api-key`. */
  apiKey?: string;
  /** Extra flags (for example `-ub 64` for a smaller embeddings batch). */
  args?: string[];
}

/** One llama-server process; `kill` and `start` again on the same port. */
export class LlamaServer {
  readonly url: string;
  /** The OpenAI base URL the gateway is configured with. */
  readonly v1: string;
  private child?: ChildProcess;
  private log = '';

  private constructor(
    readonly port: number,
    readonly options: LlamaOptions,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.v1 = `${this.url}/v1`;
  }

  static async start(options: LlamaOptions): Promise<LlamaServer> {
    const server = new LlamaServer(await freePort(), options);
    await server.start();
    return server;
  }

  /** Everything the process wrote (its log), across restarts. */
  output(): string {
    return this.log;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && !this.child.killed;
  }

  async start(): Promise<void> {
    const { alias, apiKey, args = [] } = this.options;
    const child = spawn(
      llamaServerPath(),
      [
        ...[
          '-m',
          tinyModel(),
          '--alias',
          alias,
          '--host',
          '127.0.0.1',
          '--port',
          String(this.port),
        ],
        ...['--jinja', '-c', '8192', '-np', '4', '-t', '1', '-tb', '1', '--no-ui'],
        ...['--embeddings', '--pooling', 'mean', '--metrics', '-n', '256'],
        ...(apiKey ? ['--api-key', apiKey] : []),
        ...args,
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        // It loads the ggml/llama shared libraries from its own folder (build.sh keeps them there).
        env: { ...process.env, LD_LIBRARY_PATH: dirname(llamaServerPath()) },
      },
    );
    this.child = child;
    child.stdout!.on('data', (b: Buffer) => (this.log += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (this.log += b.toString()));
    const until = Date.now() + 30_000;
    for (;;) {
      const status = await fetch(`${this.url}/health`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) return;
      if (Date.now() > until || child.exitCode !== null) {
        child.kill('SIGKILL');
        throw new Error(`llama-server on ${this.port} did not become healthy:\n${this.log}`);
      }
      await sleep(50);
    }
  }

  /** SIGKILL, as a crash would; resolves once the port is closed. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Prometheus text of `/metrics`. */
  async metrics(): Promise<string> {
    const headers: Record<string, string> = this.options.apiKey
      ? { authorization: `Bearer ${this.options.apiKey}` }
      : {};
    return (await fetch(`${this.url}/metrics`, { headers })).text();
  }

  /** One counter or gauge of `/metrics`. */
  async metric(name: string): Promise<number> {
    const line = (await this.metrics())
      .split('\n')
      .find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
    return line === undefined ? NaN : Number(line.split(/\s+/).pop());
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Stops every server given, ignoring those already gone. */
export async function stopAll(servers: readonly (LlamaServer | undefined)[]): Promise<void> {
  await Promise.all(servers.map((s) => s?.kill()));
}

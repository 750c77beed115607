import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface GatewayProcess {
  origin: string;
  stop(): Promise<void>;
  /** The gateway's `/metrics` text. */
  metrics(): Promise<string>;
}

/** `node dist/main.js` with `config` (the YAML file's tree, snake_case keys) and `env`. */
export async function startGateway(
  root: string,
  config: object,
  env: Record<string, string>,
): Promise<GatewayProcess> {
  const port = await freePort();
  const file = join(mkdtempSync(join(tmpdir(), 'tiergate-chaos-bench-')), 'gateway.yaml');
  // JSON is YAML.
  writeFileSync(file, JSON.stringify(config));
  const child: ChildProcess = spawn(process.execPath, [join(root, 'dist', 'main.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      GATEWAY_CONFIG: file,
      LOG_LEVEL: 'error',
      OTEL_SDK_DISABLED: 'true',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const origin = `http://127.0.0.1:${port}`;
  const until = Date.now() + 20_000;
  for (;;) {
    const status = await fetch(`${origin}/health/ready`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) break;
    if (Date.now() > until || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`the gateway did not become ready:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    origin,
    metrics: () => fetch(`${origin}/metrics`).then((r) => r.text()),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Sums the samples of a Prometheus counter whose labels contain every given `label="value"`. */
export function counterTotal(text: string, name: string, labels: string[] = []): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!labels.every((l) => line.includes(l))) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  }
  return total;
}

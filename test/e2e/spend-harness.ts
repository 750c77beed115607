import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createGatewayApp } from '../../src/app.factory';
import { loadGatewayConfig } from '../../src/config';
import type { RunningSimulator } from '../simulator';
import { TEST_KEY } from './harness';

/** A gateway started in this process from a YAML document, its request log lines kept in memory. */
export interface SpendGateway {
  url: string;
  app: NestFastifyApplication;
  /** The request log lines (`msg` "request completed" / "request failed") and the others. */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

/**
 * The real application on a real port, configured from `document` written as a YAML file (JSON
 * is YAML) through the production loader, logging through pino into {@link SpendGateway.logs}.
 */
export async function startSpendGateway(
  document: Record<string, unknown>,
  sims: RunningSimulator[],
  env: Record<string, string> = {},
): Promise<SpendGateway> {
  const file = join(mkdtempSync(join(tmpdir(), 'tiergate-spend-')), 'gateway.yaml');
  writeFileSync(file, JSON.stringify(document));
  const config = loadGatewayConfig({
    HOST: '127.0.0.1',
    GATEWAY_CONFIG: file,
    GATEWAY_API_KEYS: TEST_KEY,
    REQUEST_TIMEOUT_MS: '10000',
    LOG_LEVEL: 'info',
    ...env,
  });
  const logs: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  const app = await createGatewayApp(config, { logger: false, logDestination: destination });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    logs,
    async close() {
      await app.close();
      await Promise.all(sims.map((sim) => sim.close()));
    },
  };
}

/** The request log line of the request with this id, once it is written. */
export async function requestLine(
  gateway: SpendGateway,
  requestId: string,
): Promise<Record<string, unknown>> {
  for (let i = 0; i < 400; i++) {
    const line = gateway.logs.find((entry) => entry.request_id === requestId);
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no request log line for ${requestId}`);
}

/** What `usage` costs at `price` (per million tokens), as the gateway rounds it (1e-9 units). */
export function expectedCost(
  usage: { prompt_tokens: number; completion_tokens: number },
  price: { input: number; output: number },
): number {
  return (
    Math.round(
      (usage.prompt_tokens * price.input + usage.completion_tokens * price.output) * 1000,
    ) / 1e9
  );
}

/** A sample of `/metrics`: the value of the series whose name and labels match, or undefined. */
export function metricValue(
  text: string,
  name: string,
  labels: Record<string, string>,
): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const matches = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (matches) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

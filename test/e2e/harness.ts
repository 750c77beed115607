import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { createGatewayApp } from '../../src/app.factory';
import { loadGatewayConfig, type GatewayConfig } from '../../src/config';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../simulator';

export const TEST_KEY = 'tg-test-key-0123456789';

export interface Stack {
  app: NestFastifyApplication;
  /** `http://127.0.0.1:PORT` of the gateway. */
  url: string;
  instant: RunningSimulator;
  thinking: RunningSimulator;
  config: GatewayConfig;
  /** The official client, pointed at the gateway. */
  client: OpenAI;
  close(): Promise<void>;
}

export interface StackOptions {
  env?: Record<string, string>;
  instant?: Partial<SimulatorOptions>;
  thinking?: Partial<SimulatorOptions>;
}

/**
 * The real application on a real port, wired to two simulators (instant and thinking) over
 * real sockets. Configuration goes through the same loader as production.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const instant = await startSimulator({
    model: 'sim-instant',
    name: 'instant',
    ...options.instant,
  });
  const thinking = await startSimulator({
    model: 'sim-thinking',
    name: 'thinking',
    ...options.thinking,
    behavior: { reasoning: 'reasoning_content', ...options.thinking?.behavior },
  });
  const config = loadGatewayConfig({
    HOST: '127.0.0.1',
    INSTANT_UPSTREAMS: instant.url,
    INSTANT_MODEL: instant.model,
    THINKING_UPSTREAMS: thinking.url,
    THINKING_MODEL: thinking.model,
    GATEWAY_API_KEYS: TEST_KEY,
    ...options.env,
  });
  const app = await createGatewayApp(config, { logger: false });
  await app.listen(0, '127.0.0.1');
  await app.getHttpAdapter().getInstance().ready();
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  const client = new OpenAI({
    apiKey: TEST_KEY,
    baseURL: `${url}/v1`,
    maxRetries: 0,
    timeout: 20_000,
  });
  return {
    app,
    url,
    instant,
    thinking,
    config,
    client,
    async close() {
      await app.close();
      await Promise.all([instant.close(), thinking.close()]);
    },
  };
}

/** A gateway on a real port, configured from a YAML document; its simulators are the caller's. */
export interface YamlGateway<S> {
  url: string;
  app: NestFastifyApplication;
  sims: S;
  close(): Promise<void>;
}

/**
 * Starts the real application from `document` written as a YAML file (JSON is YAML), so it goes
 * through the same loader as production; `env` adds variables. `close()` stops the gateway, then
 * every simulator in `sims`.
 */
export async function startYamlGateway<S extends Record<string, RunningSimulator[]>>(
  document: object,
  sims: S,
  env: Record<string, string> = {},
): Promise<YamlGateway<S>> {
  const file = join(mkdtempSync(join(tmpdir(), 'tiergate-e2e-')), 'gateway.yaml');
  writeFileSync(file, JSON.stringify(document));
  const config = loadGatewayConfig({
    HOST: '127.0.0.1',
    GATEWAY_CONFIG: file,
    GATEWAY_API_KEYS: TEST_KEY,
    REQUEST_TIMEOUT_MS: '10000',
    ...env,
  });
  const app = await createGatewayApp(config, { logger: false });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    sims,
    async close() {
      await app.close();
      await Promise.all(
        Object.values(sims)
          .flat()
          .map((sim) => sim.close()),
      );
    },
  };
}

export function authHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json', ...extra };
}

/** POSTs JSON with fetch and returns status, headers and the parsed body. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = authHeaders(),
): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text, the test will say so
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/** Reads a whole SSE response into its `data:` payloads (and comments, when asked). */
export async function readSse(res: Response): Promise<{ data: string[]; comments: string[] }> {
  const text = await res.text();
  const data: string[] = [];
  const comments: string[] = [];
  for (const block of text.split('\n\n')) {
    for (const line of block.split('\n')) {
      if (line.startsWith('data: ')) data.push(line.slice(6));
      else if (line.startsWith(':')) comments.push(line.slice(1).trim());
    }
  }
  return { data, comments };
}

export function chat(
  content: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { messages: [{ role: 'user', content }], ...extra };
}

/** docs/api.md §6: exactly `{"error":{"message","type","param","code"}}`, with the given status fields. */
export function expectErrorEnvelope(body: any, type?: string, code?: string | null): void {
  expect(typeof body === 'object' && body !== null).toBe(true);
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(body.error.param === null || typeof body.error.param === 'string').toBe(true);
  expect(body.error.code === null || typeof body.error.code === 'string').toBe(true);
  if (type !== undefined) expect(body.error.type).toBe(type);
  if (code !== undefined) expect(body.error.code).toBe(code);
}

/** Adds the simulator's per-request script (`x_sim`), which the gateway passes through unchanged. */
export function withSim<T extends object>(params: T, script: Record<string, unknown>): T {
  return { ...params, x_sim: script } as T;
}

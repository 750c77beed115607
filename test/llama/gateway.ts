import OpenAI from 'openai';
import { ensureBuilt, startBuiltGateway, type GatewayProcess } from '../support/built-gateway';
import type { LlamaServer } from './llama-server';

/** The client key the gateway under test accepts. */
export const KEY = 'tg-llama-key-0123456789';

/** Fast active checks, so that a killed or restarted replica is noticed within a second. */
export const FAST_HEALTH = {
  interval_ms: 200,
  timeout_ms: 500,
  healthy_threshold: 1,
  unhealthy_threshold: 1,
};

/** A pool of llama-server replicas; `extra` adds pool keys (balancing, api_key, …). */
export function pool(servers: readonly LlamaServer[], extra: object = {}): object {
  return { upstreams: servers.map((s) => ({ url: s.v1 })), ...extra };
}

export interface LlamaGateway extends GatewayProcess {
  /** The official client, pointed at the gateway. */
  client: OpenAI;
  stop(): Promise<void>;
}

/**
 * The built gateway (`node dist/main.js`) with `config` as its file; builds dist/ first when
 * src/ is newer. Logs at warn unless `env` says otherwise.
 */
export async function startGateway(
  config: object,
  env: Record<string, string> = {},
): Promise<LlamaGateway> {
  ensureBuilt();
  const gateway = await startBuiltGateway(config, { GATEWAY_API_KEYS: KEY, ...env }, 30_000);
  const client = new OpenAI({
    apiKey: KEY,
    baseURL: `${gateway.url}/v1`,
    maxRetries: 0,
    timeout: 60_000,
  });
  return {
    ...gateway,
    client,
    async stop() {
      if (gateway.child.exitCode !== null) return;
      gateway.child.kill('SIGKILL');
      await gateway.exited;
    },
  };
}

export function headers(extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...extra };
}

export interface JsonAnswer {
  status: number;
  headers: Headers;
  body: any;
  ms: number;
}

/** POSTs JSON and returns status, headers, the parsed body (or its text) and the time taken. */
export async function post(
  url: string,
  body: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<JsonAnswer> {
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: headers(extraHeaders),
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: the test says so
  }
  return {
    status: res.status,
    headers: res.headers,
    body: parsed,
    ms: performance.now() - started,
  };
}

export async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${KEY}` } });
  return { status: res.status, body: await res.json() };
}

/** The raw bytes of an SSE answer, and its `data:` payloads in order. */
export async function postSse(
  url: string,
  body: unknown,
): Promise<{ status: number; headers: Headers; raw: string; data: string[]; chunks: any[] }> {
  const res = await fetch(url, { method: 'POST', headers: headers(), body: JSON.stringify(body) });
  const raw = await res.text();
  const data = sseData(raw);
  const chunks = data.filter((d) => d !== '[DONE]').map((d) => JSON.parse(d));
  return { status: res.status, headers: res.headers, raw, data, chunks };
}

export function sseData(raw: string): string[] {
  const data: string[] = [];
  for (const block of raw.split('\n\n')) {
    for (const line of block.split('\n')) if (line.startsWith('data: ')) data.push(line.slice(6));
  }
  return data;
}

/** A one-turn chat body; the tiny model never ends a turn itself, so max_tokens is always set. */
export function chat(
  content: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { model: 'instant', messages: [{ role: 'user', content }], max_tokens: 8, ...extra };
}

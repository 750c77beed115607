import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { lastValueFrom, toArray } from 'rxjs';
import { ErrorCode, GatewayException } from '../common/errors';
import type { ChatCompletionRequest } from '../common/openai/chat.types';
import { OpenAiCompatibleClient } from './openai-compatible.client';
import { classifyFailure } from './retry-policy';
import type { UpstreamCallOptions } from './upstream.interface';

/** Issue 13 §5: answers and streamed events are bounded; issue 12 §6: a refusal is told apart. */
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const BODY: ChatCompletionRequest = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
const LIMIT = 64 * 1024;
const MIB = Buffer.alloc(1024 * 1024, 0x61);

let server: Server;
let port: number;
let handle: Handler;
let closed: Promise<void>;
let client: OpenAiCompatibleClient;

beforeAll(async () => {
  server = createServer((req, res) => {
    closed = new Promise((resolve) => res.on('close', () => resolve()));
    req.resume();
    req.on('end', () => handle(req, res));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

beforeEach(() => {
  client = new OpenAiCompatibleClient(
    { url: `http://127.0.0.1:${port}/v1`, weight: 1, tls: { rejectUnauthorized: true } },
    {
      maxConnections: 4,
      connectTimeoutMs: 1000,
      maxResponseBytes: LIMIT,
      maxStreamLineBytes: LIMIT,
    },
  );
});

afterEach(async () => {
  await client.destroy();
});

const options = (over: Partial<UpstreamCallOptions> = {}): UpstreamCallOptions => ({
  signal: new AbortController().signal,
  timeoutMs: 10_000,
  requestId: 'r',
  ...over,
});

/** Writes MiB after MiB for as long as the connection lasts. */
function endless(res: ServerResponse, prefix: string): void {
  res.write(prefix);
  const pump = (): void => {
    while (!res.destroyed && res.write(MIB));
    if (!res.destroyed) res.once('drain', pump);
  };
  pump();
}

async function failure(promise: Promise<unknown>): Promise<GatewayException> {
  const error = await promise.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GatewayException);
  return error as GatewayException;
}

describe('OpenAiCompatibleClient: answer limits', () => {
  it('a JSON answer over max_response_bytes is a 502 at the cap, and the upstream request is aborted', async () => {
    handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      endless(res, '{"choices":[],"x":"');
    };
    const started = Date.now();
    const error = await failure(client.chat(BODY, options()));
    expect(error).toMatchObject({ code: ErrorCode.UpstreamError, status: 502 });
    expect(error.message).toBe(
      `The upstream model server's answer exceeds the gateway's limit of ${LIMIT} bytes.`,
    );
    await closed;
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a JSON answer just under the cap is read whole', async () => {
    const content = 'a'.repeat(LIMIT - 200);
    handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content } }] }));
    };
    const answer = await client.chat(BODY, options());
    expect(answer.value.choices[0].message.content).toBe(content);
  });

  it('the whole-call deadline fires while an endless body is read (under a generous cap)', async () => {
    const roomy = new OpenAiCompatibleClient(
      { url: `http://127.0.0.1:${port}/v1`, weight: 1, tls: { rejectUnauthorized: true } },
      { maxConnections: 4, connectTimeoutMs: 1000, maxResponseBytes: 256 * 1024 * 1024 },
    );
    handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => res.write(MIB.subarray(0, 1024)), 5);
      res.on('close', () => clearInterval(timer));
    };
    const error = await failure(roomy.chat(BODY, options({ timeoutMs: 300 })));
    expect(error.code).toBe(ErrorCode.UpstreamTimeout);
    await roomy.destroy();
  });

  it('a huge error body is read without being kept, and still maps to an error', async () => {
    handle = (_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      for (let i = 0; i < 8; i++) res.write(MIB);
      res.end();
    };
    const error = await failure(client.chat(BODY, options()));
    expect(error).toMatchObject({ code: ErrorCode.UpstreamError, status: 502 });
    expect(error.options.upstream?.body?.length).toBeLessThanOrEqual(2048);
  });

  it.each([
    ['one SSE line that never ends', 'data: {"choices":[{"delta":{"content":"'],
    ['one NDJSON line that never ends', '{"choices":[{"delta":{"content":"'],
  ])('%s is cut at max_stream_line_bytes: 502', async (_what, prefix) => {
    handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      endless(res, prefix);
    };
    const stream = client.chatStream(BODY, options());
    const error = await failure(lastValueFrom(stream.pipe(toArray())));
    expect(error.status).toBe(502);
    expect(error.message).toBe(
      `The upstream stream sent an event larger than the gateway's limit of ${LIMIT} bytes.`,
    );
    await closed;
  });

  it('an SSE event gathering many data lines past the cap is cut too', async () => {
    handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const line = `data: ${'a'.repeat(1000)}\n`;
      const timer = setInterval(() => res.write(line.repeat(16)), 1);
      res.on('close', () => clearInterval(timer));
    };
    const error = await failure(lastValueFrom(client.chatStream(BODY, options()).pipe(toArray())));
    expect(error.message).toContain('larger than the gateway');
  });

  it('a refused connection is classified as refused (never retried on that replica)', async () => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const deadPort = (probe.address() as AddressInfo).port;
    probe.close();
    await once(probe, 'close');
    const dead = new OpenAiCompatibleClient(
      { url: `http://127.0.0.1:${deadPort}/v1`, weight: 1, tls: { rejectUnauthorized: true } },
      { maxConnections: 1, connectTimeoutMs: 1000 },
    );
    const json = await failure(dead.chat(BODY, options()));
    expect(classifyFailure(json)?.kind).toBe('refused');
    const streamed = await failure(lastValueFrom(dead.chatStream(BODY, options()).pipe(toArray())));
    expect(classifyFailure(streamed)?.kind).toBe('refused');
    await dead.destroy();
  });
});

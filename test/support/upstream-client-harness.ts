/** A local HTTP server that answers what a client spec scripts, and the helpers of those specs. */
import { getEventListeners, once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatewayException } from '../../src/common/errors';
import type { ChatCompletionRequest } from '../../src/common/openai/chat.types';
import { FlowGate } from '../../src/common/sse';
import { OpenAiCompatibleClient } from '../../src/providers/openai-compatible.client';
import type { UpstreamCallOptions } from '../../src/providers/upstream.interface';

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** The model server of `OpenAiCompatibleClient`'s specs: each request goes to `handle`. */
export class ScriptedUpstream {
  handle: Handler = (_req, res) => res.end();
  requests = 0;
  port = 0;
  private server: Server | undefined;

  get url(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      this.requests++;
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (piece: string) => (body += piece));
      req.on('end', () => this.handle(req, res, body));
    });
    this.server = server;
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server as Server;
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  }
}

export const BODY: ChatCompletionRequest = {
  model: 'm',
  messages: [{ role: 'user', content: 'hi' }],
};
export const ANSWER = JSON.stringify({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'm',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'héllo 🌍 '.repeat(50) },
      finish_reason: 'stop',
    },
  ],
});

export function chunkEvent(n: number): string {
  const chunk = {
    id: 'c',
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta: { content: `t${n}` } }],
  };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

export function newClient(url: string): OpenAiCompatibleClient {
  return new OpenAiCompatibleClient(
    { url, apiKey: 'sk-test', weight: 1, tls: { rejectUnauthorized: true } },
    { maxConnections: 4, connectTimeoutMs: 1000 },
  );
}

export function callOptions(overrides: Partial<UpstreamCallOptions> = {}): UpstreamCallOptions {
  return {
    signal: new AbortController().signal,
    timeoutMs: 5000,
    requestId: 'req-1',
    ...overrides,
  };
}

export function abortListeners(signal: AbortSignal): number {
  return getEventListeners(signal, 'abort').length;
}

/** Records every abort of the dispatch controllers of `target`'s requests. */
export function recordAborts(target: OpenAiCompatibleClient): unknown[] {
  const aborts: unknown[] = [];
  const pool = (target as any).pool;
  const dispatch = pool.dispatch.bind(pool);
  pool.dispatch = (opts: unknown, handler: any) => {
    const onRequestStart = handler.onRequestStart.bind(handler);
    handler.onRequestStart = (controller: any, context: unknown) => {
      const abort = controller.abort.bind(controller);
      controller.abort = (reason: unknown) => {
        aborts.push(reason);
        abort(reason);
      };
      onRequestStart(controller, context);
    };
    return dispatch(opts, handler);
  };
  return aborts;
}

export async function failure(promise: Promise<unknown>): Promise<GatewayException> {
  const error = await promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GatewayException);
  return error as GatewayException;
}

/** A flow gate that counts its waits and is opened and closed by the spec. */
export class TestGate extends FlowGate {
  waits = 0;

  override wait(): Promise<void> {
    this.waits++;
    return super.wait();
  }

  set(open: boolean): void {
    if (open) this.reopen();
    else this.close();
  }
}

/**
 * The shared set-up of the client specs: one scripted upstream for the file, and a fresh client
 * of it for each test (its request count reset), destroyed after the test.
 */
export function useUpstreamClient(): {
  upstream: ScriptedUpstream;
  client: OpenAiCompatibleClient;
} {
  const upstream = new ScriptedUpstream();
  const fixture = { upstream, client: undefined as unknown as OpenAiCompatibleClient };
  beforeAll(() => upstream.start());
  afterAll(() => upstream.stop());
  beforeEach(() => {
    upstream.requests = 0;
    fixture.client = newClient(upstream.url);
  });
  afterEach(async () => {
    await fixture.client.destroy();
  });
  return fixture;
}

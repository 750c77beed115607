import { AsyncLocalStorage } from 'node:async_hooks';
import { getEventListeners, once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ROOT_CONTEXT, TraceFlags, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { lastValueFrom, toArray } from 'rxjs';
import { ErrorCode, GatewayException } from '../common/errors';
import type { ChatCompletionRequest } from '../common/openai/chat.types';
import { FlowGate } from '../common/sse';
import { OpenAiCompatibleClient } from './openai-compatible.client';
import type { UpstreamCallOptions } from './upstream.interface';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const BODY: ChatCompletionRequest = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
const ANSWER = JSON.stringify({
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

function chunkEvent(n: number): string {
  const chunk = {
    id: 'c',
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta: { content: `t${n}` } }],
  };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let server: Server;
let port: number;
let handle: Handler;
let requests: number;
let client: OpenAiCompatibleClient;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests++;
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (piece: string) => (body += piece));
    req.on('end', () => handle(req, res, body));
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
  requests = 0;
  client = newClient(`http://127.0.0.1:${port}/v1`);
});

afterEach(async () => {
  await client.destroy();
});

function newClient(url: string): OpenAiCompatibleClient {
  return new OpenAiCompatibleClient(
    { url, apiKey: 'sk-test', weight: 1, tls: { rejectUnauthorized: true } },
    { maxConnections: 4, connectTimeoutMs: 1000 },
  );
}

function callOptions(overrides: Partial<UpstreamCallOptions> = {}): UpstreamCallOptions {
  return {
    signal: new AbortController().signal,
    timeoutMs: 5000,
    requestId: 'req-1',
    ...overrides,
  };
}

function abortListeners(signal: AbortSignal): number {
  return getEventListeners(signal, 'abort').length;
}

/** Records every abort of the dispatch controllers of `target`'s requests. */
function recordAborts(target: OpenAiCompatibleClient): unknown[] {
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

async function failure(promise: Promise<unknown>): Promise<GatewayException> {
  const error = await promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GatewayException);
  return error as GatewayException;
}

class TestGate extends FlowGate {
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

describe('OpenAiCompatibleClient, non-streaming', () => {
  it('sends each header once, the trace context, and the body as JSON', async () => {
    let seen: { headers: IncomingMessage['headers']; raw: string[]; body: string } | undefined;
    handle = (req, res, body) => {
      seen = { headers: req.headers, raw: req.rawHeaders, body };
      res.setHeader('content-type', 'application/json');
      res.end(ANSWER);
    };
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    try {
      const traceContext = trace.setSpanContext(ROOT_CONTEXT, {
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
        traceFlags: TraceFlags.SAMPLED,
      });
      await client.chat(BODY, callOptions({ traceContext }));
    } finally {
      propagation.disable();
    }
    expect(seen!.headers).toMatchObject({
      'content-type': 'application/json',
      accept: 'application/json',
      authorization: 'Bearer sk-test',
      'x-request-id': 'req-1',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    const names = seen!.raw.filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase());
    expect(new Set(names).size).toBe(names.length);
    expect(JSON.parse(seen!.body)).toEqual(BODY);
  });

  it('collects a body split across many chunks and decodes it once, skipping a BOM', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(ANSWER)]);
    handle = async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // 7-byte pieces split multi-byte characters; the pauses make them separate reads.
      for (let i = 0; i < bytes.length; i += 7) {
        res.write(bytes.subarray(i, i + 7));
        if (i % 140 === 0) await sleep(1);
      }
      res.end();
    };
    const answer = await client.chat(BODY, callOptions());
    expect(answer.raw).toBe(ANSWER);
    expect(answer.value.choices[0].message.content).toBe('héllo 🌍 '.repeat(50));
  });

  it('keeps one listener on the caller signal while in flight and none after', async () => {
    const signal = new AbortController().signal;
    let during = -1;
    handle = (_req, res) => {
      during = abortListeners(signal);
      res.end(ANSWER);
    };
    await client.chat(BODY, callOptions({ signal }));
    expect(during).toBe(1);
    expect(abortListeners(signal)).toBe(0);
  });

  it('maps a status >= 300 with its body and retry-after', async () => {
    handle = (_req, res) => {
      res.writeHead(503, { 'retry-after': '7', 'content-type': 'application/json' });
      res.end('{"error":{"message":"busy"}}');
    };
    const error = await failure(client.chat(BODY, callOptions()));
    expect(error.code).toBe(ErrorCode.UpstreamError);
    expect(error.headers).toEqual({ 'retry-after': '7' });
    expect(error.options.upstream).toMatchObject({
      status: 503,
      body: '{"error":{"message":"busy"}}',
    });

    handle = (_req, res) => {
      res.writeHead(429, { 'retry-after': '3' });
      res.end('{"error":{"message":"slow down"}}');
    };
    const limited = await failure(client.embeddings({ model: 'm', input: 'x' }, callOptions()));
    expect(limited.code).toBe(ErrorCode.RateLimitExceeded);
    expect(limited.message).toBe('slow down');
    expect(limited.headers).toEqual({ 'retry-after': '3' });
  });

  it('passes a caller abort mid-body through as is, and closes the upstream request', async () => {
    const controller = new AbortController();
    const reason = new Error('caller left');
    const closed = new Promise<void>((resolve) => {
      handle = (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(ANSWER.slice(0, 20));
        res.on('close', () => resolve());
        setTimeout(() => controller.abort(reason), 20);
      };
    });
    const error = await client
      .chat(BODY, callOptions({ signal: controller.signal }))
      .catch((e) => e);
    expect(error).toBe(reason);
    await closed;
    expect(abortListeners(controller.signal)).toBe(0);
  });

  it('fails at once, without a request, when the caller is already gone', async () => {
    const controller = new AbortController();
    const reason = new Error('gone');
    controller.abort(reason);
    handle = (_req, res) => res.end(ANSWER);
    await expect(client.chat(BODY, callOptions({ signal: controller.signal }))).rejects.toBe(
      reason,
    );
    expect(requests).toBe(0);
  });

  it('times out waiting for the headers (ttfb), aborting the request', async () => {
    const closed = new Promise<void>((resolve) => {
      handle = (_req, res) => res.on('close', () => resolve());
    });
    const error = await failure(client.chat(BODY, callOptions({ ttfbMs: 50 })));
    expect(error.code).toBe(ErrorCode.UpstreamTimeout);
    expect(error.message).toContain('50 ms');
    await closed;
  });

  it('times out the whole call while the body trickles', async () => {
    handle = (_req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write(' '), 10);
      res.on('close', () => clearInterval(timer));
    };
    const error = await failure(client.chat(BODY, callOptions({ timeoutMs: 150, ttfbMs: 100 })));
    expect(error.code).toBe(ErrorCode.UpstreamTimeout);
    expect(error.message).toContain('150 ms');
  });

  it('reports a body that stalls as a stall', async () => {
    handle = (_req, res) => {
      res.writeHead(200);
      res.write('{');
    };
    const error = await failure(client.chat(BODY, callOptions({ idleMs: 60 })));
    expect(error.code).toBe(ErrorCode.UpstreamTimeout);
    expect(error.message).toContain('nothing arrived from the model server for 60 ms');
  });

  it('reports a malformed answer', async () => {
    handle = (_req, res) => res.end('{"choices": 1}');
    const error = await failure(client.chat(BODY, callOptions()));
    expect(error.code).toBe(ErrorCode.UpstreamError);
    expect(error.message).toContain('not the OpenAI format');
  });

  it('reports a refused connection and a dropped socket as unreachable', async () => {
    const closedServer = createServer();
    closedServer.listen(0, '127.0.0.1');
    await once(closedServer, 'listening');
    const deadPort = (closedServer.address() as AddressInfo).port;
    closedServer.close();
    await once(closedServer, 'close');
    const dead = newClient(`http://127.0.0.1:${deadPort}/v1`);
    try {
      const refused = await failure(dead.chat(BODY, callOptions()));
      expect(refused.message).toBe('The upstream model server could not be reached.');
    } finally {
      await dead.destroy();
    }

    handle = (req) => req.socket.destroy();
    const dropped = await failure(client.chat(BODY, callOptions()));
    expect(dropped.message).toBe('The upstream model server could not be reached.');
  });
});

describe('OpenAiCompatibleClient, streaming', () => {
  function sse(events: string[], res: ServerResponse, gapMs = 0): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    return (async () => {
      for (const event of events) {
        res.write(event);
        if (gapMs > 0) await sleep(gapMs);
      }
      res.end();
    })();
  }

  const events = (n: number): string[] => Array.from({ length: n }, (_, i) => chunkEvent(i));

  it('streams payloads split across chunks and completes on [DONE]', async () => {
    let accept: string | string[] | undefined;
    handle = (req, res) => {
      accept = req.headers.accept;
      const text = events(5).join('') + 'data: [DONE]\n\n';
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      void (async () => {
        for (let i = 0; i < text.length; i += 13) {
          res.write(text.slice(i, i + 13));
          if (i % 65 === 0) await sleep(1);
        }
        res.end();
      })();
    };
    const signal = new AbortController().signal;
    const chunks = await lastValueFrom(
      client.chatStream({ ...BODY, stream: true }, callOptions({ signal })).pipe(toArray()),
    );
    expect(accept).toBe('text/event-stream');
    expect(chunks.map((c) => c.chunk.choices[0].delta.content)).toEqual([
      't0',
      't1',
      't2',
      't3',
      't4',
    ]);
    expect(abortListeners(signal)).toBe(0);
  });

  it('pauses reading while the gate is closed, the stall timer resting, then resumes', async () => {
    handle = (_req, res) => void sse([...events(6), 'data: [DONE]\n\n'], res, 10);
    const gate = new TestGate();
    gate.set(false);
    const received: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      client
        .chatStream({ ...BODY, stream: true }, callOptions({ gate, idleMs: 50, ttfbMs: 1000 }))
        .subscribe({
          next: (c) => received.push(c.chunk.choices[0].delta.content as string),
          error: reject,
          complete: resolve,
        });
    });
    await sleep(250);
    // Paused after the first read: longer than the idle budget, without a stall.
    expect(received).toEqual(['t0']);
    expect(gate.waits).toBe(1);
    gate.set(true);
    await done;
    expect(received).toEqual(['t0', 't1', 't2', 't3', 't4', 't5']);
  });

  it('calls the subscriber back in the async context it subscribed in', async () => {
    const als = new AsyncLocalStorage<string>();
    handle = (_req, res) => void sse([...events(3), 'data: [DONE]\n\n'], res, 5);
    const seen: (string | undefined)[] = [];
    await als.run('caller', async () => {
      await new Promise<void>((resolve, reject) => {
        client.chatStream(BODY, callOptions()).subscribe({
          next: () => seen.push(als.getStore()),
          error: reject,
          complete: () => {
            seen.push(als.getStore());
            resolve();
          },
        });
      });
    });
    expect(seen).toEqual(['caller', 'caller', 'caller', 'caller']);

    const controller = new AbortController();
    handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunkEvent(0));
      setTimeout(() => controller.abort(new Error('left')), 10);
    };
    const errorContext = await als.run(
      'caller',
      () =>
        new Promise<string | undefined>((resolve) => {
          client
            .chatStream(BODY, callOptions({ signal: controller.signal }))
            .subscribe({ error: () => resolve(als.getStore()) });
        }),
    );
    expect(errorContext).toBe('caller');
  });

  it('does not abort a stream that completed when its subscriber is torn down', async () => {
    const aborts = recordAborts(client);
    const ports: number[] = [];
    handle = (req, res) => {
      ports.push(req.socket.remotePort as number);
      void sse([...events(2), 'data: [DONE]\n\n'], res);
    };
    await lastValueFrom(client.chatStream({ ...BODY, stream: true }, callOptions()));
    // undici reuses a connection one event-loop turn after its answer ended.
    await sleep(10);
    await lastValueFrom(client.chatStream({ ...BODY, stream: true }, callOptions()));
    expect(aborts).toEqual([]);
    // Not aborted: the keep-alive connection is reused.
    expect(ports).toHaveLength(2);
    expect(ports[1]).toBe(ports[0]);
  });

  it('aborts the upstream request when the subscriber leaves mid-stream', async () => {
    const aborts = recordAborts(client);
    const closed = new Promise<void>((resolve) => {
      handle = (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(chunkEvent(0));
        res.on('close', () => resolve());
      };
    });
    const signal = new AbortController().signal;
    await new Promise<void>((resolve) => {
      const subscription = client
        .chatStream({ ...BODY, stream: true }, callOptions({ signal }))
        .subscribe(() => {
          subscription.unsubscribe();
          resolve();
        });
    });
    await closed;
    expect(aborts).toHaveLength(1);
    expect(abortListeners(signal)).toBe(0);
  });

  it('errors with the caller’s reason when the caller aborts mid-stream', async () => {
    const controller = new AbortController();
    const reason = new Error('caller left');
    handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunkEvent(0));
      setTimeout(() => controller.abort(reason), 20);
    };
    const stream = client.chatStream(
      { ...BODY, stream: true },
      callOptions({ signal: controller.signal }),
    );
    await expect(lastValueFrom(stream)).rejects.toBe(reason);
  });

  it('maps a status >= 300, a body that is no stream, and a cut stream', async () => {
    handle = (_req, res) => {
      res.writeHead(503, { 'retry-after': '5' });
      res.end('overloaded');
    };
    const status = await failure(lastValueFrom(client.chatStream(BODY, callOptions())));
    expect(status.options.upstream).toMatchObject({ status: 503, body: 'overloaded' });
    expect(status.headers).toEqual({ 'retry-after': '5' });

    handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>');
    };
    const html = await failure(lastValueFrom(client.chatStream(BODY, callOptions())));
    expect(html.message).toContain('a stream of content-type text/html');

    handle = (_req, res) => void sse(events(2), res);
    const noDone = await failure(lastValueFrom(client.chatStream(BODY, callOptions())));
    expect(noDone.message).toBe('The upstream stream broke off (the stream ended without [DONE]).');

    handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.end('{"choices":[]}\n{"choi');
    };
    const midLine = await failure(
      lastValueFrom(client.completionsStream(BODY as any, callOptions())),
    );
    expect(midLine.message).toBe('The upstream stream broke off (the stream ended mid-line).');
  });

  it('reports a socket dropped after the stream began as a broken stream', async () => {
    handle = (req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunkEvent(0));
      setTimeout(() => req.socket.destroy(), 20);
    };
    const error = await failure(lastValueFrom(client.chatStream(BODY, callOptions())));
    expect(error.code).toBe(ErrorCode.UpstreamError);
    expect(error.message).toMatch(/^The upstream stream broke off/);
  });

  it('fails on a malformed payload and aborts the upstream request', async () => {
    const aborts = recordAborts(client);
    handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunkEvent(0) + 'data: {"nope":1}\n\n');
    };
    const error = await failure(lastValueFrom(client.chatStream(BODY, callOptions())));
    expect(error.message).toContain('stream chunk without choices');
    expect(aborts).toHaveLength(1);
  });

  it('times out the first byte and the silence between chunks', async () => {
    handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
    };
    const ttfb = await failure(lastValueFrom(client.chatStream(BODY, callOptions({ ttfbMs: 60 }))));
    expect(ttfb.code).toBe(ErrorCode.UpstreamTimeout);
    expect(ttfb.message).toBe('The upstream model server did not answer within 60 ms.');

    handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunkEvent(0));
    };
    const idle = await failure(
      lastValueFrom(client.chatStream(BODY, callOptions({ ttfbMs: 1000, idleMs: 60 }))),
    );
    expect(idle.code).toBe(ErrorCode.UpstreamTimeout);
    expect(idle.message).toContain('nothing arrived from the model server for 60 ms');
  });
});

import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ROOT_CONTEXT, TraceFlags, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { ErrorCode } from '../common/errors';
import {
  BODY,
  ANSWER,
  sleep,
  callOptions,
  abortListeners,
  failure,
  newClient,
  useUpstreamClient,
} from '../../test/support/upstream-client-harness';

const fixture = useUpstreamClient();
const { upstream } = fixture;

describe('OpenAiCompatibleClient, non-streaming', () => {
  it('sends each header once, the trace context, and the body as JSON', async () => {
    let seen: { headers: IncomingMessage['headers']; raw: string[]; body: string } | undefined;
    upstream.handle = (req, res, body) => {
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
      await fixture.client.chat(BODY, callOptions({ traceContext }));
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
    upstream.handle = async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // 7-byte pieces split multi-byte characters; the pauses make them separate reads.
      for (let i = 0; i < bytes.length; i += 7) {
        res.write(bytes.subarray(i, i + 7));
        if (i % 140 === 0) await sleep(1);
      }
      res.end();
    };
    const answer = await fixture.client.chat(BODY, callOptions());
    expect(answer.raw).toBe(ANSWER);
    expect(answer.value.choices[0].message.content).toBe('héllo 🌍 '.repeat(50));
  });

  it('keeps one listener on the caller signal while in flight and none after', async () => {
    const signal = new AbortController().signal;
    let during = -1;
    upstream.handle = (_req, res) => {
      during = abortListeners(signal);
      res.end(ANSWER);
    };
    await fixture.client.chat(BODY, callOptions({ signal }));
    expect(during).toBe(1);
    expect(abortListeners(signal)).toBe(0);
  });

  it('maps a status >= 300 with its body and retry-after', async () => {
    upstream.handle = (_req, res) => {
      res.writeHead(503, { 'retry-after': '7', 'content-type': 'application/json' });
      res.end('{"error":{"message":"busy"}}');
    };
    const error = await failure(fixture.client.chat(BODY, callOptions()));
    expect(error.code).toBe(ErrorCode.UpstreamError);
    expect(error.headers).toEqual({ 'retry-after': '7' });
    expect(error.options.upstream).toMatchObject({
      status: 503,
      body: '{"error":{"message":"busy"}}',
    });

    upstream.handle = (_req, res) => {
      res.writeHead(429, { 'retry-after': '3' });
      res.end('{"error":{"message":"slow down"}}');
    };
    const limited = await failure(
      fixture.client.embeddings({ model: 'm', input: 'x' }, callOptions()),
    );
    expect(limited.code).toBe(ErrorCode.RateLimitExceeded);
    expect(limited.message).toBe('slow down');
    expect(limited.headers).toEqual({ 'retry-after': '3' });
  });

  it('passes a caller abort mid-body through as is, and closes the upstream request', async () => {
    const controller = new AbortController();
    const reason = new Error('caller left');
    const closed = new Promise<void>((resolve) => {
      upstream.handle = (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(ANSWER.slice(0, 20));
        res.on('close', () => resolve());
        setTimeout(() => controller.abort(reason), 20);
      };
    });
    const error = await fixture.client
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
    upstream.handle = (_req, res) => res.end(ANSWER);
    await expect(
      fixture.client.chat(BODY, callOptions({ signal: controller.signal })),
    ).rejects.toBe(reason);
    expect(upstream.requests).toBe(0);
  });

  it('times out waiting for the headers (ttfb), aborting the request', async () => {
    const closed = new Promise<void>((resolve) => {
      upstream.handle = (_req, res) => res.on('close', () => resolve());
    });
    const error = await failure(fixture.client.chat(BODY, callOptions({ ttfbMs: 50 })));
    expect(error.code).toBe(ErrorCode.UpstreamTimeout);
    expect(error.message).toContain('50 ms');
    await closed;
  });

  it('times out the whole call while the body trickles', async () => {
    upstream.handle = (_req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write(' '), 10);
      res.on('close', () => clearInterval(timer));
    };
    const error = await failure(
      fixture.client.chat(BODY, callOptions({ timeoutMs: 150, ttfbMs: 100 })),
    );
    expect(error.code).toBe(ErrorCode.UpstreamTimeout);
    expect(error.message).toContain('150 ms');
  });

  it('reports a body that stalls as a stall', async () => {
    upstream.handle = (_req, res) => {
      res.writeHead(200);
      res.write('{');
    };
    const error = await failure(fixture.client.chat(BODY, callOptions({ idleMs: 60 })));
    expect(error.code).toBe(ErrorCode.UpstreamTimeout);
    expect(error.message).toContain('nothing arrived from the model server for 60 ms');
  });

  it('reports a malformed answer', async () => {
    upstream.handle = (_req, res) => res.end('{"choices": 1}');
    const error = await failure(fixture.client.chat(BODY, callOptions()));
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

    upstream.handle = (req) => req.socket.destroy();
    const dropped = await failure(fixture.client.chat(BODY, callOptions()));
    expect(dropped.message).toBe('The upstream model server could not be reached.');
  });
});

import { AsyncLocalStorage } from 'node:async_hooks';
import type { ServerResponse } from 'node:http';
import { lastValueFrom, toArray } from 'rxjs';
import { ErrorCode } from '../common/errors';
import {
  BODY,
  chunkEvent,
  sleep,
  callOptions,
  abortListeners,
  recordAborts,
  failure,
  TestGate,
  useUpstreamClient,
} from '../../test/support/upstream-client-harness';

const fixture = useUpstreamClient();
const { upstream } = fixture;

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
    upstream.handle = (req, res) => {
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
      fixture.client.chatStream({ ...BODY, stream: true }, callOptions({ signal })).pipe(toArray()),
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
    upstream.handle = (_req, res) => void sse([...events(6), 'data: [DONE]\n\n'], res, 10);
    const gate = new TestGate();
    gate.set(false);
    const received: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      fixture.client
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
    upstream.handle = (_req, res) => void sse([...events(3), 'data: [DONE]\n\n'], res, 5);
    const seen: (string | undefined)[] = [];
    await als.run('caller', async () => {
      await new Promise<void>((resolve, reject) => {
        fixture.client.chatStream(BODY, callOptions()).subscribe({
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
    upstream.handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunkEvent(0));
      setTimeout(() => controller.abort(new Error('left')), 10);
    };
    const errorContext = await als.run(
      'caller',
      () =>
        new Promise<string | undefined>((resolve) => {
          fixture.client
            .chatStream(BODY, callOptions({ signal: controller.signal }))
            .subscribe({ error: () => resolve(als.getStore()) });
        }),
    );
    expect(errorContext).toBe('caller');
  });

  it('does not abort a stream that completed when its subscriber is torn down', async () => {
    const aborts = recordAborts(fixture.client);
    const ports: number[] = [];
    upstream.handle = (req, res) => {
      ports.push(req.socket.remotePort as number);
      void sse([...events(2), 'data: [DONE]\n\n'], res);
    };
    await lastValueFrom(fixture.client.chatStream({ ...BODY, stream: true }, callOptions()));
    // undici reuses a connection one event-loop turn after its answer ended.
    await sleep(10);
    await lastValueFrom(fixture.client.chatStream({ ...BODY, stream: true }, callOptions()));
    expect(aborts).toEqual([]);
    // Not aborted: the keep-alive connection is reused.
    expect(ports).toHaveLength(2);
    expect(ports[1]).toBe(ports[0]);
  });

  it('aborts the upstream request when the subscriber leaves mid-stream', async () => {
    const aborts = recordAborts(fixture.client);
    const closed = new Promise<void>((resolve) => {
      upstream.handle = (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(chunkEvent(0));
        res.on('close', () => resolve());
      };
    });
    const signal = new AbortController().signal;
    await new Promise<void>((resolve) => {
      const subscription = fixture.client
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
    upstream.handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunkEvent(0));
      setTimeout(() => controller.abort(reason), 20);
    };
    const stream = fixture.client.chatStream(
      { ...BODY, stream: true },
      callOptions({ signal: controller.signal }),
    );
    await expect(lastValueFrom(stream)).rejects.toBe(reason);
  });

  it('maps a status >= 300, a body that is no stream, and a cut stream', async () => {
    upstream.handle = (_req, res) => {
      res.writeHead(503, { 'retry-after': '5' });
      res.end('overloaded');
    };
    const status = await failure(lastValueFrom(fixture.client.chatStream(BODY, callOptions())));
    expect(status.options.upstream).toMatchObject({ status: 503, body: 'overloaded' });
    expect(status.headers).toEqual({ 'retry-after': '5' });

    upstream.handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>');
    };
    const html = await failure(lastValueFrom(fixture.client.chatStream(BODY, callOptions())));
    expect(html.message).toContain('a stream of content-type text/html');

    upstream.handle = (_req, res) => void sse(events(2), res);
    const noDone = await failure(lastValueFrom(fixture.client.chatStream(BODY, callOptions())));
    expect(noDone.message).toBe('The upstream stream broke off (the stream ended without [DONE]).');

    upstream.handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.end('{"choices":[]}\n{"choi');
    };
    const midLine = await failure(
      lastValueFrom(fixture.client.completionsStream(BODY as any, callOptions())),
    );
    expect(midLine.message).toBe('The upstream stream broke off (the stream ended mid-line).');
  });

  it('reports a socket dropped after the stream began as a broken stream', async () => {
    upstream.handle = (req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunkEvent(0));
      setTimeout(() => req.socket.destroy(), 20);
    };
    const error = await failure(lastValueFrom(fixture.client.chatStream(BODY, callOptions())));
    expect(error.code).toBe(ErrorCode.UpstreamError);
    expect(error.message).toMatch(/^The upstream stream broke off/);
  });

  it('fails on a malformed payload and aborts the upstream request', async () => {
    const aborts = recordAborts(fixture.client);
    upstream.handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunkEvent(0) + 'data: {"nope":1}\n\n');
    };
    const error = await failure(lastValueFrom(fixture.client.chatStream(BODY, callOptions())));
    expect(error.message).toContain('stream chunk without choices');
    expect(aborts).toHaveLength(1);
  });

  it('times out the first byte and the silence between chunks', async () => {
    upstream.handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
    };
    const ttfb = await failure(
      lastValueFrom(fixture.client.chatStream(BODY, callOptions({ ttfbMs: 60 }))),
    );
    expect(ttfb.code).toBe(ErrorCode.UpstreamTimeout);
    expect(ttfb.message).toBe('The upstream model server did not answer within 60 ms.');

    upstream.handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunkEvent(0));
    };
    const idle = await failure(
      lastValueFrom(fixture.client.chatStream(BODY, callOptions({ ttfbMs: 1000, idleMs: 60 }))),
    );
    expect(idle.code).toBe(ErrorCode.UpstreamTimeout);
    expect(idle.message).toContain('nothing arrived from the model server for 60 ms');
  });
});

import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import { Observable, Subject } from 'rxjs';
import { HeartbeatWheel } from './heartbeat-wheel';
import { replyWithSse, type SseEvent } from './sse-reply';
import { SseResponseWriter } from './sse-writer';

/** The parts of a ServerResponse the writer touches, recording what is written. */
class FakeResponse extends EventEmitter {
  frames: string[] = [];
  head: Record<string, unknown> | undefined;
  headersSent = false;
  destroyed = false;
  closed = false;
  writableEnded = false;
  writableFinished = false;

  writeHead(_status: number, head: Record<string, unknown>): this {
    this.head = head;
    this.headersSent = true;
    return this;
  }
  flushHeaders(): void {}
  write(frame: string): boolean {
    this.frames.push(frame);
    return true;
  }
  /** What the client receives (frames of one tick after the first leave in one write). */
  get text(): string {
    return this.frames.join('');
  }
  end(frame?: string): void {
    if (frame !== undefined) this.frames.push(frame);
    this.writableEnded = this.writableFinished = true;
    this.closed = true;
    this.emit('close');
  }
  hangUp(): void {
    this.destroyed = this.closed = true;
    this.emit('close');
  }
}

describe('replyWithSse', () => {
  let res: FakeResponse;
  let reply: FastifyReply & { hijack: jest.Mock };
  let writer: SseResponseWriter;
  let source: Subject<string>;
  let unsubscribed: jest.Mock;
  const renderError = jest.fn((error: unknown) => ({
    error: { message: String(error), type: 'api_error', param: null, code: 'upstream_error' },
  }));

  beforeEach(() => {
    jest.useFakeTimers();
    res = new FakeResponse();
    reply = {
      raw: res,
      hijack: jest.fn(),
      getHeaders: () => ({ 'x-request-id': 'req-1' }),
    } as unknown as FastifyReply & { hijack: jest.Mock };
    writer = new SseResponseWriter(res as unknown as ServerResponse, {
      heartbeatMs: 1000,
      heartbeatWheel: new HeartbeatWheel(1000),
    });
    source = new Subject<string>();
    unsubscribed = jest.fn();
  });

  afterEach(() => jest.useRealTimers());

  /** `source`, telling `unsubscribed` when its subscriber goes away. */
  const watched = (): Observable<string> =>
    new Observable<string>((subscriber) => {
      const subscription = source.subscribe(subscriber);
      return () => {
        subscription.unsubscribe();
        unsubscribed();
      };
    });

  const reply$ = (from: Observable<string> = watched()): Promise<void> =>
    replyWithSse(reply, writer, from, { heartbeatMs: 1000, renderError });

  it('opens on the first payload with the reply’s headers, and ends with [DONE]', async () => {
    const done = reply$();
    expect(reply.hijack).not.toHaveBeenCalled();
    source.next('{"n":1}');
    expect(reply.hijack).toHaveBeenCalledTimes(1);
    expect(res.head).toMatchObject({ 'x-request-id': 'req-1' });
    source.next('{"n":2}');
    source.complete();
    await done;
    expect(res.text).toBe(['data: {"n":1}\n\n', 'data: {"n":2}\n\n', 'data: [DONE]\n\n'].join(''));
    expect(unsubscribed).toHaveBeenCalledTimes(1);
    jest.runAllTicks();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('writes named events, and no [DONE] when the front ends with its own last event', async () => {
    const events = new Subject<string | SseEvent>();
    const done = replyWithSse(reply, writer, events, {
      heartbeatMs: 1000,
      renderError,
      done: false,
    });
    events.next({ event: 'response.created', data: '{"n":1}' });
    events.next('{"n":2}');
    events.complete();
    await done;
    expect(res.text).toBe(
      ['event: response.created\ndata: {"n":1}\n\n', 'data: {"n":2}\n\n'].join(''),
    );
  });

  it('opens and pings while the first payload is slow to come, with no timer of its own', async () => {
    const done = reply$();
    jest.runAllTicks();
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(999);
    expect(reply.hijack).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(reply.hijack).toHaveBeenCalledTimes(1);
    expect(res.text).toBe([': ping\n\n'].join(''));
    source.next('{}');
    source.complete();
    await done;
    expect(res.text).toBe([': ping\n\n', 'data: {}\n\n', 'data: [DONE]\n\n'].join(''));
  });

  it('rejects a failure before the first payload, and leaves the response alone', async () => {
    const done = reply$();
    source.error(new Error('upstream 400'));
    await expect(done).rejects.toThrow('upstream 400');
    expect(reply.hijack).not.toHaveBeenCalled();
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(5000);
    expect(res.text).toBe([].join(''));
    expect(renderError).not.toHaveBeenCalled();
  });

  it('sends a failure after the first payload in-band, without [DONE]', async () => {
    const done = reply$();
    source.next('{"n":1}');
    source.error(new Error('cut'));
    await done;
    expect(renderError).toHaveBeenCalledTimes(1);
    expect(res.text).toBe(
      ['data: {"n":1}\n\n', `data: ${JSON.stringify(renderError.mock.results[0].value)}\n\n`].join(
        '',
      ),
    );
    expect(writer.closed).toBe(true);
  });

  it('unsubscribes the source (aborting the upstream) when the caller leaves', async () => {
    const done = reply$();
    source.next('{"n":1}');
    res.hangUp();
    await done;
    expect(unsubscribed).toHaveBeenCalledTimes(1);
    expect(writer.clientAborted).toBe(true);
    expect(source.observed).toBe(false);
  });

  it('does not subscribe at all when the caller has left already', async () => {
    res.hangUp();
    let subscribed = false;
    await reply$(
      new Observable<string>(() => {
        subscribed = true;
      }),
    );
    expect(subscribed).toBe(false);
  });
});

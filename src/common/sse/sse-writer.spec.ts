import { EventEmitter } from 'node:events';
import {
  createServer,
  get,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { SseParser } from './sse-parser';
import { HeartbeatWheel } from './heartbeat-wheel';
import { SseResponseWriter } from './sse-writer';

interface Received {
  status: number | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('SseResponseWriter', () => {
  let server: Server;
  let port: number;
  let handle: (res: ServerResponse) => void;

  beforeAll(async () => {
    server = createServer((_req, res) => handle(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** Serves one request with `serve` and reads the whole answer. */
  function fetchWith(serve: (res: ServerResponse) => void): Promise<Received> {
    handle = serve;
    return new Promise((resolve, reject) => {
      get({ host: '127.0.0.1', port, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (text: string) => (body += text));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
      }).on('error', reject);
    });
  }

  describe('framing', () => {
    it('opens with the SSE headers over the caller’s, then writes data, comment and [DONE]', async () => {
      const { status, headers, body } = await fetchWith((res) => {
        const writer = new SseResponseWriter(res, { heartbeatMs: 0 });
        writer.open({
          'X-Request-Id': 'req-1',
          'Content-Type': 'application/json',
          'content-length': 5,
          'set-cookie': ['a=1', 'b=2'],
        });
        writer.open({ 'x-ignored': 'second open is a no-op' });
        expect(writer.opened).toBe(true);
        writer.writeData('{"a":"héllo 🌍"}');
        writer.writeComment('hi');
        writer.writeDone();
        writer.end();
        expect(writer.closed).toBe(true);
      });
      expect(status).toBe(200);
      expect(headers).toMatchObject({
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': 'req-1',
        'set-cookie': ['a=1', 'b=2'],
      });
      expect(headers['content-length']).toBeUndefined();
      expect(headers['x-ignored']).toBeUndefined();
      expect(body).toBe('data: {"a":"héllo 🌍"}\n\n: hi\n\ndata: [DONE]\n\n');
    });

    it('opens with only the SSE headers on the first write', async () => {
      const { status, headers, body } = await fetchWith((res) => {
        const writer = new SseResponseWriter(res, { heartbeatMs: 0 });
        expect(writer.opened).toBe(false);
        writer.writeData('{}');
        writer.end();
      });
      expect(status).toBe(200);
      expect(headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(body).toBe('data: {}\n\n');
    });

    it('writes the error envelope in-band', async () => {
      const envelope = {
        error: {
          message: 'Upstream failed',
          type: 'api_error',
          param: null,
          code: 'upstream_error',
        },
      };
      const { body } = await fetchWith((res) => {
        const writer = new SseResponseWriter(res, { heartbeatMs: 0 });
        writer.writeData('{"n":1}');
        writer.writeError(envelope);
        writer.end();
      });
      expect(body).toBe(`data: {"n":1}\n\ndata: ${JSON.stringify(envelope)}\n\n`);
    });

    it('keeps line breaks inside data and comments from breaking the framing', async () => {
      const { body } = await fetchWith((res) => {
        const writer = new SseResponseWriter(res, { heartbeatMs: 0 });
        writer.writeComment('two\nlines');
        writer.writeData('{\n"a":\r\n1}');
        writer.end();
      });
      expect(body).toBe(': two\n: lines\n\ndata: {\ndata: "a":\ndata: 1}\n\n');
      const events: string[] = [];
      const parser = new SseParser((data) => events.push(data));
      parser.feed(Buffer.from(body));
      expect(events.map((data) => JSON.parse(data))).toEqual([{ a: 1 }]);
    });

    it('writes a named event: its event line, then its data', async () => {
      const { body } = await fetchWith((res) => {
        const writer = new SseResponseWriter(res, { heartbeatMs: 0 });
        writer.writeEvent('message_start', '{"a":\n1}');
        writer.end();
      });
      expect(body).toBe('event: message_start\ndata: {"a":\ndata: 1}\n\n');
    });

    it('ignores writes after end(), silently', async () => {
      const { body } = await fetchWith((res) => {
        const writer = new SseResponseWriter(res, { heartbeatMs: 0 });
        writer.writeData('{}');
        writer.end();
        expect(() => {
          writer.writeData('{"late":1}');
          writer.writeComment('late');
          writer.writeDone();
          writer.writeError({ error: {} });
          writer.open({});
          writer.end();
        }).not.toThrow();
      });
      expect(body).toBe('data: {}\n\n');
    });

    it('sends a valid empty stream when ended before any write', async () => {
      const { headers, body } = await fetchWith((res) =>
        new SseResponseWriter(res, { heartbeatMs: 0 }).end(),
      );
      expect(headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(body).toBe('');
    });
  });

  describe('socket writes', () => {
    /** Counts what reaches the response's socket: each one a write(2) or writev(2). */
    function countSocketWrites(res: ServerResponse): { count: number } {
      const socket = res.socket as unknown as { _writeGeneric(...args: unknown[]): unknown };
      const counter = { count: 0 };
      const writeGeneric = socket._writeGeneric;
      socket._writeGeneric = function (this: unknown, ...args: unknown[]) {
        counter.count++;
        return writeGeneric.apply(this, args);
      };
      return counter;
    }

    const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

    it('sends the status line and headers with the first frame, in one write', async () => {
      let writes: number[] = [];
      const { body } = await fetchWith((res) => {
        const counter = countSocketWrites(res);
        const writer = new SseResponseWriter(res, { heartbeatMs: 0 });
        writer.open({ 'x-request-id': 'r1' });
        writer.writeData('{"n":1}');
        void nextTurn().then(() => {
          writes = [counter.count];
          writer.end();
        });
      });
      expect(writes).toEqual([1]);
      expect(body).toBe('data: {"n":1}\n\n');
    });

    it('sends the frames of one tick (one upstream read) in one write', async () => {
      const writes: number[] = [];
      const { body } = await fetchWith((res) => {
        const counter = countSocketWrites(res);
        const writer = new SseResponseWriter(res, { heartbeatMs: 0 });
        for (const n of [1, 2, 3]) writer.writeData(`{"n":${n}}`);
        void nextTurn()
          .then(() => {
            writes.push(counter.count);
            writer.writeData('{"n":4}');
            writer.writeData('{"n":5}');
            return nextTurn();
          })
          .then(() => {
            writes.push(counter.count);
            writer.end();
          });
      });
      expect(writes).toEqual([1, 2]);
      expect(body).toBe([1, 2, 3, 4, 5].map((n) => `data: {"n":${n}}\n\n`).join(''));
    });

    it('sends the headers on their own at the end of the tick when no frame follows', async () => {
      let writer: SseResponseWriter | undefined;
      handle = (res) => {
        writer = new SseResponseWriter(res, { heartbeatMs: 0 });
        writer.open({ 'x-request-id': 'r2' });
      };
      const received = await new Promise<Received>((resolve, reject) => {
        get({ host: '127.0.0.1', port, agent: false }, (res) => {
          // The head arrived with nothing written after it.
          expect(res.headers['x-request-id']).toBe('r2');
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (text: string) => (body += text));
          res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
          writer!.writeData('{}');
          writer!.end();
        }).on('error', reject);
      });
      expect(received.status).toBe(200);
      expect(received.body).toBe('data: {}\n\n');
    });
  });

  describe('heartbeat on a real socket', () => {
    it('writes `: ping` comments while the stream is silent', async () => {
      const { body } = await fetchWith((res) => {
        const writer = new SseResponseWriter(res, { heartbeatMs: 20 });
        writer.open({});
        writer.writeData('{"n":1}');
        setTimeout(() => {
          writer.writeDone();
          writer.end();
        }, 300);
      });
      expect(body.startsWith('data: {"n":1}\n\n: ping\n\n: ping\n\n')).toBe(true);
      expect(body.endsWith('data: [DONE]\n\n')).toBe(true);
    });
  });

  describe('backpressure on a real socket', () => {
    /** A client that sends a request and does not read the answer until told to. */
    function stalledClient(): { resume(): void; destroy(): void } {
      const socket = connect(port, '127.0.0.1');
      socket.pause();
      socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
      return { resume: () => socket.resume(), destroy: () => socket.destroy() };
    }

    /** Writes 64 KiB frames until the socket stays full for 200 ms. */
    async function fillUntilStalled(writer: SseResponseWriter): Promise<void> {
      const frame = JSON.stringify({ pad: 'x'.repeat(64 * 1024) });
      for (let written = 0; written < 512 * 1024 * 1024; written += frame.length) {
        writer.writeData(frame);
        if (writer.gate.open) continue;
        const stalled = await Promise.race([
          writer.gate.wait().then(() => false),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 200)),
        ]);
        if (stalled) return;
      }
      throw new Error('the socket never stalled');
    }

    function serveOne(): Promise<SseResponseWriter> {
      return new Promise((resolve) => {
        handle = (res) => {
          const writer = new SseResponseWriter(res, { heartbeatMs: 0 });
          writer.open({});
          resolve(writer);
        };
      });
    }

    it('closes the gate when the client stops reading, and reopens it on drain', async () => {
      const served = serveOne();
      const client = stalledClient();
      const writer = await served;
      await fillUntilStalled(writer);
      expect(writer.gate.open).toBe(false);

      const reopened = writer.gate.wait();
      expect(writer.gate.wait()).toBe(reopened);
      client.resume();
      await reopened;
      expect(writer.gate.open).toBe(true);
      expect(writer.closed).toBe(false);

      writer.end();
      client.destroy();
    });

    it('reopens the gate for good when the client goes away while backpressured', async () => {
      const served = serveOne();
      const client = stalledClient();
      const writer = await served;
      const closed = new Promise<boolean>((resolve) => writer.onClose(resolve));
      await fillUntilStalled(writer);
      const reopened = writer.gate.wait();

      client.destroy();
      await reopened;
      expect(await closed).toBe(true);
      expect(writer.gate.open).toBe(true);
      expect(writer.closed).toBe(true);
      expect(writer.clientAborted).toBe(true);
      expect(() => writer.writeData('{"late":1}')).not.toThrow();
      expect(writer.gate.open).toBe(true);
    });
  });
});

/** The parts of a ServerResponse the writer touches, recording what is written. */
class FakeResponse extends EventEmitter {
  frames: string[] = [];
  headersSent = false;
  destroyed = false;
  closed = false;
  writableEnded = false;
  writableFinished = false;
  writeReturns = true;

  writeHead(): this {
    this.headersSent = true;
    return this;
  }
  flushHeaders(): void {}
  write(frame: string): boolean {
    this.frames.push(frame);
    return this.writeReturns;
  }
  end(frame?: string): void {
    if (frame !== undefined) this.frames.push(frame);
    this.writableEnded = this.writableFinished = true;
  }
  hangUp(): void {
    this.destroyed = this.closed = true;
    this.emit('close');
  }
}

describe('SseResponseWriter heartbeat (fake timers)', () => {
  let res: FakeResponse;
  let wheel: HeartbeatWheel;

  function writer(heartbeatMs: number, on: FakeResponse = res): SseResponseWriter {
    return new SseResponseWriter(on as unknown as ServerResponse, {
      heartbeatMs,
      heartbeatWheel: heartbeatMs > 0 ? wheel : undefined,
    });
  }

  const pings = (on: FakeResponse = res): number =>
    on.frames.filter((frame) => frame === ': ping\n\n').length;

  beforeEach(() => {
    jest.useFakeTimers();
    res = new FakeResponse();
    wheel = new HeartbeatWheel(1000);
  });

  afterEach(() => jest.useRealTimers());

  it('pings only after heartbeatMs of silence, every write starting the count anew', () => {
    const sse = writer(1000);
    sse.open({});
    for (let i = 0; i < 10; i++) {
      jest.advanceTimersByTime(900);
      sse.writeData('{}');
    }
    expect(pings()).toBe(0);
    jest.advanceTimersByTime(999);
    expect(pings()).toBe(0);
    jest.advanceTimersByTime(1);
    expect(pings()).toBe(1);
    jest.advanceTimersByTime(1000);
    expect(pings()).toBe(2);
  });

  it('counts the silence from a tick’s first frame: the frames joined to it touch nothing', () => {
    const sse = writer(1000);
    sse.open({});
    jest.runAllTicks();
    const touch = jest.spyOn(wheel, 'touch');
    for (let i = 0; i < 5; i++) sse.writeData(`{"n":${i}}`);
    expect(touch).toHaveBeenCalledTimes(1);
    jest.runAllTicks();
    sse.writeData('{}');
    expect(touch).toHaveBeenCalledTimes(2);
    sse.end();
    jest.runAllTicks();
  });

  it('times every stream with one timer, each after its own silence', () => {
    const others = [new FakeResponse(), new FakeResponse()];
    const first = writer(1000);
    first.open({});
    jest.advanceTimersByTime(300);
    const writers = others.map((on) => {
      const sse = writer(1000, on);
      sse.open({});
      return sse;
    });
    jest.runAllTicks(); // the headers' end-of-tick flush
    expect(jest.getTimerCount()).toBe(1);
    expect(wheel.size).toBe(3);
    jest.advanceTimersByTime(700);
    expect([pings(), pings(others[0]), pings(others[1])]).toEqual([1, 0, 0]);
    writers[1].writeData('{}');
    jest.advanceTimersByTime(300);
    expect([pings(), pings(others[0]), pings(others[1])]).toEqual([1, 1, 0]);
    jest.advanceTimersByTime(699);
    expect([pings(), pings(others[0]), pings(others[1])]).toEqual([1, 1, 0]);
    jest.advanceTimersByTime(1);
    expect([pings(), pings(others[0]), pings(others[1])]).toEqual([2, 1, 1]);
    expect(jest.getTimerCount()).toBe(1);
    for (const sse of [first, ...writers]) sse.end();
    jest.runAllTicks();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('does not ping before open() unless an owner is attached', () => {
    writer(1000);
    jest.advanceTimersByTime(5000);
    expect(res.frames).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('pings after open() with nothing written (a slow first token)', () => {
    writer(1000).open({});
    jest.advanceTimersByTime(1000);
    expect(res.frames).toEqual([': ping\n\n']);
  });

  it('asks its owner to open the response when the heartbeat falls due first', () => {
    const sse = writer(1000);
    const owner = {
      openForHeartbeat: jest.fn(() => sse.open({ 'x-request-id': 'r1' })),
      responseClosed: jest.fn(),
    };
    sse.attach(owner);
    jest.advanceTimersByTime(999);
    expect(owner.openForHeartbeat).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(owner.openForHeartbeat).toHaveBeenCalledTimes(1);
    expect(sse.opened).toBe(true);
    expect(res.frames).toEqual([': ping\n\n']);
    jest.advanceTimersByTime(1000);
    expect(pings()).toBe(2);
    expect(owner.openForHeartbeat).toHaveBeenCalledTimes(1);
    res.hangUp();
    expect(owner.responseClosed).toHaveBeenCalledWith(true);
  });

  it('stops the heartbeat before open() when its owner detaches', () => {
    const sse = writer(1000);
    const owner = { openForHeartbeat: jest.fn(), responseClosed: jest.fn() };
    sse.attach(owner);
    sse.detach();
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(5000);
    expect(owner.openForHeartbeat).not.toHaveBeenCalled();
    res.hangUp();
    expect(owner.responseClosed).not.toHaveBeenCalled();
  });

  it('does not ping while the socket is backpressured', () => {
    const sse = writer(1000);
    res.writeReturns = false;
    sse.writeData('{}');
    expect(sse.gate.open).toBe(false);
    jest.advanceTimersByTime(5000);
    expect(pings()).toBe(0);
    res.writeReturns = true;
    res.emit('drain');
    expect(sse.gate.open).toBe(true);
    jest.advanceTimersByTime(1000);
    expect(pings()).toBe(1);
  });

  it('listens for drain only once backpressured', () => {
    const sse = writer(1000);
    sse.writeData('{}');
    expect(res.listenerCount('drain')).toBe(0);
    res.writeReturns = false;
    sse.writeData('{}');
    sse.writeData('{}');
    // Written once, joined, at the end of the tick.
    jest.runAllTicks();
    expect(res.listenerCount('drain')).toBe(1);
  });

  it('writes the first frame of a tick at once and joins the rest into one write at its end', () => {
    const sse = writer(0);
    sse.writeData('{"n":1}');
    sse.writeData('{"n":2}');
    sse.writeData('{"n":3}');
    expect(res.frames).toEqual(['data: {"n":1}\n\n']);
    jest.runAllTicks();
    expect(res.frames).toEqual(['data: {"n":1}\n\n', 'data: {"n":2}\n\ndata: {"n":3}\n\n']);
    sse.writeData('{"n":4}');
    expect(res.frames).toHaveLength(3);
    sse.writeDone();
    sse.end();
    expect(res.frames.slice(3)).toEqual(['data: [DONE]\n\n']);
  });

  it('writes joined frames at once when they grow large, so the gate still closes in time', () => {
    const sse = writer(0);
    const big = JSON.stringify({ pad: 'x'.repeat(20 * 1024) });
    sse.writeData('{}');
    res.writeReturns = false;
    sse.writeData(big);
    expect(res.frames).toHaveLength(2);
    expect(sse.gate.open).toBe(false);
  });

  it('drops joined frames when the client leaves before the tick ends', () => {
    const sse = writer(0);
    sse.writeData('{"n":1}');
    sse.writeData('{"n":2}');
    res.hangUp();
    jest.runAllTicks();
    expect(res.frames).toEqual(['data: {"n":1}\n\n']);
  });

  it('stops on end()', () => {
    const sse = writer(1000);
    sse.open({});
    sse.end();
    jest.runAllTicks();
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(5000);
    expect(pings()).toBe(0);
  });

  it('stops when the client goes away', () => {
    const sse = writer(1000);
    sse.open({});
    res.hangUp();
    jest.runAllTicks();
    expect(sse.closed).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
    expect(wheel.size).toBe(0);
  });

  it('is off with heartbeatMs 0', () => {
    const sse = writer(0);
    sse.attach({ openForHeartbeat: jest.fn(), responseClosed: jest.fn() });
    sse.open({});
    jest.runAllTicks();
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('SseResponseWriter on a response already gone', () => {
  it('is closed from the start and calls onClose listeners at once', () => {
    const res = new FakeResponse();
    res.destroyed = res.closed = true;
    const sse = new SseResponseWriter(res as unknown as ServerResponse, { heartbeatMs: 1000 });
    expect(sse.closed).toBe(true);
    expect(sse.clientAborted).toBe(true);
    const listener = jest.fn();
    sse.onClose(listener);
    expect(listener).toHaveBeenCalledWith(true);
    sse.writeData('{}');
    expect(res.frames).toEqual([]);
  });
});

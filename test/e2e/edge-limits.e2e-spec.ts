import { connect, type Socket } from 'node:net';
import {
  authHeaders,
  chat,
  expectErrorEnvelope,
  readSse,
  startStack,
  withSim,
  type Stack,
} from './harness';

/*
 * Issue 13, findings 2, 3 and 11: the edge of the gateway, over raw sockets. A request's headers
 * and body must arrive within `server.body_timeout_ms` (streams are not bounded by it), open
 * connections are capped, a keyless body is refused before it is read, and Fastify's own client
 * errors leave as the OpenAI envelope.
 */

const BODY_TIMEOUT_MS = 1_500;
const MAX_CONNECTIONS = 12;

interface RawAnswer {
  /** Everything the server wrote before it closed the socket (or `timeoutMs` passed). */
  text: string;
  closed: boolean;
  /** When the socket closed, after it opened. */
  elapsedMs: number;
}

function open(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Collects what arrives on `socket` until it closes or `timeoutMs` passes. */
function collect(socket: Socket, timeoutMs: number): Promise<RawAnswer> {
  const started = Date.now();
  return new Promise((resolve) => {
    let text = '';
    const done = (closed: boolean) => {
      clearTimeout(timer);
      resolve({ text, closed, elapsedMs: Date.now() - started });
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.once('close', () => done(true));
  });
}

/** The JSON body of a raw HTTP/1.1 answer. */
function bodyOf(text: string): unknown {
  return JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as unknown;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the edge: slow bodies, connection cap, early authentication, client errors', () => {
  let stack: Stack;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    stack = await startStack({
      env: {
        BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS),
        MAX_CLIENT_CONNECTIONS: String(MAX_CONNECTIONS),
      },
      instant: { behavior: { tokens: 3 } },
    });
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.destroy();
  });
  afterAll(async () => {
    await stack.close();
  });

  async function raw(): Promise<Socket> {
    const socket = await open(stack.url);
    sockets.push(socket);
    return socket;
  }

  function headersOf(length: number, key = true): string {
    return (
      'POST /v1/chat/completions HTTP/1.1\r\nhost: gateway\r\ncontent-type: application/json\r\n' +
      (key ? `authorization: ${authHeaders().authorization}\r\n` : '') +
      `content-length: ${length}\r\n\r\n`
    );
  }

  it.each([
    ['one byte every 5 s', 5_000],
    ['one byte every 300 ms', 300],
  ])(
    'cuts a keyed request whose body trickles in (%s) with 408 and closes it',
    async (_name, every) => {
      const socket = await raw();
      const answer = collect(socket, BODY_TIMEOUT_MS * 4 + 2_000);
      socket.write(headersOf(1_000));
      const trickle = setInterval(() => socket.writable && socket.write('{'), every);
      socket.write('{');
      try {
        const { text, closed, elapsedMs } = await answer;
        expect(closed).toBe(true);
        expect(text).toMatch(/^HTTP\/1\.1 408 /);
        expectErrorEnvelope(bodyOf(text), 'invalid_request_error', 'request_timeout');
        expect(elapsedMs).toBeGreaterThanOrEqual(BODY_TIMEOUT_MS - 100);
        expect(elapsedMs).toBeLessThan(BODY_TIMEOUT_MS * 3);
      } finally {
        clearInterval(trickle);
      }
    },
    15_000,
  );

  it('cuts a connection that sends part of its headers and then nothing', async () => {
    const socket = await raw();
    const answer = collect(socket, BODY_TIMEOUT_MS * 4 + 2_000);
    socket.write('POST /v1/chat/completions HTTP/1.1\r\nhost: gateway\r\n');
    const { closed, elapsedMs } = await answer;
    expect(closed).toBe(true);
    expect(elapsedMs).toBeLessThan(BODY_TIMEOUT_MS * 3);
  }, 15_000);

  it('does not bound a response stream by the body timeout', async () => {
    const res = await fetch(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      headers: authHeaders(),
      body: JSON.stringify(
        withSim(chat('slow stream', { model: 'instant', stream: true }), {
          tokens: 8,
          tokenIntervalMs: 500,
        }),
      ),
    });
    const started = Date.now();
    const { data } = await readSse(res);
    expect(Date.now() - started).toBeGreaterThan(BODY_TIMEOUT_MS * 2);
    expect(data[data.length - 1]).toBe('[DONE]');
  }, 20_000);

  it('keeps at most server.max_connections open; more are closed at once, a freed slot serves', async () => {
    // Other tests' keep-alive sockets may still count, so: at least the surplus is refused.
    const surplus = 3;
    const all = await Promise.all(Array.from({ length: MAX_CONNECTIONS + surplus }, () => raw()));
    const closedAtOnce = all.map((socket) => collect(socket, 400));
    const answers = await Promise.all(closedAtOnce);
    const refused = answers.filter((a) => a.closed && a.text === '');
    const kept = all.filter((_socket, index) => !answers[index].closed);
    expect(refused.length).toBeGreaterThanOrEqual(surplus);
    expect(kept.length).toBeLessThanOrEqual(MAX_CONNECTIONS);
    // A kept connection is a live one.
    const live = collect(kept[0], 2_000);
    kept[0].write('GET /health/live HTTP/1.1\r\nhost: gateway\r\n\r\n');
    expect((await live).text).toMatch(/^HTTP\/1\.1 200 /);
    all.forEach((socket) => socket.destroy());
    await sleep(200);
    expect((await fetch(`${stack.url}/health/live`)).status).toBe(200);
  }, 15_000);

  it('refuses a keyless body from its headers: 401 before any byte of the body is sent', async () => {
    const socket = await raw();
    const answer = collect(socket, 5_000);
    socket.write(headersOf(10 * 1024 * 1024, false));
    const { text, closed } = await answer;
    expect(text).toMatch(/^HTTP\/1\.1 401 /);
    expect(text.toLowerCase()).toContain('connection: close');
    expectErrorEnvelope(bodyOf(text), 'invalid_request_error', 'invalid_api_key');
    expect(closed).toBe(true);
  });

  it('still answers 401 (not 404) to a keyless body on an unknown route, and public GETs stay open', async () => {
    const res = await fetch(`${stack.url}/v1/nope`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(401);
    expect((await fetch(`${stack.url}/health/live`)).status).toBe(200);
    const keyless = await fetch(`${stack.url}/v1/models`);
    expect(keyless.status).toBe(401);
    expectErrorEnvelope(await keyless.json(), 'invalid_request_error', 'invalid_api_key');
  });

  it.each<[string, string, number, string]>([
    [
      'headers beyond Node’s limit',
      `GET /v1/models HTTP/1.1\r\nhost: gateway\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
      'request_header_fields_too_large',
    ],
    ['a malformed request line', 'NOT HTTP AT ALL\r\n\r\n', 400, 'invalid_value'],
    [
      'a malformed header',
      'GET /v1/models HTTP/1.1\r\nhost: gateway\r\nbad header: x\r\n\r\n',
      400,
      'invalid_value',
    ],
    [
      'a bad content-length',
      'POST /v1/chat/completions HTTP/1.1\r\nhost: gateway\r\ncontent-length: abc\r\n\r\n',
      400,
      'invalid_value',
    ],
  ])('answers %s with the OpenAI envelope', async (_name, request, status, code) => {
    const socket = await raw();
    const answer = collect(socket, 5_000);
    socket.write(request);
    const { text } = await answer;
    expect(text).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(text).toContain('x-content-type-options: nosniff');
    expectErrorEnvelope(bodyOf(text), 'invalid_request_error', code);
  });
});

describe('large bodies: refused before they are read or parsed (issue 13, finding 3)', () => {
  let stack: Stack;
  /** Just under the default 10 MiB body limit: `[{},{},…]`, millions of objects. */
  const flood = `[${'{},'.repeat(Math.floor((10 * 1024 * 1024 - 100) / 3))}{}]`;

  beforeAll(async () => {
    stack = await startStack({ instant: { behavior: { tokens: 3 } } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('answers a keyed 10 MiB body of empty objects with 400, without parsing it', async () => {
    const started = Date.now();
    const res = await fetch(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      headers: authHeaders(),
      body: `{"messages":[{"role":"user","content":"x"}],"x":${flood}}`,
    });
    const body: unknown = await res.json();
    expect(res.status).toBe(400);
    expectErrorEnvelope(body, 'invalid_request_error', 'invalid_value');
    expect((body as { error: { message: string } }).error.message).toMatch(
      /more than 100000 objects and arrays/,
    );
    console.log(`a keyed 10 MiB body of {}: refused in ${Date.now() - started} ms`);
  }, 30_000);

  it("keeps other callers' p50 under 200 ms while three keyless clients flood 10 MiB bodies", async () => {
    const { hostname, port } = new URL(stack.url);
    const head =
      'POST /v1/chat/completions HTTP/1.1\r\nhost: gateway\r\ncontent-type: application/json\r\n' +
      `content-length: ${Buffer.byteLength(flood)}\r\n\r\n`;
    let stopped = false;
    let sent = 0;
    const flooder = async (): Promise<void> => {
      while (!stopped) {
        await new Promise<void>((resolve) => {
          const socket = connect(Number(port), hostname, () => {
            sent++;
            socket.write(head);
            socket.write(flood);
          });
          socket.on('error', () => undefined);
          // The answer (whatever it is) ends this body; the next one follows on a new socket.
          socket.once('data', () => socket.destroy());
          socket.once('close', () => resolve());
        });
      }
    };
    const flooders = [flooder(), flooder(), flooder()];
    await sleep(300);
    const latencies: number[] = [];
    for (let i = 0; i < 25; i++) {
      const started = Date.now();
      const res = await fetch(`${stack.url}/v1/chat/completions`, {
        method: 'POST',
        headers: authHeaders(),
        body: JSON.stringify(chat('hello', { model: 'instant' })),
      });
      await res.text();
      expect(res.status).toBe(200);
      latencies.push(Date.now() - started);
    }
    stopped = true;
    await Promise.all(flooders);
    latencies.sort((a, b) => a - b);
    const p50 = latencies[Math.floor(latencies.length / 2)];
    console.log(
      `keyless 10 MiB floods (3 clients, ${sent} bodies): p50 ${p50} ms, max ${latencies[latencies.length - 1]} ms`,
    );
    expect(sent).toBeGreaterThanOrEqual(3);
    expect(p50).toBeLessThan(200);
  }, 120_000);
});

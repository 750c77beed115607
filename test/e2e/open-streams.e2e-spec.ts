import * as http from 'node:http';
import { startSimulator, type RunningSimulator } from '../simulator';
import { ensureBuilt, startBuiltGateway, type GatewayProcess } from '../support/built-gateway';
import { authHeaders, chat, TEST_KEY } from './harness';

/*
 * Issue 12, "defaults that fit model servers": on the default configuration (no pool keys but
 * the upstream list), 1,000 concurrent streams to one replica all open, and every upstream
 * request is aborted when its caller leaves. A model server admits and queues requests itself;
 * a per-replica cap in the gateway (the old `max_connections: 64`) turned its queue into 503s.
 * The gateway runs as its own process (`node dist/main.js`), as in production; callers and the
 * replica share this one.
 */

const STREAMS = 1_000;
const FIRST_BYTE_WITHIN_MS = 10_000;

interface Caller {
  req: http.ClientRequest;
  status?: number;
  firstByteMs?: number;
}

function open(url: URL, agent: http.Agent, body: string, started: number): Caller {
  const req = http.request({
    host: url.hostname,
    port: url.port,
    method: 'POST',
    path: '/v1/chat/completions',
    agent,
    headers: { ...authHeaders(), 'content-length': Buffer.byteLength(body) },
  });
  const caller: Caller = { req };
  // Destroying the socket is how a caller leaves; its errors are expected then.
  req.on('error', () => undefined);
  req.on('response', (res) => {
    caller.status = res.statusCode;
    res.on('error', () => undefined);
    res.once('data', () => (caller.firstByteMs = Date.now() - started));
  });
  req.end(body);
  return caller;
}

async function until(what: string, predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('open streams on the default configuration (issue 12)', () => {
  let sim: RunningSimulator | undefined;
  let gateway: GatewayProcess | undefined;
  const agent = new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });

  beforeAll(() => ensureBuilt(), 180_000);
  afterAll(async () => {
    agent.destroy();
    gateway?.child.kill('SIGKILL');
    await sim?.close();
  });

  it(`${STREAMS} concurrent streams to one replica all open, and all are aborted upstream when their callers leave`, async () => {
    // An endless, slow answer: every stream stays open until its caller leaves.
    sim = await startSimulator({
      model: 'sim-instant',
      behavior: { tokens: 100_000, tokenIntervalMs: 1_000, ttftMs: 0 },
    });
    gateway = await startBuiltGateway(
      {
        pools: { instant: { upstreams: [{ url: sim.url }] } },
        tiers: { instant: { pool: 'instant', model: sim.model } },
      },
      { GATEWAY_API_KEYS: TEST_KEY },
      15_000,
    );
    const url = new URL(gateway.url);
    const body = JSON.stringify(chat('hi', { model: 'instant', stream: true }));
    const started = Date.now();
    const callers: Caller[] = [];
    for (let i = 0; i < STREAMS; i++) {
      callers.push(open(url, agent, body, started));
      // Let the event loop breathe so the listen backlog is not flooded in one burst.
      if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
    }
    try {
      await until(
        'every stream to have its first byte',
        () =>
          callers.every((c) => c.firstByteMs !== undefined) ||
          callers.some((c) => c.status !== undefined && c.status !== 200),
        FIRST_BYTE_WITHIN_MS + 5_000,
      );
      expect(callers.filter((c) => c.status !== 200).map((c) => c.status)).toEqual([]);
      const slowest = Math.max(...callers.map((c) => c.firstByteMs ?? Number.POSITIVE_INFINITY));
      expect(slowest).toBeLessThan(FIRST_BYTE_WITHIN_MS);
      expect(sim.stats().inFlight).toBe(STREAMS);
    } finally {
      for (const caller of callers) caller.req.destroy();
    }
    await sim.waitFor((s) => s.aborted >= STREAMS, 15_000);
    expect(sim.stats()).toMatchObject({ received: STREAMS, aborted: STREAMS, inFlight: 0 });
  }, 60_000);
});

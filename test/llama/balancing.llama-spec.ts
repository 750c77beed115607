import { describeLlama, LlamaServer, sleep, stopAll } from './llama-server';
import { chat, getJson, headers, pool, startGateway, type LlamaGateway } from './gateway';

/** Waits until `check` holds, polling every 50 ms. */
async function until(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/**
 * Keeps `count` long generations running straight at `server` (not through the gateway): each
 * one that ends is replaced, until `stop` resolves them all.
 */
function saturate(server: LlamaServer, count: number): { stop: () => Promise<void> } {
  const controller = new AbortController();
  const loop = async (i: number): Promise<void> => {
    while (!controller.signal.aborted) {
      await fetch(`${server.v1}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(chat(`Busy ${i}`, { model: 'tiny', max_tokens: 1900 })),
        signal: controller.signal,
      })
        .then((r) => r.text())
        .catch(() => undefined);
    }
  };
  const loops = Array.from({ length: count }, (_, i) => loop(i));
  return {
    async stop() {
      controller.abort();
      await Promise.all(loops);
    },
  };
}

/** The sum over a pool's replicas of one of the gateway's own gauges. */
async function gatewayGauge(url: string, name: string, pool: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && line.includes(`pool="${pool}"`))
    .reduce((sum, line) => sum + Number(line.split(/\s+/).pop()), 0);
}

describeLlama('against llama-server: load-aware balancing and default capacity', () => {
  let a: LlamaServer;
  let b: LlamaServer;
  let gateway: LlamaGateway | undefined;

  beforeAll(async () => {
    [a, b] = await Promise.all([
      LlamaServer.start({ alias: 'tiny' }),
      LlamaServer.start({ alias: 'tiny' }),
    ]);
  }, 60_000);

  afterEach(async () => {
    await gateway?.stop();
    gateway = undefined;
  });

  afterAll(() => stopAll([a, b]));

  // Defect 4: load-aware balancing read only vLLM and TGI metric names; against llama.cpp it
  // silently acted as least-outstanding (10 of 20 requests went to a replica with 4 running
  // and 6 deferred). Required: ≥ 80 % of 20 sequential requests go to the idle replica.
  it('sends ≥ 80 % of 20 sequential requests to the idle replica when the other is saturated directly', async () => {
    const started = await startGateway({
      pools: {
        instant: pool([a, b], {
          balancing: 'load-aware',
          load_aware: { scrape_interval_ms: 250 },
        }),
      },
      tiers: { instant: { pool: 'instant', model: 'tiny' } },
    });
    gateway = started;
    // Load-aware takes effect once every replica's gauges have been scraped.
    await until('load-aware balancing to take effect', async () => {
      const health = await getJson(`${started.url}/health`);
      return health.body.details['pool:instant'].balancing.effective === 'load-aware';
    });
    const health = await getJson(`${gateway.url}/health`);
    expect(health.body.details['pool:instant'].balancing).toEqual({
      configured: 'load-aware',
      effective: 'load-aware',
    });

    const busy = saturate(a, 10);
    try {
      // Saturated: every slot busy and requests queued behind them (llama.cpp updates these
      // gauges as its tasks move, which a loaded machine slows down: hence the generous wait).
      await until(
        'replica a to run 4 and defer the rest',
        async () => {
          const [running, deferred] = await Promise.all([
            a.metric('llamacpp:requests_processing'),
            a.metric('llamacpp:requests_deferred'),
          ]);
          return running === 4 && deferred >= 1;
        },
        45_000,
      );
      await sleep(750); // three scrapes

      const idleBefore = await b.metric('llamacpp:tokens_predicted_total');
      for (let i = 0; i < 20; i++) {
        // A request stuck behind a’s queue counts as sent to a; 2 s is 50 times the idle time.
        await fetch(`${gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: headers(),
          body: JSON.stringify(chat(`Hello ${i}`, { max_tokens: 4 })),
          signal: AbortSignal.timeout(2_000),
        })
          .then((r) => r.text())
          .catch(() => undefined);
      }
      // Each request to b made exactly 4 tokens.
      const toIdle = ((await b.metric('llamacpp:tokens_predicted_total')) - idleBefore) / 4;
      expect(toIdle).toBeGreaterThanOrEqual(16);
    } finally {
      await busy.stop();
    }
  }, 120_000);

  // Defect 10: max_connections 64 per upstream capped each replica at 64 open streams on the
  // default configuration: beyond it requests queued in the gateway and were shed with 503
  // `overloaded` after queue_ms (5 s), although llama.cpp queues requests itself. Required: no
  // per-replica cap below what the server admits unless configured, and every upstream request
  // aborted when its caller leaves.
  it('on the default configuration, 100 concurrent streams to one replica are all sent upstream; all aborted when their callers leave', async () => {
    gateway = await startGateway({
      pools: { instant: pool([b]) },
      tiers: { instant: { pool: 'instant', model: 'tiny' } },
    });
    const url = gateway.url;
    const callers = new AbortController();
    // A stream the tiny model ends early (its end-of-text token) was sent upstream too: counted
    // here, since it has left the in-flight gauge (CI once read 96 in flight with 4 finished).
    let finished = 0;
    const streams = Array.from({ length: 100 }, (_, i) =>
      fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: headers(),
        body: JSON.stringify(chat(`Stream ${i}`, { max_tokens: 1900, stream: true })),
        signal: callers.signal,
      })
        .then(async (r) => {
          await r.text();
          if (r.status === 200) finished++;
          return r.status;
        })
        .catch(() => 0),
    );
    try {
      // Dispatch, not generation, is what is measured: llama.cpp runs 4 and queues the rest.
      // In flight plus finished can only lag the truth (a stream leaves the gauge before its
      // caller reads the end), so the wait retries until it reads 100.
      let sent = 0;
      await until(
        'all 100 streams sent towards the replica',
        async () =>
          (sent =
            (await gatewayGauge(url, 'tiergate_upstream_in_flight', 'instant')) + finished) === 100,
        10_000,
      ).catch(() => undefined);
      const queued = await gatewayGauge(url, 'tiergate_upstream_queue_depth', 'instant');
      expect({ sent, queued }).toEqual({ sent: 100, queued: 0 });
    } finally {
      callers.abort();
      await Promise.all(streams);
    }
    // Every upstream request ends with its caller: nothing left in flight, llama.cpp idle.
    await until(
      'nothing in flight',
      async () => (await gatewayGauge(url, 'tiergate_upstream_in_flight', 'instant')) === 0,
    );
    await until(
      'llama-server to be idle',
      async () =>
        (await b.metric('llamacpp:requests_processing')) === 0 &&
        (await b.metric('llamacpp:requests_deferred')) === 0,
      30_000,
    );
  }, 180_000);
});

import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../simulator';
import { expectErrorEnvelope, postJson, startYamlGateway, type YamlGateway } from './harness';

/*
 * Issue 12 §2, §6, §7 and issue 13 §7 against llama.cpp-flavoured simulators over real sockets:
 * request faults (llama-server's 500s for invalid input) never punish a replica or move another
 * caller's traffic; a dead replica is left at once; context overflow keeps its meaning; an
 * upstream that echoes its credentials does not hand them to the caller.
 */

const BAD_KEY = 'tg-bad-caller-key-0123456789';
const GOOD_KEY = 'tg-good-caller-key-0123456789';
const UPSTREAM_KEY = 'sk-upstream-secret-0123456789';

type PoolName = 'instant' | 'thinking' | 'embeddings';

type FaultStack = YamlGateway<Record<PoolName, RunningSimulator[]>>;

const LLAMA: Partial<SimulatorOptions> = {
  contextWindow: 2048,
  behavior: { flavor: 'llamacpp', batchTokens: 512 },
};

async function startFaults(
  counts: Record<PoolName, number>,
  pool: Record<string, unknown> = {},
  tier: Record<string, unknown> = {},
): Promise<FaultStack> {
  const sims: Record<PoolName, RunningSimulator[]> = { instant: [], thinking: [], embeddings: [] };
  for (const name of ['instant', 'thinking', 'embeddings'] as const) {
    for (let i = 0; i < counts[name]; i++) {
      sims[name].push(
        await startSimulator({
          model: `tiny-${name}`,
          name: `${name}-${i}`,
          apiKey: UPSTREAM_KEY,
          ...LLAMA,
        }),
      );
    }
  }
  const poolOf = (name: PoolName) => ({
    api_key: UPSTREAM_KEY,
    // Generous: on a loaded machine a pause of the event loop must not fail replicas that are fine.
    health_check: {
      interval_ms: 200,
      timeout_ms: 2000,
      healthy_threshold: 1,
      unhealthy_threshold: 3,
    },
    outlier: { consecutive_failures: 5, ejection_ms: 30_000, max_ejection_ms: 60_000 },
    ...pool,
    upstreams: sims[name].map((sim) => ({ url: sim.url })),
  });
  return startYamlGateway(
    {
      pools: {
        instant: poolOf('instant'),
        thinking: poolOf('thinking'),
        embeddings: poolOf('embeddings'),
      },
      tiers: {
        instant: { pool: 'instant', model: 'tiny-instant', ...tier },
        thinking: { pool: 'thinking', model: 'tiny-thinking', ...tier },
      },
      embeddings: { pool: 'embeddings', model: 'tiny-embeddings' },
    },
    sims,
    { GATEWAY_API_KEYS: `${BAD_KEY},${GOOD_KEY}` },
  );
}

const as = (key: string) => ({
  authorization: `Bearer ${key}`,
  'content-type': 'application/json',
});

/** The three kinds of malformed request llama-server answers with HTTP 500. */
const MALFORMED = [
  {
    kind: 'tool-call arguments that are not JSON',
    path: '/v1/chat/completions',
    body: {
      model: 'instant',
      messages: [
        { role: 'user', content: 'Compute 1*7' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'calculator', arguments: '{"expr' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '7' },
      ],
    },
    message: /^Failed to parse tool call arguments as JSON/,
  },
  {
    kind: 'an image part on a text-only model',
    path: '/v1/chat/completions',
    body: {
      model: 'instant',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in it?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
      ],
    },
    message: /^image input is not supported/,
  },
  {
    kind: 'an over-long embeddings input',
    path: '/v1/embeddings',
    body: { model: 'tiny-embeddings', input: 'word '.repeat(1000) },
    message: /^input \(\d+ tokens\) is too large to process/,
  },
];

async function health(url: string): Promise<any> {
  return (await fetch(`${url}/health`)).json();
}

function replicaStates(body: any): string[] {
  return Object.entries(body.details)
    .filter(([name]) => name.startsWith('pool:'))
    .flatMap(([, pool]: [string, any]) => pool.upstreams.map((u: any) => `${u.url}=${u.state}`));
}

async function metricsText(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

jest.setTimeout(30_000);

describe('request faults versus replica faults (llama.cpp-flavoured simulators)', () => {
  let stack: FaultStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it('100 malformed requests from one key among normal traffic from another: 0 ejections, 0 fallbacks, 0 errors for the other key', async () => {
    stack = await startFaults({ instant: 2, thinking: 2, embeddings: 2 });
    const url = stack.url;
    const malformed: { status: number; body: any; kind: number }[] = [];
    const normal: { status: number; reason: string | null }[] = [];
    let sent = 0;
    const bad = async (): Promise<void> => {
      while (sent < 100) {
        const i = sent++;
        const fault = MALFORMED[i % MALFORMED.length];
        const res = await postJson(`${url}${fault.path}`, fault.body, as(BAD_KEY));
        malformed.push({ status: res.status, body: res.body, kind: i % MALFORMED.length });
      }
    };
    const good = async (): Promise<void> => {
      while (sent < 100) {
        const embeddings = normal.length % 3 === 2;
        const res = await postJson(
          `${url}${embeddings ? '/v1/embeddings' : '/v1/chat/completions'}`,
          embeddings
            ? { model: 'tiny-embeddings', input: 'hello' }
            : {
                model: normal.length % 2 ? 'thinking' : 'instant',
                messages: [{ role: 'user', content: 'hi' }],
              },
          as(GOOD_KEY),
        );
        normal.push({ status: res.status, reason: res.headers.get('x-gateway-route-reason') });
      }
    };
    await Promise.all([bad(), bad(), bad(), good(), good()]);

    expect(malformed).toHaveLength(100);
    for (const { status, body, kind } of malformed) {
      expect(status).toBe(400);
      expectErrorEnvelope(body, 'invalid_request_error');
      expect(body.error.message).toMatch(MALFORMED[kind].message);
    }
    expect(normal.length).toBeGreaterThan(20);
    expect(normal.filter((r) => r.status !== 200)).toEqual([]);
    expect(normal.filter((r) => r.reason?.startsWith('fallback'))).toEqual([]);
    // Every malformed request reached a replica once, but for the over-long embeddings inputs:
    // over one replica's batch size, each is tried once more on the other replica (a replica
    // configured with a larger batch would take it).
    const overBatch = malformed.filter(
      ({ kind }) => MALFORMED[kind].path === '/v1/embeddings',
    ).length;
    const upstreamFaults = Object.values(stack.sims)
      .flat()
      .reduce((n, sim) => n + sim.requests().filter((r) => r.status === 500).length, 0);
    expect(upstreamFaults).toBe(100 + overBatch);
    const states = replicaStates(await health(url));
    expect(states).toHaveLength(6);
    expect(states.every((s) => s.endsWith('=healthy'))).toBe(true);
    const metrics = await metricsText(url);
    expect(metrics).not.toMatch(/tiergate_upstream_state_transitions_total\{[^}]*\} [1-9]/);
    expect(metrics).not.toMatch(
      /tiergate_route_decisions_total\{[^}]*reason="fallback[^}]*\} [1-9]/,
    );
  });

  it('a plain 500 that follows the request (the same on both replicas) is retried once, then the caller gets its message; no replica counts it', async () => {
    stack = await startFaults({ instant: 2, thinking: 1, embeddings: 1 });
    for (let i = 0; i < 12; i++) {
      const res = await postJson(
        `${stack.url}/v1/chat/completions`,
        {
          model: 'instant',
          messages: [{ role: 'user', content: 'hi' }],
          x_sim: { status: 500, error_message: 'the chat template failed on this request' },
        },
        as(BAD_KEY),
      );
      expect(res.status).toBe(502);
      expect(res.body.error.message).toBe(
        'The upstream model server failed (HTTP 500): the chat template failed on this request',
      );
    }
    const [a, b] = stack.sims.instant;
    expect(a.requests().length + b.requests().length).toBe(24);
    expect(a.requests().length).toBe(12);
    expect(replicaStates(await health(stack.url)).every((s) => s.endsWith('=healthy'))).toBe(true);
    const ok = await postJson(
      `${stack.url}/v1/chat/completions`,
      { model: 'instant', messages: [{ role: 'user', content: 'hi' }] },
      as(GOOD_KEY),
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-gateway-route-reason')).not.toMatch(/^fallback/);
  });

  it('a single replica whose 500s its own health probe contradicts is never ejected', async () => {
    stack = await startFaults({ instant: 1, thinking: 1, embeddings: 1 });
    for (let i = 0; i < 10; i++) {
      const res = await postJson(
        `${stack.url}/v1/chat/completions`,
        { model: 'thinking', messages: [{ role: 'user', content: 'hi' }], x_sim: { status: 500 } },
        as(BAD_KEY),
      );
      expect(res.status).toBe(502);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(replicaStates(await health(stack.url)).every((s) => s.endsWith('=healthy'))).toBe(true);
    const ok = await postJson(
      `${stack.url}/v1/chat/completions`,
      { model: 'thinking', messages: [{ role: 'user', content: 'hi' }] },
      as(GOOD_KEY),
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-gateway-tier')).toBe('thinking');
  });

  /**
   * Kills the only thinking replica of a fresh stack and sends five `thinking` requests: each
   * must be answered by instant, the first included. Returns the failover times: from the
   * caller's request to the instant replica receiving it.
   */
  async function deadTier(stream: boolean): Promise<number[]> {
    const dead = await startFaults({ instant: 1, thinking: 1, embeddings: 1 });
    try {
      const instant = dead.sims.instant[0];
      const thinking = dead.sims.thinking[0];
      for (const model of ['instant', 'thinking']) {
        await postJson(
          `${dead.url}/v1/chat/completions`,
          { model, stream, messages: [{ role: 'user', content: 'hi' }] },
          as(GOOD_KEY),
        );
      }
      instant.reset();
      thinking.reset();
      thinking.kill();
      const failover: number[] = [];
      for (let i = 0; i < 5; i++) {
        const started = Date.now();
        const res = await fetch(`${dead.url}/v1/chat/completions`, {
          method: 'POST',
          headers: as(GOOD_KEY),
          body: JSON.stringify({
            model: 'thinking',
            stream,
            messages: [{ role: 'user', content: 'hi' }],
          }),
        });
        const text = await res.text();
        failover.push(instant.requests()[i].startedAt - started);
        expect(res.status).toBe(200);
        expect(res.headers.get('x-gateway-tier')).toBe('instant');
        expect(res.headers.get('x-gateway-route-reason')).toBe('fallback:thinking->instant');
        if (stream) expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
      }
      // The dead replica never received a request: its connection was refused, once.
      expect(thinking.requests()).toHaveLength(0);
      return failover;
    } finally {
      await dead.close();
    }
  }

  it('a dead single-replica tier falls back from the first request, never 502, failover within 100 ms', async () => {
    // The first failover of a fresh process also pays for compiling its code path: it is
    // measured and reported, and the bound is checked on the runs after it.
    const cold = await deadTier(false);
    const warm = [...(await deadTier(false)), ...(await deadTier(true)), ...(await deadTier(true))];
    console.log(`failover ms, cold process: ${cold.join(', ')}; warm: ${warm.join(', ')}`);
    expect(Math.max(...warm)).toBeLessThanOrEqual(100);
  });

  it('a dead single-replica tier without fallback, and a dead embeddings replica: 503 tier_unavailable with Retry-After from the first request, within 100 ms', async () => {
    stack = await startFaults({ instant: 1, thinking: 1, embeddings: 1 }, {}, { fallback: false });
    stack.sims.thinking[0].kill();
    stack.sims.embeddings[0].kill();
    const requests = [
      {
        path: '/v1/chat/completions',
        body: { model: 'thinking', messages: [{ role: 'user', content: 'hi' }] },
      },
      { path: '/v1/embeddings', body: { model: 'tiny-embeddings', input: 'hello' } },
    ];
    for (const { path, body } of requests) {
      for (let i = 0; i < 4; i++) {
        const started = performance.now();
        const res = await postJson(`${stack.url}${path}`, body, as(GOOD_KEY));
        expect(performance.now() - started).toBeLessThan(100);
        expect(res.status).toBe(503);
        expectErrorEnvelope(res.body, 'api_error', 'tier_unavailable');
        expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      }
    }
  });

  it('context overflow in llama.cpp wording: 400 context_length_exceeded with the upstream detail, and no replica counts it', async () => {
    stack = await startFaults({ instant: 1, thinking: 1, embeddings: 1 });
    for (let i = 0; i < 8; i++) {
      const res = await postJson(
        `${stack.url}/v1/chat/completions`,
        { model: 'instant', messages: [{ role: 'user', content: 'long '.repeat(3000) }] },
        as(BAD_KEY),
      );
      expect(res.status).toBe(400);
      expectErrorEnvelope(res.body, 'invalid_request_error', 'context_length_exceeded');
      expect(res.body.error.message).toMatch(
        /^request \(\d+ tokens\) exceeds the available context size \(2048 tokens\)/,
      );
    }
    expect(replicaStates(await health(stack.url)).every((s) => s.endsWith('=healthy'))).toBe(true);
  });

  it('an upstream that echoes the Authorization header does not hand the upstream key to the caller', async () => {
    stack = await startFaults({ instant: 1, thinking: 1, embeddings: 1 });
    for (const status of [400, 500, 422]) {
      const res = await fetch(`${stack.url}/v1/chat/completions`, {
        method: 'POST',
        headers: as(GOOD_KEY),
        body: JSON.stringify({
          model: 'instant',
          messages: [{ role: 'user', content: 'hi' }],
          x_sim: { status, error_message: 'Rejected header', echo_authorization: true },
        }),
      });
      const text = await res.text();
      expect(text).not.toContain(UPSTREAM_KEY);
      expect(text).toContain('Bearer [redacted]');
    }
    // The simulator did see the key: it is the gateway that removed it.
    expect(stack.sims.instant[0].requests()[0].headers.authorization).toBe(
      `Bearer ${UPSTREAM_KEY}`,
    );
  });
});

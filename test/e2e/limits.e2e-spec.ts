import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { createGatewayApp } from '../../src/app.factory';
import { loadGatewayConfig } from '../../src/config';
import { startSimulator, type RunningSimulator } from '../simulator';
import { chat, expectErrorEnvelope, postJson, readSse, TEST_KEY, withSim } from './harness';

/** Every secret this file configures: none may ever show up in logs, bodies or metrics. */
const SECRETS = {
  rpm: 'tg-secret-rpm-5f1c9a',
  tpm: 'tg-secret-tpm-0b7e42',
  cc: 'tg-secret-cc-9d3a17',
  usage: 'tg-secret-usage-6c2f88',
  stream: 'tg-secret-stream-4a90d1',
  tools: 'tg-secret-tools-71be05',
  narrow: 'tg-secret-narrow-2e6f3c',
  defaults: 'tg-secret-defaults-8c41aa',
} as const;

const KEYS_YAML = `
auth:
  keys:
    - { name: rpm-key, key: ${SECRETS.rpm}, limits: { rpm: 3 } }
    - { name: tpm-key, key: ${SECRETS.tpm}, limits: { tpm: 2000 } }
    - { name: cc-key, key: ${SECRETS.cc}, limits: { concurrency: 1 } }
    - { name: usage-key, key: ${SECRETS.usage}, limits: {} }
    - { name: stream-key, key: ${SECRETS.stream}, limits: { rpm: 100, tpm: 1000000 } }
    - { name: tools-key, key: ${SECRETS.tools}, limits: {} }
    - name: narrow
      key: ${SECRETS.narrow}
      allowed_tiers: [instant]
      allowed_models: [auto, instant, gpt-4o-mini]
      allowed_tools: [current_time]
      limits: {}
    - { name: default-key, key: ${SECRETS.defaults} }
aliases: { gpt-4o-mini: instant, o3-mini: thinking }
limits:
  reserve_completion_tokens: 1000
`;

interface Gateway {
  app: NestFastifyApplication;
  url: string;
  instant: RunningSimulator;
  thinking: RunningSimulator;
  /** Every line the gateway logged (pino JSON lines). */
  logs: string[];
  close(): Promise<void>;
}

/** The real app on a real port, two simulators, a YAML file, and its logs captured. */
async function boot(yaml: string, env: Record<string, string> = {}): Promise<Gateway> {
  const instant = await startSimulator({ model: 'sim-instant', name: 'instant' });
  const thinking = await startSimulator({
    model: 'sim-thinking',
    name: 'thinking',
    behavior: { reasoning: 'reasoning_content' },
  });
  const file = join(mkdtempSync(join(tmpdir(), 'tiergate-limits-')), 'gateway.yaml');
  writeFileSync(file, yaml);
  const config = loadGatewayConfig({
    HOST: '127.0.0.1',
    INSTANT_UPSTREAMS: instant.url,
    INSTANT_MODEL: instant.model,
    THINKING_UPSTREAMS: thinking.url,
    THINKING_MODEL: thinking.model,
    GATEWAY_API_KEYS: TEST_KEY,
    GATEWAY_CONFIG: file,
    OTEL_SDK_DISABLED: 'true',
    ...env,
  });
  const logs: string[] = [];
  const app = await createGatewayApp(config, {
    logger: false,
    logDestination: { write: (line: string) => void logs.push(line) },
  });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    instant,
    thinking,
    logs,
    async close() {
      await app.close();
      await Promise.all([instant.close(), thinking.close()]);
    },
  };
}

const headersOf = (key: string): Record<string, string> => ({
  authorization: `Bearer ${key}`,
  'content-type': 'application/json',
});

/** Retries `check` until it passes: settlement happens when the response closes, just after. */
async function eventually(check: () => Promise<void> | void, timeoutMs = 2000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

describe('per-key limits, access and accounting (in memory)', () => {
  let gw: Gateway;
  const endpoint = (): string => `${gw.url}/v1/chat/completions`;
  const client = (key: string): OpenAI =>
    new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1`, maxRetries: 0, timeout: 10_000 });
  const usageOf = async (key: string): Promise<any> => {
    const res = await fetch(`${gw.url}/v1/usage`, { headers: headersOf(key) });
    expect(res.status).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    gw = await boot(KEYS_YAML, { RATE_LIMIT_RPM: '2' });
  });
  afterAll(() => gw.close());

  describe('rate limits', () => {
    it('429 rate_limit_exceeded with retry-after and OpenAI’s x-ratelimit-* headers', async () => {
      const remaining: string[] = [];
      for (let i = 0; i < 3; i++) {
        const ok = await postJson(
          endpoint(),
          chat('hi', { model: 'instant' }),
          headersOf(SECRETS.rpm),
        );
        expect(ok.status).toBe(200);
        expect(ok.headers.get('x-ratelimit-limit-requests')).toBe('3');
        expect(ok.headers.get('x-ratelimit-reset-requests')).toMatch(
          /^(\d+h)?(\d+m)?\d+(\.\d+)?(ms|s)$/,
        );
        remaining.push(ok.headers.get('x-ratelimit-remaining-requests') as string);
      }
      expect(remaining).toEqual(['2', '1', '0']);
      const refused = await postJson(
        endpoint(),
        chat('hi', { model: 'instant' }),
        headersOf(SECRETS.rpm),
      );
      expect(refused.status).toBe(429);
      expectErrorEnvelope(refused.body, 'rate_limit_error', 'rate_limit_exceeded');
      expect(refused.body.error.message).toContain(
        'requests per minute (RPM) on this API key: limit 3, used 3',
      );
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers.get('retry-after-ms'))).toBeGreaterThan(0);
      expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0');
      // No token limit on this key: no token headers.
      expect(refused.headers.get('x-ratelimit-limit-tokens')).toBeNull();
      // The refused request never reached an upstream.
      expect(gw.instant.requests()).toHaveLength(3);
    });

    it('reads as a RateLimitError to the official client', async () => {
      const error = await client(SECRETS.rpm)
        .chat.completions.create({ model: 'instant', messages: [{ role: 'user', content: 'x' }] })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect(
        (error as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after'),
      ).toMatch(/^\d+$/);
    });

    it('gives keys without limits of their own RATE_LIMIT_* (here: 2 per minute)', async () => {
      for (const key of [SECRETS.defaults, TEST_KEY]) {
        const statuses = [];
        for (let i = 0; i < 3; i++) {
          statuses.push((await postJson(endpoint(), chat('hi'), headersOf(key))).status);
        }
        expect(statuses).toEqual([200, 200, 429]);
      }
    });

    it('sends the headers on a stream too, before its first byte', async () => {
      const res = await fetch(endpoint(), {
        method: 'POST',
        headers: headersOf(SECRETS.stream),
        body: JSON.stringify(chat('hi', { model: 'instant', stream: true })),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      expect(res.headers.get('x-ratelimit-limit-requests')).toBe('100');
      expect(res.headers.get('x-ratelimit-remaining-requests')).toBe('99');
      expect(res.headers.get('x-ratelimit-limit-tokens')).toBe('1000000');
      expect(Number(res.headers.get('x-ratelimit-remaining-tokens'))).toBeLessThan(1000000);
      const { data } = await readSse(res);
      expect(data.at(-1)).toBe('[DONE]');
    });

    it('reserves tokens before the call and charges the real usage after it', async () => {
      const answer = await client(SECRETS.tpm).chat.completions.create({
        model: 'instant',
        messages: [{ role: 'user', content: 'hi' }],
      });
      const total = answer.usage!.total_tokens;
      expect(total).toBeLessThan(100); // far below the 1000-token reservation
      await eventually(async () => expect((await usageOf(SECRETS.tpm)).tokens.used).toBe(total));
      // A reservation that no longer fits: 2000 − used < prompt + max_tokens.
      const refused = await postJson(
        endpoint(),
        chat('hi', { model: 'instant', max_tokens: 1990 }),
        headersOf(SECRETS.tpm),
      );
      expect(refused.status).toBe(429);
      expect(refused.body.error.message).toContain(
        'tokens per minute (TPM) on this API key: limit 2000',
      );
      expect(refused.headers.get('x-ratelimit-limit-tokens')).toBe('2000');
      expect(Number(refused.headers.get('x-ratelimit-remaining-tokens'))).toBe(2000 - total);
    });

    it('charges a stream its usage chunk, also when the caller did not ask for it', async () => {
      const key = SECRETS.usage;
      const stream = async (includeUsage: boolean) => {
        const res = await fetch(endpoint(), {
          method: 'POST',
          headers: headersOf(key),
          body: JSON.stringify(
            withSim(
              chat('count me', {
                model: 'instant',
                stream: true,
                ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
              }),
              { content: 'one two three four' },
            ),
          ),
        });
        return (await readSse(res)).data.filter((d) => d !== '[DONE]').map((d) => JSON.parse(d));
      };
      const before = (await usageOf(key)).tokens.used as number;
      const withUsage = await stream(true);
      const total = withUsage.at(-1).usage.total_tokens as number;
      await eventually(async () => expect((await usageOf(key)).tokens.used).toBe(before + total));
      const withoutUsage = await stream(false);
      expect(withoutUsage.some((chunk) => chunk.usage)).toBe(false);
      await eventually(async () =>
        expect((await usageOf(key)).tokens.used).toBe(before + 2 * total),
      );
    });

    it('charges a tool loop the sum of its rounds and counts its tool rounds', async () => {
      const res = await postJson(
        endpoint(),
        withSim(
          chat('what is 2+2', {
            model: 'instant',
            tools: [{ type: 'function', function: { name: 'calculator' } }],
          }),
          { tool_calls: [{ name: 'calculator', arguments: { expression: '2+2' } }] },
        ),
        headersOf(SECRETS.tools),
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('x-gateway-tool-rounds')).toBe('1');
      const total = res.body.usage.total_tokens as number;
      await eventually(async () => expect((await usageOf(SECRETS.tools)).tokens.used).toBe(total));
      const metrics = await (await fetch(`${gw.url}/metrics`)).text();
      expect(metrics).toMatch(
        /^tiergate_key_tool_rounds_total\{key="tools-key",tier="instant",model="sim-instant"\} 1$/m,
      );
      expect(metrics).toMatch(
        new RegExp(
          `^tiergate_key_prompt_tokens_total\\{key="tools-key",tier="instant",model="sim-instant"\\} ${res.body.usage.prompt_tokens}$`,
          'm',
        ),
      );
    });
  });

  describe('concurrency', () => {
    const slowStream = (key: string, signal?: AbortSignal) =>
      fetch(endpoint(), {
        method: 'POST',
        headers: headersOf(key),
        body: JSON.stringify(
          withSim(chat('slow', { model: 'instant', stream: true }), {
            tokens: 12,
            token_interval_ms: 60,
          }),
        ),
        signal,
      });

    /** Reads until the first `data:` event has arrived. */
    async function firstEvent(res: Response): Promise<ReadableStreamDefaultReader<Uint8Array>> {
      const reader = res.body!.getReader();
      let text = '';
      while (!text.includes('data: ')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      return reader;
    }

    it('refuses a request over the key’s concurrency with 429 until the stream ends', async () => {
      const open = await slowStream(SECRETS.cc);
      expect(open.status).toBe(200);
      const reader = await firstEvent(open);
      const refused = await postJson(endpoint(), chat('hi'), headersOf(SECRETS.cc));
      expect(refused.status).toBe(429);
      expect(refused.body.error.message).toContain(
        'concurrent requests on this API key: limit 1, used 1',
      );
      expect(refused.headers.get('retry-after')).toBe('1');
      expect((await usageOf(SECRETS.cc)).concurrent_requests).toEqual({ limit: 1, in_flight: 1 });
      while (!(await reader.read()).done);
      await eventually(async () =>
        expect((await postJson(endpoint(), chat('hi'), headersOf(SECRETS.cc))).status).toBe(200),
      );
    });

    it('frees the slot of a caller that disconnects mid-stream', async () => {
      const controller = new AbortController();
      const open = await slowStream(SECRETS.cc, controller.signal);
      expect(open.status).toBe(200);
      await firstEvent(open);
      controller.abort();
      await eventually(async () =>
        expect((await usageOf(SECRETS.cc)).concurrent_requests.in_flight).toBe(0),
      );
      expect((await postJson(endpoint(), chat('hi'), headersOf(SECRETS.cc))).status).toBe(200);
      await gw.instant.waitFor((stats) => stats.aborted >= 1);
    });

    it('frees the slot of a request that failed, and charges it no tokens', async () => {
      const before = (await usageOf(SECRETS.cc)).tokens.used as number;
      const failed = await postJson(
        endpoint(),
        withSim(chat('hi', { model: 'instant' }), { status: 400, error_message: 'bad' }),
        headersOf(SECRETS.cc),
      );
      expect(failed.status).toBe(400);
      await eventually(async () => {
        const usage = await usageOf(SECRETS.cc);
        expect(usage.concurrent_requests.in_flight).toBe(0);
        expect(usage.tokens.used).toBe(before);
      });
      expect((await postJson(endpoint(), chat('hi'), headersOf(SECRETS.cc))).status).toBe(200);
    });
  });

  describe('what a key may use', () => {
    it('403 permission_error for a model of a tier the key may not use, or not in its list', async () => {
      for (const model of ['thinking', 'o3-mini', 'sim-thinking', 'sim-instant']) {
        const res = await postJson(endpoint(), chat('hi', { model }), headersOf(SECRETS.narrow));
        expect(res.status).toBe(403);
        expectErrorEnvelope(res.body, 'permission_error', 'model_not_allowed');
        expect(res.body.error.param).toBe('model');
        expect(res.body.error.message).toBe(`This API key may not use the model '${model}'.`);
      }
      const error = await client(SECRETS.narrow)
        .chat.completions.create({ model: 'thinking', messages: [{ role: 'user', content: 'x' }] })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
      expect(gw.thinking.requests()).toHaveLength(0);
    });

    it('serves the models it may use', async () => {
      for (const model of ['instant', 'gpt-4o-mini', 'auto']) {
        const res = await postJson(endpoint(), chat('hi', { model }), headersOf(SECRETS.narrow));
        expect(res.status).toBe(200);
        expect(res.headers.get('x-gateway-tier')).toBe('instant');
      }
    });

    it('keeps auto within the allowed tiers: the classifier’s thinking becomes instant, with a reason', async () => {
      const res = await postJson(
        endpoint(),
        chat('Prove that there are infinitely many primes, step by step.', {
          model: 'auto',
          reasoning_effort: 'high',
        }),
        headersOf(SECRETS.narrow),
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('x-gateway-tier')).toBe('instant');
      expect(res.headers.get('x-gateway-route-reason')).toBe('key:thinking->instant');
      expect(gw.thinking.requests()).toHaveLength(0);
      // Without the restriction the same request goes to thinking.
      const open = await postJson(
        endpoint(),
        chat('Prove that there are infinitely many primes, step by step.', {
          model: 'auto',
          reasoning_effort: 'high',
        }),
        headersOf(SECRETS.usage),
      );
      expect(open.headers.get('x-gateway-tier')).toBe('thinking');
    });

    it('lists only the models the key may use', async () => {
      const narrow = await client(SECRETS.narrow).models.list();
      expect(narrow.data.map((m) => m.id).sort()).toEqual(['auto', 'gpt-4o-mini', 'instant']);
      const open = await client(SECRETS.usage).models.list();
      expect(open.data.map((m) => m.id)).toEqual(
        expect.arrayContaining(['thinking', 'o3-mini', 'sim-thinking']),
      );
      const one = await fetch(`${gw.url}/v1/models/thinking`, {
        headers: headersOf(SECRETS.narrow),
      });
      expect(one.status).toBe(403);
    });

    it('runs only the tools the key may use; another registered tool is handed back as the caller’s', async () => {
      const offer = (name: string) =>
        postJson(
          endpoint(),
          withSim(
            chat('use the tool', {
              model: 'instant',
              tools: [{ type: 'function', function: { name } }],
            }),
            {
              tool_calls: [{ name, arguments: name === 'calculator' ? { expression: '1+1' } : {} }],
            },
          ),
          headersOf(SECRETS.narrow),
        );
      gw.instant.reset();
      const handedBack = await offer('calculator');
      expect(handedBack.status).toBe(200);
      expect(handedBack.headers.get('x-gateway-tool-rounds')).toBeNull();
      expect(handedBack.body.choices[0].finish_reason).toBe('tool_calls');
      expect(handedBack.body.choices[0].message.tool_calls[0].function.name).toBe('calculator');
      // Not completed from the registry either: the upstream saw the entry as the caller sent it.
      const sent = gw.instant.requests().at(-1)!.body as any;
      expect(sent.tools).toEqual([{ type: 'function', function: { name: 'calculator' } }]);
      expect(gw.instant.requests()).toHaveLength(1);

      const executed = await offer('current_time');
      expect(executed.status).toBe(200);
      expect(executed.headers.get('x-gateway-tool-rounds')).toBe('1');
      expect(executed.body.choices[0].finish_reason).toBe('stop');
    });
  });

  describe('accounting', () => {
    it('GET /v1/usage answers the caller’s own window and limits', async () => {
      const usage = await usageOf(SECRETS.rpm);
      expect(usage).toMatchObject({
        object: 'usage',
        key: 'rpm-key',
        window_seconds: 60,
        shared: false,
        requests: { limit: 3, remaining: 0 },
        tokens: { limit: null, remaining: null },
        concurrent_requests: { limit: null, in_flight: 0 },
      });
      expect(usage.requests.used).toBeGreaterThanOrEqual(3);
      expect(usage.requests.reset_seconds).toBeGreaterThan(0);
      const anonymous = await fetch(`${gw.url}/v1/usage`);
      expect(anonymous.status).toBe(401);
    });

    it('counts per key name, tier and model in /metrics, never with a secret', async () => {
      await postJson(endpoint(), chat('hi', { model: 'instant' }), headersOf(SECRETS.usage));
      await eventually(async () => {
        const metrics = await (await fetch(`${gw.url}/metrics`)).text();
        expect(metrics).toMatch(
          /^tiergate_key_requests_total\{key="usage-key",tier="instant",model="sim-instant",outcome="ok"\} \d+$/m,
        );
        expect(metrics).toMatch(/^tiergate_rate_limited_total\{key="rpm-key",kind="rpm"\} [1-9]/m);
        expect(metrics).toMatch(
          /^tiergate_key_errors_total\{key="cc-key",tier="instant",model="sim-instant",code="[a-z_]+"\} 1$/m,
        );
        expect(metrics).toMatch(
          /^tiergate_key_completion_tokens_total\{key="usage-key",tier="instant",model="sim-instant"\} \d+$/m,
        );
        for (const secret of [...Object.values(SECRETS), TEST_KEY]) {
          expect(metrics).not.toContain(secret);
        }
      });
    });

    it('writes one line per request with its usage, without prompt content, and never a secret anywhere', async () => {
      const marker = 'PROMPT-MARKER-7e1d';
      const res = await postJson(
        endpoint(),
        chat(`tell me about ${marker}`, { model: 'gpt-4o-mini' }),
        { ...headersOf(SECRETS.usage), 'x-request-id': 'usage-line-1' },
      );
      expect(res.status).toBe(200);
      let lines: any[] = [];
      await eventually(() => {
        lines = gw.logs.map((l) => JSON.parse(l)).filter((l) => l.request_id === 'usage-line-1');
        expect(lines).toHaveLength(1);
      });
      expect(lines[0]).toMatchObject({
        level: 'info',
        key: 'usage-key',
        operation: 'chat',
        model: 'gpt-4o-mini',
        tier: 'instant',
        upstream_model: 'sim-instant',
        stream: false,
        status: 200,
        outcome: 'ok',
        tokens_in: res.body.usage.prompt_tokens,
        tokens_out: res.body.usage.completion_tokens,
        total_tokens: res.body.usage.total_tokens,
        usage_reported: true,
        reserved_tokens: expect.any(Number),
        tool_rounds: 0,
      });
      const all = gw.logs.join('\n');
      expect(all).not.toContain(marker);
      // Every request of this file presented a secret; none of them may be in any log line.
      for (const secret of [...Object.values(SECRETS), TEST_KEY]) expect(all).not.toContain(secret);
      // An unknown key is not echoed either.
      const wrong = await postJson(endpoint(), chat('hi'), headersOf('tg-wrong-key-31337'));
      expect(wrong.status).toBe(401);
      expect(JSON.stringify(wrong.body)).not.toContain('tg-wrong-key-31337');
      expect(gw.logs.join('\n')).not.toContain('tg-wrong-key-31337');
    });
  });
});

describe('Redis unreachable', () => {
  const YAML = (mode: 'open' | 'closed') => `
auth: { keys: [ { name: limited, key: tg-secret-redis-down, limits: { rpm: 1 } } ] }
limits: { redis: { on_error: ${mode}, timeout_ms: 200 } }
`;
  const headers = headersOf('tg-secret-redis-down');

  it('fail-open (the default) admits without limits and reports a degraded /health', async () => {
    const gw = await boot(YAML('open'), { REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    try {
      for (let i = 0; i < 3; i++) {
        const res = await postJson(`${gw.url}/v1/chat/completions`, chat('hi'), headers);
        expect(res.status).toBe(200);
        expect(res.headers.get('x-ratelimit-limit-requests')).toBeNull();
      }
      const health = await fetch(`${gw.url}/health`);
      expect(health.status).toBe(200);
      const body = (await health.json()) as any;
      expect(body.status).toBe('degraded');
      expect(body.details.redis).toMatchObject({ status: 'down', on_error: 'open' });
      expect((await fetch(`${gw.url}/health/ready`)).status).toBe(200);
    } finally {
      await gw.close();
    }
  });

  it('fail-closed answers 503 overloaded and fails readiness', async () => {
    const gw = await boot(YAML('closed'), { REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    try {
      const res = await postJson(`${gw.url}/v1/chat/completions`, chat('hi'), headers);
      expect(res.status).toBe(503);
      expectErrorEnvelope(res.body, 'api_error', 'overloaded');
      expect(res.headers.get('retry-after')).toBe('1');
      expect(gw.instant.requests()).toHaveLength(0);
      const ready = await fetch(`${gw.url}/health/ready`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as any).error.redis.status).toBe('down');
    } finally {
      await gw.close();
    }
  });
});

describe('issue 13: route metering, streamed tokens, upload aborts, what a key is shown', () => {
  let gw: Gateway;
  const KEYS = {
    route: 'tg-secret-route-51a0c2',
    narrow: 'tg-secret-narrow-77b1de',
    stream: 'tg-secret-stream-0c9e44',
  } as const;

  beforeAll(async () => {
    gw = await boot(`
auth:
  keys:
    - { name: route-key, key: ${KEYS.route}, limits: { rpm: 2 } }
    - name: narrow-key
      key: ${KEYS.narrow}
      allowed_tiers: [instant]
      allowed_models: [auto, instant, gpt-4o-mini]
      limits: {}
    - { name: stream-key, key: ${KEYS.stream}, limits: { tpm: 1000000 } }
aliases: { gpt-4o-mini: instant, o3-mini: thinking }
limits:
  reserve_completion_tokens: 20
`);
  });
  afterAll(async () => {
    await gw.close();
  });

  it('a restricted key’s 404 lists only the models it may use', async () => {
    const res = await postJson(
      `${gw.url}/v1/chat/completions`,
      chat('hi', { model: 'no-such-model' }),
      headersOf(KEYS.narrow),
    );
    expect(res.status).toBe(404);
    expectErrorEnvelope(res.body, 'invalid_request_error', 'model_not_found');
    expect(res.body.error.message).toBe(
      "The model 'no-such-model' does not exist. Available models: auto, instant, gpt-4o-mini.",
    );
    const one = await fetch(`${gw.url}/v1/models/no-such-model`, {
      headers: headersOf(KEYS.narrow),
    });
    expect(((await one.json()) as any).error.message).not.toMatch(/thinking|o3-mini/);
  });

  it('/v1/route is admitted and metered like chat: the key’s RPM counts it', async () => {
    const route = () => postJson(`${gw.url}/v1/route`, chat('hello there'), headersOf(KEYS.route));
    expect((await route()).status).toBe(200);
    const second = await route();
    expect(second.status).toBe(200);
    expect(second.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    const third = await route();
    expect(third.status).toBe(429);
    expectErrorEnvelope(third.body, 'rate_limit_error', 'rate_limit_exceeded');
  });

  it('/v1/route shows a confined key only its own route, and refuses a model it may not use', async () => {
    const hard =
      'Prove step by step that the square root of 2 is irrational, then derive a closed form ' +
      'for the sum of the first n cubes and analyse the complexity of your proof.';
    const res = await postJson(`${gw.url}/v1/route`, chat(hard), headersOf(KEYS.narrow));
    expect(res.status).toBe(200);
    expect(res.body.tier).toBe('instant');
    expect(res.body.reason).toMatch(/^key:/);
    expect(res.body.features).toEqual([]);
    expect(JSON.stringify(res.body.steps)).not.toMatch(/thinking|probability|score/);
    const forbidden = await postJson(
      `${gw.url}/v1/route`,
      chat('hi', { model: 'thinking' }),
      headersOf(KEYS.narrow),
    );
    expect(forbidden.status).toBe(403);
    expectErrorEnvelope(forbidden.body, 'permission_error', 'model_not_allowed');
  });

  it('charges what was streamed when a stream is aborted before its usage chunk', async () => {
    const before = (await (
      await fetch(`${gw.url}/v1/usage`, { headers: headersOf(KEYS.stream) })
    ).json()) as any;
    const controller = new AbortController();
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: headersOf(KEYS.stream),
      body: JSON.stringify(
        withSim(chat('stream a long answer', { model: 'instant', stream: true }), {
          tokens: 5_000,
          tokenIntervalMs: 1,
        }),
      ),
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let chunks = 0;
    while (chunks < 400) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks += (decoder.decode(value).match(/^data: \{/gm) ?? []).length;
    }
    controller.abort();
    await eventually(async () => {
      const after = (await (
        await fetch(`${gw.url}/v1/usage`, { headers: headersOf(KEYS.stream) })
      ).json()) as any;
      expect(after.concurrent_requests.in_flight).toBe(0);
      // At least what the caller received (one token a chunk), not the 20-token reservation.
      expect(after.tokens.used - before.tokens.used).toBeGreaterThanOrEqual(chunks);
    }, 5_000);
  });

  it('logs an upload the client aborts as 499, never as a 500 with a stack', async () => {
    const { hostname, port } = new URL(gw.url);
    const socket = connect(Number(port), hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      'POST /v1/chat/completions HTTP/1.1\r\nhost: gateway\r\ncontent-type: application/json\r\n' +
        `authorization: Bearer ${KEYS.stream}\r\nx-request-id: upload-abort-1\r\n` +
        'content-length: 100000\r\n\r\n{"messages":[',
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.destroy();
    let line: any;
    await eventually(() => {
      line = gw.logs.map((l) => JSON.parse(l)).find((l) => l.request_id === 'upload-abort-1');
      expect(line).toBeDefined();
    }, 5_000);
    expect(line.status).toBe(499);
    expect(line.level).not.toBe('error');
    const all = gw.logs.join('\n');
    expect(all).not.toMatch(/upload-abort-1[^\n]*-> 500/);
    expect(all).not.toMatch(/"level":"error"[^\n]*upload-abort-1/);
  });
});

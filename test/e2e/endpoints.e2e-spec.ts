import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type RunningSimulator } from '../simulator';
import {
  authHeaders,
  chat,
  expectErrorEnvelope,
  postJson,
  readSse,
  startStack,
  TEST_KEY,
  type Stack,
} from './harness';

describe('models, embeddings, legacy completions, health and docs (docs/api.md §5)', () => {
  let stack: Stack;
  let embed: RunningSimulator;

  beforeAll(async () => {
    embed = await startSimulator({
      model: 'sim-embed',
      name: 'embed',
      behavior: { embeddingDims: 4 },
    });
    const dir = mkdtempSync(join(tmpdir(), 'tiergate-endpoints-'));
    const yaml = join(dir, 'gateway.yaml');
    writeFileSync(yaml, 'aliases:\n  gpt-4o-mini: instant\n');
    stack = await startStack({
      env: { GATEWAY_CONFIG: yaml, EMBEDDINGS_UPSTREAMS: embed.url, EMBEDDINGS_MODEL: embed.model },
    });
  });
  afterAll(async () => {
    await stack.close();
    await embed.close();
  });

  it('GET /v1/models lists instant, thinking, auto, the aliases and the pool model ids', async () => {
    const models = await stack.client.models.list();
    const ids = models.data.map((m) => m.id);
    expect(ids).toEqual([
      'auto',
      'instant',
      'thinking',
      'gpt-4o-mini',
      'sim-instant',
      'sim-thinking',
      'embeddings',
      'sim-embed',
    ]);
    for (const model of models.data) expect(model.object).toBe('model');
  });

  it('GET /v1/models/{id} describes the embeddings names, which embeddings requests accept', async () => {
    for (const id of ['embeddings', 'sim-embed']) {
      const model = await stack.client.models.retrieve(id);
      expect(model).toMatchObject({ id, object: 'model', tier: 'embeddings' });
      const result = await stack.client.embeddings.create({ model: id, input: 'a' });
      expect(result.data).toHaveLength(1);
    }
  });

  it('GET /v1/models/{id} describes one model, ids with slashes included, and 404s unknown ones', async () => {
    const one = await stack.client.models.retrieve('gpt-4o-mini');
    expect(one.id).toBe('gpt-4o-mini');
    const res = await fetch(`${stack.url}/v1/models/org/unknown-model`, { headers: authHeaders() });
    expect(res.status).toBe(404);
    expectErrorEnvelope(await res.json(), 'invalid_request_error', 'model_not_found');
  });

  it('POST /v1/embeddings goes to the embeddings pool with its own model id', async () => {
    const result = await stack.client.embeddings.create({ model: 'sim-embed', input: ['a', 'b'] });
    expect(result.data).toHaveLength(2);
    expect(result.data[0].embedding).toHaveLength(4);
    expect((embed.requests().at(-1)!.body as { model: string }).model).toBe('sim-embed');
    const unknown = await postJson(`${stack.url}/v1/embeddings`, {
      model: 'text-embedding-9',
      input: 'a',
    });
    expect(unknown.status).toBe(404);
    expectErrorEnvelope(unknown.body, 'invalid_request_error', 'model_not_found');
  });

  it('POST /v1/completions (legacy) is routed like chat, streaming too', async () => {
    const res = await postJson(`${stack.url}/v1/completions`, {
      model: 'thinking',
      prompt: 'Once upon',
      max_tokens: 5,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-tier')).toBe('thinking');
    expect(res.body.object).toBe('text_completion');
    expect((stack.thinking.requests().at(-1)!.body as { model: string }).model).toBe(
      'sim-thinking',
    );
    const streamed = await fetch(`${stack.url}/v1/completions`, {
      method: 'POST',
      headers: authHeaders(),
      body: JSON.stringify({ model: 'instant', prompt: 'Once upon', stream: true }),
    });
    const { data } = await readSse(streamed);
    expect(data[data.length - 1]).toBe('[DONE]');
    expect(JSON.parse(data[0]).object).toBe('text_completion');
  });

  it('health endpoints are open and in Terminus format', async () => {
    const live = await fetch(`${stack.url}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${stack.url}/health/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as any;
    expect(body.status).toBe('ok');
    expect(body.details.server.status).toBe('up');
    expect(Object.keys(body.details)).toEqual(
      expect.arrayContaining(['pool:instant', 'pool:thinking']),
    );
    const health = await fetch(`${stack.url}/health`);
    expect(health.status).toBe(200);
  });

  it('GET /docs serves the OpenAPI description without a key', async () => {
    const ui = await fetch(`${stack.url}/docs`);
    expect(ui.status).toBe(200);
    const doc = (await (await fetch(`${stack.url}/docs-json`)).json()) as any;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/chat/completions',
        '/v1/completions',
        '/v1/embeddings',
        '/v1/models',
        '/health/ready',
      ]),
    );
  });

  it('GET /metrics is open and counts route decisions by tier and deciding step', async () => {
    await postJson(`${stack.url}/v1/chat/completions`, chat('hi', { model: 'gpt-4o-mini' }));
    const res = await fetch(`${stack.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(
      /tiergate_route_decisions_total\{tier="instant",reason="alias:gpt-4o-mini"\} [1-9]/,
    );
  });

  it('protected endpoints need the key', async () => {
    const res = await fetch(`${stack.url}/v1/models`);
    expect(res.status).toBe(401);
  });
});

describe('auth variants (docs/api.md §3)', () => {
  it('accepts sha256: key entries and compares them to the hash of the presented key', async () => {
    const secret = 'tg-hashed-secret-42';
    const digest = createHash('sha256').update(secret).digest('hex');
    const stack = await startStack({ env: { GATEWAY_API_KEYS: `other-key,sha256:${digest}` } });
    try {
      const ok = await postJson(
        `${stack.url}/v1/chat/completions`,
        chat('hi', { model: 'instant' }),
        authHeaders({ authorization: `Bearer ${secret}` }),
      );
      expect(ok.status).toBe(200);
      const raw = await postJson(
        `${stack.url}/v1/chat/completions`,
        chat('hi', { model: 'instant' }),
        authHeaders({ authorization: `Bearer sha256:${digest}` }),
      );
      expect(raw.status).toBe(401);
    } finally {
      await stack.close();
    }
  });

  it('GATEWAY_AUTH=disabled lets requests through without a key', async () => {
    const stack = await startStack({ env: { GATEWAY_AUTH: 'disabled', GATEWAY_API_KEYS: '' } });
    try {
      const res = await postJson(
        `${stack.url}/v1/chat/completions`,
        chat('hi', { model: 'instant' }),
        { 'content-type': 'application/json' },
      );
      expect(res.status).toBe(200);
    } finally {
      await stack.close();
    }
  });

  it('does not accept the key in other places than the bearer header', async () => {
    const stack = await startStack();
    try {
      const res = await postJson(
        `${stack.url}/v1/chat/completions?api_key=${TEST_KEY}`,
        chat('hi', { model: 'instant' }),
        { 'content-type': 'application/json', 'x-api-key': TEST_KEY },
      );
      expect(res.status).toBe(401);
    } finally {
      await stack.close();
    }
  });
});

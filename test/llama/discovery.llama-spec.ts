import { describeLlama, LlamaServer, stopAll } from './llama-server';
import { chat, getJson, pool, post, startGateway, type LlamaGateway } from './gateway';

/**
 * Model discovery against a real llama-server (issue 15, point 7): its `GET /v1/models` reports
 * the slot's context in `meta.n_ctx` (tools/server/server-context.cpp, get_res_model_info), which
 * the gateway shows in `GET /v1/providers` and checks requests against; a replica serving
 * another model (another `--alias`) takes no traffic.
 */
describeLlama('against llama-server: model discovery (n_ctx, the wrong model)', () => {
  let tiny: LlamaServer;
  let other: LlamaServer;
  let gateway: LlamaGateway;

  beforeAll(async () => {
    [tiny, other] = await Promise.all([
      LlamaServer.start({ alias: 'tiny' }),
      LlamaServer.start({ alias: 'other-model' }),
    ]);
    gateway = await startGateway(
      {
        pools: {
          instant: pool([tiny, other], {
            health_check: { interval_ms: 200, verify_interval_ms: 300, timeout_ms: 2_000 },
          }),
        },
        tiers: { instant: { pool: 'instant', model: 'tiny' } },
      },
      // The operator endpoints are open with auth disabled (docs/api.md §5, roles).
      { GATEWAY_AUTH: 'disabled' },
    );
  }, 90_000);

  afterAll(async () => {
    await gateway?.stop();
    await stopAll([tiny, other]);
  });

  it("llama-server's own /v1/models reports meta.n_ctx (the slot's context) beside n_ctx_train", async () => {
    const { status, body } = await getJson(`${tiny.v1}/models`);
    expect(status).toBe(200);
    const entry = body.data[0];
    expect(entry).toMatchObject({ id: 'tiny', owned_by: 'llamacpp' });
    expect(Number.isInteger(entry.meta.n_ctx)).toBe(true);
    expect(entry.meta.n_ctx).toBeGreaterThan(0);
    // Started with -c 8192 -np 4: a slot holds at most the whole context.
    expect(entry.meta.n_ctx).toBeLessThanOrEqual(8192);
    expect(typeof entry.meta.n_ctx_train).toBe('number');
  });

  it('shows the discovered n_ctx as context_length, and the other alias as not serving', async () => {
    const { body: models } = await getJson(`${tiny.v1}/models`);
    const nCtx = models.data[0].meta.n_ctx;
    const deadline = Date.now() + 20_000;
    let replicas: any[] = [];
    while (Date.now() < deadline) {
      const { body } = await getJson(`${gateway.url}/v1/providers`);
      replicas = body.data?.[0]?.replicas ?? [];
      if (replicas.length === 2 && replicas.every((r) => r.discovered_at !== null)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const [good, wrong] = replicas;
    expect(good).toMatchObject({
      url: tiny.v1,
      health: 'healthy',
      models: [
        {
          id: 'tiny',
          context_length: nCtx,
          serves_configured_model: true,
          capabilities: { chat: true, stream: true, embeddings: false },
        },
      ],
    });
    // llama.cpp's /props says whether its chat template takes tools.
    expect(typeof good.models[0].capabilities.tools).toBe('boolean');
    expect(wrong).toMatchObject({
      url: other.v1,
      health: 'unhealthy',
      models: [{ id: 'other-model', serves_configured_model: false }],
    });
  });

  it('serves only from the replica with the configured model', async () => {
    for (let i = 0; i < 6; i++) {
      const answer = await post(
        `${gateway.url}/v1/chat/completions`,
        chat(`Hi ${i}`, { model: 'instant', max_tokens: 4 }),
      );
      expect(answer.status).toBe(200);
    }
    // Prompt tokens processed: only the serving replica ran any.
    expect(await tiny.metric('llamacpp:prompt_tokens_total')).toBeGreaterThan(0);
    expect(await other.metric('llamacpp:prompt_tokens_total')).toBe(0);
  });

  it('moves nothing when no tier fits: the refusal is llama.cpp’s own, with its detail', async () => {
    const { body: models } = await getJson(`${tiny.v1}/models`);
    const nCtx = models.data[0].meta.n_ctx;
    const answer = await post(
      `${gateway.url}/v1/chat/completions`,
      chat('word '.repeat(nCtx * 2), { model: 'instant', max_tokens: 4 }),
    );
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('context_length_exceeded');
    expect(answer.body.error.message).toMatch(
      new RegExp(`exceeds the available context size \\(${nCtx} tokens\\)`),
    );
  });
});

import OpenAI from 'openai';
import type { Response, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { describeLlama, LlamaServer, stopAll } from './llama-server';
import { KEY, pool, startGateway, type LlamaGateway } from './gateway';

/**
 * The Responses front's bridge (Responses → chat → Responses) against llama-server, compared with
 * llama-server's own `/v1/responses` on the same replica: the same request at temperature 0 must
 * come back in the same shape with the same text, status and output tokens, streamed or not. A
 * llama-server build without `/v1/responses` has no reference: those comparisons are skipped,
 * loudly, and the bridge is still checked on its own.
 */
describeLlama('against llama-server: the Responses bridge', () => {
  let llama: LlamaServer;
  let gateway: LlamaGateway;
  let client: OpenAI;
  let reference: OpenAI;
  /** Whether this llama-server build answers `/v1/responses` itself. */
  let native = false;

  beforeAll(async () => {
    llama = await LlamaServer.start({ alias: 'tiny-instant' });
    gateway = await startGateway({
      // The thinking pool is the same replica answering natively (its own /v1/responses).
      pools: { instant: pool([llama]), thinking: pool([llama], { responses_api: 'native' }) },
      tiers: {
        instant: { pool: 'instant', model: 'tiny-instant' },
        thinking: { pool: 'thinking', model: 'tiny-instant' },
      },
    });
    client = new OpenAI({
      apiKey: KEY,
      baseURL: `${gateway.url}/v1`,
      maxRetries: 0,
      timeout: 60_000,
    });
    reference = new OpenAI({ apiKey: 'none', baseURL: llama.v1, maxRetries: 0, timeout: 60_000 });
    const probe = await fetch(`${llama.v1}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tiny-instant', input: 'hi', max_output_tokens: 1 }),
    });
    native = probe.status === 200;
    if (!native) {
      console.warn(
        `\n!!! This llama-server build answers /v1/responses with ${probe.status}: the comparisons ` +
          'with its own Responses API are skipped; the bridge is still checked on its own.\n',
      );
    }
  }, 120_000);

  afterAll(async () => {
    await gateway?.stop();
    await stopAll([llama]);
  });

  const ask = {
    model: 'tiny-instant',
    input: 'Hello!',
    max_output_tokens: 12,
    temperature: 0,
    store: false,
  } as const;

  /** The parts of a response both sides must agree on. */
  const shapeOf = (response: Response) => ({
    object: response.object,
    status: response.status,
    output: response.output.map((item) => ({
      type: item.type,
      role: item.type === 'message' ? item.role : undefined,
      parts: item.type === 'message' ? item.content.map((part) => part.type) : undefined,
    })),
  });

  it('answers responses.create in the shape llama-server gives, with the same text', async () => {
    const bridged = await client.responses.create(ask);
    expect(bridged.object).toBe('response');
    expect(bridged.output_text.length).toBeGreaterThan(0);
    expect(bridged.usage!.output_tokens).toBe(12);
    expect(bridged.status).toBe('incomplete');
    if (!native) return;
    const own = await reference.responses.create(ask);
    expect(bridged.output_text).toBe(own.output_text);
    expect(bridged.usage!.output_tokens).toBe(own.usage!.output_tokens);
    // The bridge reports a cut answer as incomplete (OpenAI's rule); say so if llama differs.
    expect(shapeOf({ ...bridged, status: own.status })).toEqual(shapeOf(own));
    // Every usage field llama-server reports, the bridge reports (it adds output_tokens_details).
    expect(Object.keys(bridged.usage!)).toEqual(
      expect.arrayContaining(Object.keys(own.usage ?? {})),
    );
  });

  it('streams the same text through the same event types as llama-server', async () => {
    const collect = async (api: OpenAI) => {
      const stream = api.responses.stream(ask);
      const events: ResponseStreamEvent[] = [];
      for await (const event of stream) events.push(event);
      return { events, final: await stream.finalResponse() };
    };
    const bridged = await collect(client);
    const types = new Set(bridged.events.map((e) => e.type));
    for (const type of [
      'response.created',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.output_item.done',
    ]) {
      expect(types).toContain(type);
    }
    expect(bridged.events.map((e) => e.sequence_number)).toEqual(bridged.events.map((_, i) => i));
    if (!native) return;
    // llama-server's own stream, read raw: its response.created has no `output` list, which the
    // SDK's accumulator needs, so the SDK cannot read it (a difference of llama-server's).
    const raw = await fetch(`${llama.v1}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...ask, stream: true }),
    }).then((r) => r.text());
    const own = raw
      .split('\n')
      .filter((line) => line.startsWith('data: ') && line !== 'data: [DONE]')
      .map((line) => JSON.parse(line.slice(6)) as { type: string; delta?: string });
    const ownText = own
      .filter((e) => e.type === 'response.output_text.delta')
      .map((e) => e.delta)
      .join('');
    expect(bridged.final.output_text).toBe(ownText);
    // Every event type llama-server sends for a text answer, the bridge sends too.
    for (const type of new Set(own.map((e) => e.type))) {
      if (type === 'response.completed' || type === 'response.incomplete') continue;
      expect(types).toContain(type);
    }
  });

  it('continues a stored response on the real model', async () => {
    const first = await client.responses.create({ ...ask, store: true });
    const next = await client.responses.create({
      ...ask,
      store: true,
      input: 'And again.',
      previous_response_id: first.id,
    });
    expect(next.previous_response_id).toBe(first.id);
    expect(next.usage!.input_tokens).toBeGreaterThan(first.usage!.input_tokens);
  });

  describe('a native pool (responses_api: native) on the same replica', () => {
    const nativeAsk = { ...ask, model: 'thinking' };

    it('answers what llama-server answers, with the gateway’s id and the pool model id', async () => {
      if (!native) return;
      const passed = await client.responses.create(nativeAsk);
      const own = await reference.responses.create(ask);
      expect(passed.id).toMatch(/^resp_[0-9a-f]{48}$/);
      expect(passed.model).toBe('tiny-instant');
      expect(passed.output_text).toBe(own.output_text);
      expect(passed.usage!.output_tokens).toBe(own.usage!.output_tokens);
      expect(passed.usage!.input_tokens).toBe(own.usage!.input_tokens);
    });

    it('streams llama-server’s events so the official client can read them', async () => {
      if (!native) return;
      const stream = client.responses.stream(nativeAsk);
      const types: string[] = [];
      let text = '';
      for await (const event of stream) {
        types.push(event.type);
        if (event.type === 'response.output_text.delta') text += event.delta;
      }
      const final = await stream.finalResponse();
      expect(types).toContain('response.output_text.delta');
      expect(final.output_text).toBe(text);
      expect(final.id).toMatch(/^resp_[0-9a-f]{48}$/);
      expect(final.usage!.output_tokens).toBeGreaterThan(0);
      expect(text).toBe((await reference.responses.create(ask)).output_text);
    });

    it('continues a stored response from the gateway’s store', async () => {
      if (!native) return;
      const first = await client.responses.create({ ...nativeAsk, store: true });
      const next = await client.responses.create({
        ...nativeAsk,
        store: true,
        input: 'And again.',
        previous_response_id: first.id,
      });
      expect(next.previous_response_id).toBe(first.id);
      expect(next.usage!.input_tokens).toBeGreaterThan(first.usage!.input_tokens);
      expect((await client.responses.retrieve(next.id)).output_text).toBe(next.output_text);
    });
  });
});

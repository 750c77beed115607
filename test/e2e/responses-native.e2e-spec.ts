import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import OpenAI from 'openai';
import { startSimulator, type RunningSimulator } from '../simulator';
import { TEST_KEY, startYamlGateway, withSim, type YamlGateway } from './harness';

type Sims = { instant: RunningSimulator[]; thinking: RunningSimulator[] };

/**
 * `pools.<pool>.responses_api: native` (docs/responses-api.md): the instant pool's two
 * replicas answer `/v1/responses` themselves; the thinking pool bridges to chat completions.
 */
describe('POST /v1/responses on a native pool (the replicas’ own /v1/responses)', () => {
  let gateway: YamlGateway<Sims>;
  let client: OpenAI;
  const instantCalls = () => gateway.sims.instant.flatMap((sim) => sim.requests());
  const lastInstant = () =>
    instantCalls()
      .sort((a, b) => a.startedAt - b.startedAt || a.seq - b.seq)
      .at(-1)!;

  beforeAll(async () => {
    const sims: Sims = {
      instant: [
        await startSimulator({ model: 'sim-instant', name: 'instant-0' }),
        await startSimulator({ model: 'sim-instant', name: 'instant-1' }),
      ],
      thinking: [
        await startSimulator({
          model: 'sim-thinking',
          name: 'thinking',
          behavior: { reasoning: 'reasoning_content' },
        }),
      ],
    };
    const pool = (tier: keyof Sims, responsesApi: string) => ({
      responses_api: responsesApi,
      health_check: { enabled: false },
      retries: { max_attempts: 3, backoff_base_ms: 5, backoff_max_ms: 50 },
      upstreams: sims[tier].map((sim) => ({ url: sim.url })),
    });
    gateway = await startYamlGateway(
      {
        pools: { instant: pool('instant', 'native'), thinking: pool('thinking', 'bridge') },
        tiers: {
          instant: { pool: 'instant', model: 'sim-instant' },
          thinking: { pool: 'thinking', model: 'sim-thinking' },
        },
      },
      sims,
    );
    client = new OpenAI({
      apiKey: TEST_KEY,
      baseURL: `${gateway.url}/v1`,
      maxRetries: 0,
      timeout: 20_000,
    });
  });
  afterAll(() => gateway.close());
  beforeEach(() => {
    for (const sim of [...gateway.sims.instant, ...gateway.sims.thinking]) {
      sim.reset();
      sim.configure({ failRate: 0 });
    }
  });

  it('sends the request to /v1/responses with the pool model id and answers in the bridge’s shape', async () => {
    const { data, response } = await client.responses
      .create(withSim({ model: 'instant', input: 'hello', store: false }, { content: 'native hi' }))
      .withResponse();
    expect(response.headers.get('x-gateway-tier')).toBe('instant');
    const calls = instantCalls();
    expect(calls.map((call) => call.path)).toEqual(['/v1/responses']);
    const sent = calls[0].body as Record<string, unknown>;
    expect(sent.model).toBe('sim-instant');
    expect(sent.store).toBe(false);
    expect(sent.input).toEqual([{ type: 'message', role: 'user', content: 'hello' }]);
    expect(data.id).toMatch(/^resp_[0-9a-f]{48}$/);
    expect(data.model).toBe('sim-instant');
    expect(data.status).toBe('completed');
    expect(data.output_text).toBe('native hi');
    expect((data as unknown as { store: boolean }).store).toBe(false);
    expect(data.usage!.input_tokens).toBeGreaterThan(0);
    expect(data.usage!.output_tokens).toBeGreaterThan(0);
    expect(data.usage!.total_tokens).toBe(data.usage!.input_tokens + data.usage!.output_tokens);
  });

  it('resolves previous_response_id from the gateway’s store into input items, never forwarding it', async () => {
    const first = await client.responses.create(
      withSim({ model: 'instant', input: 'my name is Ada' }, { content: 'hello Ada' }),
    );
    const second = await client.responses.create(
      withSim(
        { model: 'instant', input: 'what is my name?', previous_response_id: first.id },
        {
          content: 'Ada',
        },
      ),
    );
    const sent = lastInstant().body as Record<string, unknown>;
    expect(sent).not.toHaveProperty('previous_response_id');
    const input = sent.input as { type: string; role?: string; content?: unknown }[];
    expect(input[0]).toMatchObject({ role: 'user' });
    expect(JSON.stringify(input[0].content)).toContain('my name is Ada');
    expect(input[1]).toMatchObject({ type: 'message', role: 'assistant' });
    expect(JSON.stringify(input[1].content)).toContain('hello Ada');
    expect(input.at(-1)).toMatchObject({ role: 'user', content: 'what is my name?' });
    expect(second.previous_response_id).toBe(first.id);
    const stored = await client.responses.retrieve(second.id);
    expect(stored.output_text).toBe('Ada');
  });

  it('streams the upstream’s events with the response id and model rewritten, and stores the result', async () => {
    const stream = client.responses.stream(
      withSim({ model: 'instant', input: 'stream please' }, { content: 'one two three' }),
    );
    const types: string[] = [];
    let text = '';
    const ids = new Set<string>();
    for await (const event of stream as AsyncIterable<ResponseStreamEvent>) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
      if ('response' in event) ids.add(event.response.id);
    }
    const final = await stream.finalResponse();
    expect(lastInstant().path).toBe('/v1/responses');
    expect((lastInstant().body as { stream?: boolean }).stream).toBe(true);
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(types).toContain('response.output_text.delta');
    expect(text).toBe('one two three');
    expect([...ids]).toEqual([final.id]);
    expect(final.id).toMatch(/^resp_[0-9a-f]{48}$/);
    expect(final.model).toBe('sim-instant');
    expect(final.usage!.output_tokens).toBeGreaterThan(0);
    expect((await client.responses.retrieve(final.id)).output_text).toBe('one two three');
  });

  it('retries on another replica before anything reached the caller (whole and streamed)', async () => {
    gateway.sims.instant[0].configure({ failRate: 1, failStatus: 503 });
    for (let i = 0; i < 4; i++) {
      const whole = await client.responses.create(
        withSim({ model: 'instant', input: 'hi', store: false }, { content: 'from a survivor' }),
      );
      expect(whole.output_text).toBe('from a survivor');
      const streamed = await client.responses
        .stream(withSim({ model: 'instant', input: 'hi', store: false }, { content: 'streamed' }))
        .finalResponse();
      expect(streamed.output_text).toBe('streamed');
    }
    expect(gateway.sims.instant[1].requests().every((call) => call.path === '/v1/responses')).toBe(
      true,
    );
    expect(gateway.sims.instant[1].requests()).toHaveLength(8);
  });

  it('bridges a request offering a registered server-side tool, so the gateway runs it', async () => {
    const { data, response } = await client.responses
      .create(
        withSim(
          {
            model: 'instant',
            input: 'what time is it in UTC?',
            tools: [{ type: 'function', name: 'current_time' }],
            store: false,
          },
          {
            tool_calls: [{ name: 'current_time', arguments: '{"timezone":"UTC"}' }],
            tool_rounds: 1,
          },
        ) as never,
      )
      .withResponse();
    expect(response.headers.get('x-gateway-tool-rounds')).toBe('1');
    expect((data as { output_text: string }).output_text).toContain('Tool results:');
    expect(instantCalls().map((call) => call.path)).toEqual([
      '/v1/chat/completions',
      '/v1/chat/completions',
    ]);
  });

  it('ends a stream broken after its commit point in-band with response.failed', async () => {
    const stream = client.responses.stream(
      withSim(
        { model: 'instant', input: 'hi', store: false },
        { content: 'a b c d e f g h', mode: 'cut', cut_after_chunks: 6 },
      ),
    );
    const types: string[] = [];
    for await (const event of stream as AsyncIterable<ResponseStreamEvent>) types.push(event.type);
    expect(types).toContain('response.output_text.delta');
    expect(types.at(-1)).toBe('response.failed');
  });

  it('still bridges the pool configured as bridge (chat completions, reasoning apart)', async () => {
    const answer = await client.responses.create({
      model: 'thinking',
      input: 'think',
      store: false,
    });
    expect(gateway.sims.thinking[0].requests().map((call) => call.path)).toEqual([
      '/v1/chat/completions',
    ]);
    expect(answer.output.map((item) => item.type)).toContain('reasoning');
  });
});

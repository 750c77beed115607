import { describeLlama, LlamaServer, stopAll } from './llama-server';
import { chat, pool, post, postSse, startGateway, type LlamaGateway } from './gateway';

const WEATHER = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      },
      required: ['city', 'unit'],
    },
  },
};
const LOOKUP = {
  type: 'function',
  function: {
    name: 'lookup',
    parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] },
  },
};
const CALCULATOR = { type: 'function', function: { name: 'calculator' } };

/** True when `text` parses as JSON. */
function isJson(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Tools against real llama-server replicas: the tiny model's grammar-forced `<tool_call>` makes
 * a real, valid call whenever tools are offered and no call has been made yet.
 */
describeLlama('against llama-server: client tools and the server-side tool loop', () => {
  let a: LlamaServer;
  let b: LlamaServer;
  let gateway: LlamaGateway;
  let url: string;

  beforeAll(async () => {
    [a, b] = await Promise.all([
      LlamaServer.start({ alias: 'tiny' }),
      LlamaServer.start({ alias: 'tiny' }),
    ]);
    gateway = await startGateway({
      pools: { instant: pool([a, b]) },
      tiers: { instant: { pool: 'instant', model: 'tiny' } },
    });
    url = gateway.url;
  }, 120_000);

  afterAll(async () => {
    await gateway?.stop();
    await stopAll([a, b]);
  });

  describe('client tools', () => {
    it('hands a call of the caller’s own tool back as tool_calls with JSON arguments', async () => {
      const answer = await post(
        `${url}/v1/chat/completions`,
        chat('What is the weather in Paris?', {
          tools: [WEATHER],
          max_tokens: 200,
          temperature: 0,
        }),
      );
      expect(answer.status).toBe(200);
      const choice = answer.body.choices[0];
      expect(choice.finish_reason).toBe('tool_calls');
      expect(choice.message.tool_calls).toHaveLength(1);
      const [call] = choice.message.tool_calls;
      expect(call.type).toBe('function');
      expect(call.function.name).toBe('get_weather');
      expect(call.id).toMatch(/^\S{8,}$/);
      const args = JSON.parse(call.function.arguments);
      expect(typeof args.city).toBe('string');
      expect(['celsius', 'fahrenheit']).toContain(args.unit);
      expect(answer.headers.get('x-gateway-tool-rounds')).toBeNull();
    });

    it('streams a call of the caller’s own tool: the deltas assemble into JSON arguments', async () => {
      const stream = await postSse(
        `${url}/v1/chat/completions`,
        chat('What is the weather in Paris?', {
          tools: [WEATHER],
          max_tokens: 200,
          stream: true,
          // At the server's default temperature the tiny model's output is sampled: this test
          // failed in one CI run (arguments not JSON). Fixed output, so it checks the relay.
          temperature: 0,
        }),
      );
      expect(stream.status).toBe(200);
      expect(stream.data[stream.data.length - 1]).toBe('[DONE]');
      const deltas = stream.chunks.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []);
      expect(deltas.length).toBeGreaterThan(0);
      const name = deltas.map((d: any) => d.function?.name ?? '').join('');
      const args = deltas.map((d: any) => d.function?.arguments ?? '').join('');
      expect(name).toBe('get_weather');
      expect(isJson(args)).toBe(true);
      const finish = stream.chunks.map((c) => c.choices[0]?.finish_reason).filter(Boolean);
      expect(finish).toEqual(['tool_calls']);
    });

    it('a call cut off by max_tokens keeps llama.cpp’s finish_reason length', async () => {
      const answer = await post(
        `${url}/v1/chat/completions`,
        chat('What is the weather in Paris?', { tools: [WEATHER], max_tokens: 20 }),
      );
      expect(answer.status).toBe(200);
      expect(answer.body.choices[0].finish_reason).toBe('length');
    });

    // Defect 3: with a server-side tool offered too, a cut-off call of the caller's own tool
    // came back as finish_reason "tool_calls" with arguments "{" that the caller cannot parse.
    // At temperature 0 and 20 tokens the tiny model calls `lookup` and is cut off after "{".
    // Required: the upstream's finish_reason ("length") is never rewritten.
    it.each([false, true])(
      'a cut-off call of the caller’s tool beside a server-side tool keeps finish_reason length (stream: %s)',
      async (stream) => {
        const body = chat('What is the weather in Paris?', {
          tools: [LOOKUP, CALCULATOR],
          temperature: 0,
          max_tokens: 20,
          stream,
        });
        let finish: unknown[];
        if (stream) {
          const sse = await postSse(`${url}/v1/chat/completions`, body);
          expect(sse.status).toBe(200);
          finish = sse.chunks.map((c) => c.choices?.[0]?.finish_reason).filter(Boolean);
        } else {
          const answer = await post(`${url}/v1/chat/completions`, body);
          expect(answer.status).toBe(200);
          finish = [answer.body.choices[0].finish_reason];
        }
        expect(finish).toEqual(['length']);
      },
    );
  });

  describe('server-side tools (the gateway’s loop)', () => {
    it('runs `calculator` for the model and returns the final answer', async () => {
      const answer = await post(
        `${url}/v1/chat/completions`,
        // Temperature 0: sampled, the first round's call is sometimes cut off by max_tokens,
        // which rightly ends the loop with `length` and no text (defect 2).
        chat('Compute 1*7', { tools: [CALCULATOR], max_tokens: 200, temperature: 0 }),
      );
      expect(answer.status).toBe(200);
      expect(Number(answer.headers.get('x-gateway-tool-rounds'))).toBeGreaterThanOrEqual(1);
      const choice = answer.body.choices[0];
      // After a tool result the tiny model answers text, no further calls.
      expect(choice.message.tool_calls ?? []).toEqual([]);
      expect(typeof choice.message.content).toBe('string');
      expect(choice.finish_reason).toBe('length');
      // Usage covers every round: more than the last round's completion alone.
      expect(answer.body.usage.completion_tokens).toBeGreaterThan(200);
    });

    it('streams the loop’s final answer', async () => {
      const stream = await postSse(
        `${url}/v1/chat/completions`,
        chat('Compute 1*7', { tools: [CALCULATOR], max_tokens: 200, stream: true, temperature: 0 }),
      );
      expect(stream.status).toBe(200);
      expect(stream.data[stream.data.length - 1]).toBe('[DONE]');
      expect(stream.chunks.some((c) => c.error)).toBe(false);
      const text = stream.chunks.map((c) => c.choices?.[0]?.delta?.content ?? '').join('');
      expect(text.length).toBeGreaterThan(0);
    });

    // Defect 2: the issue's own request. The round ends with `length` mid-arguments; the loop
    // must stop there and return finish_reason "length", not send the broken call upstream
    // (llama.cpp: 500 "Failed to parse tool call arguments as JSON") and answer 502.
    it('stops on a round cut off mid-call: 200 finish_reason length, nothing invalid sent upstream', async () => {
      const body = {
        model: 'instant',
        messages: [{ role: 'user', content: 'Compute 1*7' }],
        max_tokens: 30,
        tools: [{ type: 'function', function: { name: 'calculator' } }],
      };
      const before = a.output().length + b.output().length;
      const answer = await post(`${url}/v1/chat/completions`, body);
      expect(answer.status).toBe(200);
      expect(answer.body.choices[0].finish_reason).toBe('length');
      for (const call of answer.body.choices[0].message.tool_calls ?? []) {
        expect(isJson(call.function.arguments)).toBe(false);
      }

      const stream = await postSse(`${url}/v1/chat/completions`, { ...body, stream: true });
      expect(stream.status).toBe(200);
      expect(stream.chunks.some((c) => c.error)).toBe(false);
      expect(stream.data[stream.data.length - 1]).toBe('[DONE]');
      const finish = stream.chunks.map((c) => c.choices?.[0]?.finish_reason).filter(Boolean);
      expect(finish).toEqual(['length']);
      const logs = a.output() + b.output();
      expect(logs.length).toBeGreaterThanOrEqual(before);
      expect(logs).not.toMatch(/Failed to parse tool call arguments/);
    });

    // Defect 8: tool-loop answers were re-serialised: the role chunk's `content: null`
    // dropped, llama.cpp's `timings` lost, the final round gathered into one delta.
    it('forwards the loop’s final round as llama.cpp streamed it (role chunk, deltas, timings)', async () => {
      const stream = await postSse(
        `${url}/v1/chat/completions`,
        chat('Compute 1*7', { tools: [CALCULATOR], max_tokens: 200, stream: true, temperature: 0 }),
      );
      expect(stream.status).toBe(200);
      const [first] = stream.chunks;
      expect(first.choices[0].delta).toEqual({ role: 'assistant', content: null });
      const contentChunks = stream.chunks.filter((c) => c.choices?.[0]?.delta?.content);
      expect(contentChunks.length).toBeGreaterThan(3);
      expect(
        stream.chunks.some((c) => c.timings && typeof c.timings.predicted_n === 'number'),
      ).toBe(true);
    });

    // Defect 8, non-streamed: llama.cpp's `timings` survives the tool loop.
    it('keeps llama.cpp’s `timings` in a non-streamed tool-loop answer', async () => {
      const answer = await post(
        `${url}/v1/chat/completions`,
        chat('Compute 1*7', { tools: [CALCULATOR], max_tokens: 200 }),
      );
      expect(answer.status).toBe(200);
      expect(answer.body.timings).toEqual(
        expect.objectContaining({ predicted_n: expect.any(Number) }),
      );
    });
  });
});

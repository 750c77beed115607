import { describeLlama, LlamaServer, stopAll } from './llama-server';
import { chat, pool, post, postSse, startGateway, type LlamaGateway } from './gateway';

/**
 * Chat, streams, usage, embeddings, legacy completions and context overflow through the built
 * gateway against two real llama-server replicas (instant) and a third (thinking).
 */
describeLlama('against llama-server: chat, streams, usage, embeddings, completions', () => {
  let a: LlamaServer;
  let b: LlamaServer;
  let c: LlamaServer;
  let gateway: LlamaGateway;
  let url: string;

  beforeAll(async () => {
    [a, b, c] = await Promise.all([
      LlamaServer.start({ alias: 'tiny-instant' }),
      LlamaServer.start({ alias: 'tiny-instant' }),
      LlamaServer.start({ alias: 'tiny-thinking' }),
    ]);
    gateway = await startGateway({
      pools: { instant: pool([a, b]), thinking: pool([c]), embed: pool([a, b]) },
      tiers: {
        instant: { pool: 'instant', model: 'tiny-instant' },
        thinking: { pool: 'thinking', model: 'tiny-thinking' },
      },
      embeddings: { pool: 'embed', model: 'tiny-instant' },
    });
    url = gateway.url;
  }, 120_000);

  afterAll(async () => {
    await gateway?.stop();
    await stopAll([a, b, c]);
  });

  describe('chat', () => {
    it('answers non-streamed, deterministically at temperature 0, whichever replica serves', async () => {
      const body = chat('Hello!', { temperature: 0, max_tokens: 12 });
      const answers = await Promise.all(
        [1, 2, 3, 4].map(() => post(`${url}/v1/chat/completions`, body)),
      );
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        expect(answer.body.object).toBe('chat.completion');
        expect(answer.body.choices).toHaveLength(1);
        expect(answer.body.choices[0].message.role).toBe('assistant');
        expect(answer.body.choices[0].finish_reason).toBe('length');
        expect(answer.body.usage.completion_tokens).toBe(12);
        expect(answer.body.usage.prompt_tokens).toBeGreaterThan(0);
        expect(answer.headers.get('x-gateway-tier')).toBe('instant');
      }
      const contents = answers.map((r) => r.body.choices[0].message.content as string);
      expect(contents[0].length).toBeGreaterThan(0);
      expect(new Set(contents).size).toBe(1);
    });

    it('honours `stop`: finish_reason stop, the stop string not included', async () => {
      const free = await post(
        `${url}/v1/chat/completions`,
        chat('Hello!', { temperature: 0, max_tokens: 48 }),
      );
      const stopped = await post(
        `${url}/v1/chat/completions`,
        chat('Hello!', { temperature: 0, max_tokens: 48, stop: ['tream'] }),
      );
      expect(free.status).toBe(200);
      expect(stopped.status).toBe(200);
      const full: string = free.body.choices[0].message.content;
      const cut: string = stopped.body.choices[0].message.content;
      expect(full).toContain('tream');
      expect(stopped.body.choices[0].finish_reason).toBe('stop');
      expect(cut).not.toContain('tream');
      expect(full.startsWith(cut)).toBe(true);
      expect(stopped.body.usage.completion_tokens).toBeLessThan(48);
    });

    it('routes `thinking` to the thinking replica and lists both tiers in /v1/models', async () => {
      const answer = await post(`${url}/v1/chat/completions`, chat('Hi', { model: 'thinking' }));
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-gateway-tier')).toBe('thinking');
      const models = await fetch(`${url}/v1/models`, {
        headers: { authorization: `Bearer ${gateway.client.apiKey}` },
      });
      const ids = ((await models.json()) as any).data.map((m: any) => m.id);
      expect(ids).toEqual(
        expect.arrayContaining(['instant', 'thinking', 'tiny-instant', 'tiny-thinking']),
      );
    });

    // Defect 8: fields the upstream sends (llama.cpp's `timings`) must reach the caller.
    it('keeps llama.cpp `timings` in a non-streamed answer', async () => {
      const answer = await post(`${url}/v1/chat/completions`, chat('Hello!'));
      expect(answer.status).toBe(200);
      expect(answer.body.timings).toEqual(expect.objectContaining({ predicted_n: 8 }));
    });
  });

  describe('streams', () => {
    it('forwards raw SSE: role chunk first, one `data:` event per chunk, then [DONE]; the same text as non-streamed', async () => {
      const body = chat('Hello!', { temperature: 0, max_tokens: 12 });
      const whole = await post(`${url}/v1/chat/completions`, body);
      const stream = await postSse(`${url}/v1/chat/completions`, { ...body, stream: true });
      expect(stream.status).toBe(200);
      expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
      // Every event is exactly `data: <payload>\n\n` (comments aside), and the last is [DONE].
      const events = stream.raw.split('\n\n').filter((e) => e !== '' && !e.startsWith(':'));
      for (const event of events) expect(event).toMatch(/^data: [^\n]+$/);
      expect(stream.raw.endsWith('data: [DONE]\n\n')).toBe(true);
      expect(stream.data.filter((d) => d === '[DONE]')).toHaveLength(1);

      const [first] = stream.chunks;
      expect(first.object).toBe('chat.completion.chunk');
      expect(first.choices[0].delta.role).toBe('assistant');
      const text = stream.chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
      expect(text).toBe(whole.body.choices[0].message.content);
      const finish = stream.chunks.filter((c) => c.choices[0]?.finish_reason);
      expect(finish.map((c) => c.choices[0].finish_reason)).toEqual(['length']);
      // Several content chunks: the stream is forwarded, not gathered into one event.
      expect(stream.chunks.filter((c) => c.choices[0]?.delta?.content).length).toBeGreaterThan(3);
    });

    it('streams to the official `openai` client', async () => {
      const stream = await gateway.client.chat.completions.create({
        model: 'instant',
        messages: [{ role: 'user', content: 'Hello!' }],
        max_tokens: 12,
        temperature: 0,
        stream: true,
      });
      let text = '';
      let finish: string | null = null;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      const whole = await gateway.client.chat.completions.create({
        model: 'instant',
        messages: [{ role: 'user', content: 'Hello!' }],
        max_tokens: 12,
        temperature: 0,
      });
      expect(finish).toBe('length');
      expect(text.length).toBeGreaterThan(0);
      expect(text).toBe(whole.choices[0].message.content);
    });
  });

  describe('usage', () => {
    it('sends the usage chunk (choices: []) when the caller asks for it', async () => {
      const stream = await postSse(
        `${url}/v1/chat/completions`,
        chat('Hello!', { stream: true, stream_options: { include_usage: true } }),
      );
      expect(stream.status).toBe(200);
      const last = stream.chunks[stream.chunks.length - 1];
      expect(last.choices).toEqual([]);
      expect(last.usage).toEqual(
        expect.objectContaining({
          completion_tokens: 8,
          prompt_tokens: expect.any(Number),
          total_tokens: expect.any(Number),
        }),
      );
      expect(last.usage.total_tokens).toBe(last.usage.prompt_tokens + 8);
      expect(stream.chunks.filter((c) => c.usage)).toHaveLength(1);
    });

    it('sends no usage chunk when the caller did not ask (the gateway asks upstream anyway)', async () => {
      const stream = await postSse(`${url}/v1/chat/completions`, chat('Hello!', { stream: true }));
      expect(stream.status).toBe(200);
      expect(stream.chunks.some((c) => c.usage)).toBe(false);
      expect(stream.chunks.some((c) => Array.isArray(c.choices) && c.choices.length === 0)).toBe(
        false,
      );
      expect(stream.data[stream.data.length - 1]).toBe('[DONE]');
    });

    // Defect 8: llama.cpp's `timings` disappeared from streams when the caller did not ask for
    // usage (it rides on the finish chunk and on the usage chunk).
    it('keeps `timings` in a stream without include_usage', async () => {
      const stream = await postSse(`${url}/v1/chat/completions`, chat('Hello!', { stream: true }));
      expect(stream.status).toBe(200);
      expect(
        stream.chunks.some((c) => c.timings && typeof c.timings.predicted_n === 'number'),
      ).toBe(true);
    });
  });

  describe('embeddings', () => {
    it('answers floats: 64 per input, L2-normalised, one entry per input', async () => {
      const answer = await post(`${url}/v1/embeddings`, {
        model: 'tiny-instant',
        input: ['hello world', 'something else entirely'],
      });
      expect(answer.status).toBe(200);
      expect(answer.body.object).toBe('list');
      expect(answer.body.data.map((d: any) => d.index)).toEqual([0, 1]);
      for (const { embedding } of answer.body.data) {
        expect(embedding).toHaveLength(64);
        const norm = Math.sqrt(embedding.reduce((s: number, x: number) => s + x * x, 0));
        expect(norm).toBeCloseTo(1, 3);
      }
      expect(answer.body.data[0].embedding).not.toEqual(answer.body.data[1].embedding);
      expect(answer.body.usage.prompt_tokens).toBeGreaterThan(0);
    });

    it('answers base64 (little-endian float32) that decodes to the same vector', async () => {
      const [floats, encoded] = await Promise.all([
        post(`${url}/v1/embeddings`, { model: 'tiny-instant', input: 'hello world' }),
        post(`${url}/v1/embeddings`, {
          model: 'tiny-instant',
          input: 'hello world',
          encoding_format: 'base64',
        }),
      ]);
      expect(encoded.status).toBe(200);
      const text: string = encoded.body.data[0].embedding;
      expect(typeof text).toBe('string');
      const bytes = Buffer.from(text, 'base64');
      const decoded = Array.from(
        new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4),
      );
      expect(decoded).toHaveLength(64);
      decoded.forEach((x, i) => expect(x).toBeCloseTo(floats.body.data[0].embedding[i], 5));
    });
  });

  describe('legacy /v1/completions', () => {
    it('answers a text_completion, streamed and not', async () => {
      const whole = await post(`${url}/v1/completions`, {
        model: 'instant',
        prompt: 'Once upon a time',
        max_tokens: 8,
        temperature: 0,
      });
      expect(whole.status).toBe(200);
      expect(whole.body.object).toBe('text_completion');
      expect(typeof whole.body.choices[0].text).toBe('string');
      expect(whole.body.choices[0].text.length).toBeGreaterThan(0);
      expect(whole.body.choices[0].finish_reason).toBe('length');
      expect(whole.body.usage.completion_tokens).toBe(8);

      const stream = await postSse(`${url}/v1/completions`, {
        model: 'instant',
        prompt: 'Once upon a time',
        max_tokens: 8,
        temperature: 0,
        stream: true,
      });
      expect(stream.status).toBe(200);
      expect(stream.data[stream.data.length - 1]).toBe('[DONE]');
      const text = stream.chunks.map((c) => c.choices[0]?.text ?? '').join('');
      expect(text).toBe(whole.body.choices[0].text);
    });
  });

  describe('context overflow', () => {
    // Defect 7: llama.cpp's 400 exceed_context_size_error must become 400
    // context_length_exceeded, with llama.cpp's own detail in the message.
    it.each([false, true])(
      'a prompt longer than the slot is 400 context_length_exceeded with the upstream detail (stream: %s)',
      async (stream) => {
        const long = 'lorem ipsum dolor sit amet '.repeat(600);
        const answer = await post(`${url}/v1/chat/completions`, chat(long, { stream }));
        expect(answer.status).toBe(400);
        expect(answer.body.error).toEqual(
          expect.objectContaining({
            type: 'invalid_request_error',
            code: 'context_length_exceeded',
          }),
        );
        expect(answer.body.error.message).toMatch(
          /exceeds the available context size \(2048 tokens\)/,
        );
      },
    );

    it('does not count a context overflow against the replicas', async () => {
      const long = 'lorem ipsum dolor sit amet '.repeat(600);
      for (let i = 0; i < 6; i++) await post(`${url}/v1/chat/completions`, chat(long));
      const health = await fetch(`${url}/health`);
      const body = (await health.json()) as any;
      const upstreams = body.details['pool:instant'].upstreams as any[];
      expect(upstreams.map((u) => u.state)).toEqual(['healthy', 'healthy']);
      const answer = await post(`${url}/v1/chat/completions`, chat('Hello!'));
      expect(answer.headers.get('x-gateway-route-reason')).not.toMatch(/fallback/);
    });
  });
});

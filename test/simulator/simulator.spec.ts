import * as http from 'node:http';
import * as net from 'node:net';
import OpenAI from 'openai';
import { fetch as ufetch, Agent } from 'undici';
import { startSimulator, type RunningSimulator, type SimRequestRecord } from './index';
import { parseArgs } from './main';
import { splitPieces } from './wire';

const MODEL = 'sim-test';

/** `fetch` whose `json()` is loosely typed, for terse assertions on wire bodies. */
type Res = Omit<Response, 'json'> & { json(): Promise<any> };
const xfetch = (url: string, init?: RequestInit): Promise<Res> => fetch(url, init);

/** SSE `data:` payloads of a complete body (either line ending), comments skipped. */
function sseData(text: string): string[] {
  const out: string[] = [];
  for (const event of text.split(/\r?\n\r?\n/)) {
    const data = event
      .split(/\r?\n/)
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).replace(/^ /, ''));
    if (data.length > 0) out.push(data.join('\n'));
  }
  return out;
}

function jsonChunks(text: string): Record<string, any>[] {
  return sseData(text)
    .filter((d) => d !== '[DONE]')
    .map((d) => JSON.parse(d) as Record<string, any>);
}

function contentOf(chunks: Record<string, any>[]): string {
  return chunks.map((c) => c.choices?.[0]?.delta?.content ?? '').join('');
}

const USER = [{ role: 'user', content: 'Say hello to the simulator please' }];

describe('simulator', () => {
  let sim: RunningSimulator;
  let client: OpenAI;

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    xfetch(sim.origin + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const chat = (body: Record<string, unknown>, headers?: Record<string, string>) =>
    post('/v1/chat/completions', { model: MODEL, messages: USER, ...body }, headers);
  const lastRecord = (): SimRequestRecord => sim.requests().at(-1)!;

  beforeAll(async () => {
    sim = await startSimulator({ model: MODEL, name: 'spec' });
    client = new OpenAI({ baseURL: sim.url, apiKey: 'sk-test', maxRetries: 0 });
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.reset());

  describe('stop', () => {
    it('ends before the first stop string and names it in stop_reason, as vLLM does', async () => {
      const whole = await (await chat({})).json();
      const r = await (await chat({ stop: ['simulated', 'Tiergate'] })).json();
      expect(r.choices[0].message.content).toBe('Hello from the ');
      expect(r.choices[0].finish_reason).toBe('stop');
      expect(r.choices[0].stop_reason).toBe('Tiergate');
      expect(r.usage.completion_tokens).toBeLessThan(whole.usage.completion_tokens);
      const streamed = jsonChunks(await (await chat({ stream: true, stop: 'simulator' })).text());
      expect(contentOf(streamed)).toBe('Hello from the Tiergate ');
      const finish = streamed.find((c) => c.choices?.[0]?.finish_reason);
      expect(finish?.choices[0]).toMatchObject({ finish_reason: 'stop', stop_reason: 'simulator' });
    });

    it('says stop_reason null when no stop string matched', async () => {
      const r = await (await chat({ stop: ['never-said'] })).json();
      expect(r.choices[0].stop_reason).toBeNull();
      expect(r.choices[0].message.content).toMatch(/^Hello from the Tiergate simulator\./);
    });
  });

  describe('basics', () => {
    it('exposes urls and the model', () => {
      expect(sim.url).toBe(`http://127.0.0.1:${sim.port}/v1`);
      expect(sim.origin).toBe(`http://127.0.0.1:${sim.port}`);
      expect(sim.model).toBe(MODEL);
    });

    it('answers a non-streaming chat completion like vLLM (openai client)', async () => {
      const r = await client.chat.completions.create({ model: MODEL, messages: USER as any });
      expect(r.id).toMatch(/^chatcmpl-[0-9a-f]{32}$/);
      expect(r.object).toBe('chat.completion');
      expect(r.model).toBe(MODEL);
      expect(typeof r.created).toBe('number');
      const choice = r.choices[0];
      expect(choice.finish_reason).toBe('stop');
      expect(choice.logprobs).toBeNull();
      expect(choice.message.role).toBe('assistant');
      expect(choice.message.content).toMatch(/^Hello from the Tiergate simulator\./);
      expect(splitPieces(choice.message.content!)).toHaveLength(16);
      const prompt = Math.ceil('Say hello to the simulator please'.length / 4);
      expect(r.usage).toEqual(
        expect.objectContaining({
          prompt_tokens: prompt,
          completion_tokens: 16,
          total_tokens: prompt + 16,
        }),
      );
      expect(sim.stats()).toEqual({ received: 1, inFlight: 0, aborted: 0, completed: 1 });
    });

    it('records requests with headers and body', async () => {
      await chat(
        { temperature: 0.2, top_k: 5 },
        {
          authorization: 'Bearer abc',
          traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        },
      );
      const rec = lastRecord();
      expect(rec).toMatchObject({
        seq: 1,
        method: 'POST',
        path: '/v1/chat/completions',
        model: MODEL,
        stream: false,
        status: 200,
        aborted: false,
        completed: true,
        finishReason: 'stop',
      });
      expect(rec.headers.authorization).toBe('Bearer abc');
      expect(rec.headers.traceparent).toMatch(/^00-0af7/);
      expect(rec.body).toMatchObject({ top_k: 5, temperature: 0.2 });
      expect(rec.endedAt).toBeGreaterThanOrEqual(rec.startedAt);
    });

    it('caps with max_tokens / max_completion_tokens → finish_reason length', async () => {
      const a = await client.chat.completions.create({
        model: MODEL,
        messages: USER as any,
        max_tokens: 3,
      });
      expect(a.choices[0].finish_reason).toBe('length');
      expect(a.usage!.completion_tokens).toBe(3);
      expect(a.choices[0].message.content).toBe('Hello from the');
      const b = await client.chat.completions.create({
        model: MODEL,
        messages: USER as any,
        max_completion_tokens: 5,
      });
      expect(b.usage!.completion_tokens).toBe(5);
      expect(b.choices[0].finish_reason).toBe('length');
    });

    it('answers exactly x_sim.content, streamed one word-ish piece per chunk', async () => {
      const content = 'Bonjour,  le monde!\nÇa va? ';
      const r = await chat({ x_sim: { content } });
      expect((await r.json()).choices[0].message.content).toBe(content);
      const s = await chat({ stream: true, x_sim: { content } });
      const chunks = jsonChunks(await s.text());
      expect(contentOf(chunks)).toBe(content);
      // role chunk + 5 pieces + final
      expect(chunks).toHaveLength(1 + splitPieces(content).length + 1);
    });
  });

  describe('errors', () => {
    it('404s an unknown model with vLLM body', async () => {
      const r = await chat({ model: 'gpt-nope' });
      expect(r.status).toBe(404);
      expect(await r.json()).toEqual({
        error: {
          message: 'The model `gpt-nope` does not exist.',
          type: 'NotFoundError',
          param: 'model',
          code: 404,
        },
      });
    });

    it('400s invalid JSON and missing messages', async () => {
      const a = await post('/v1/chat/completions', '{"model": "x",');
      expect(a.status).toBe(400);
      const ea = (await a.json()).error;
      expect(ea).toMatchObject({ type: 'BadRequestError', code: 400 });
      expect(ea.message).toContain('JSON');
      const b = await post('/v1/chat/completions', { model: MODEL });
      expect(b.status).toBe(400);
      const eb = (await b.json()).error;
      expect(eb.type).toBe('BadRequestError');
      expect(eb.message).toContain('messages');
      const c = await chat({ max_tokens: 0 });
      expect(c.status).toBe(400);
    });

    it('400s a prompt over the context window', async () => {
      sim.configure({ contextWindow: 100 });
      const r = await chat({
        messages: [{ role: 'user', content: 'x'.repeat(800) }],
        max_tokens: 10,
      });
      expect(r.status).toBe(400);
      const e = (await r.json()).error;
      expect(e.type).toBe('BadRequestError');
      expect(e.message).toBe(
        "This model's maximum context length is 100 tokens. However, you requested 210 tokens " +
          '(200 in the messages, 10 in the completion). Please reduce the length of the messages or completion.',
      );
      const models = await (await xfetch(sim.url + '/models')).json();
      expect(models.data[0].max_model_len).toBe(100);
    });

    it('answers x_sim.status with the scripted message and retry-after', async () => {
      const r = await chat({
        x_sim: { status: 429, error_message: 'slow down', retryAfterSeconds: 7 },
      });
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBe('7');
      expect((await r.json()).error).toMatchObject({ message: 'slow down', code: 429 });
    });

    it('fails failRate of requests with failStatus', async () => {
      sim.configure({ failRate: 1, failStatus: 503, retryAfterSeconds: 2 });
      const r = await chat({});
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('2');
      expect((await r.json()).error).toMatchObject({ type: 'ServiceUnavailableError', code: 503 });
      sim.configure({ failRate: 0, retryAfterSeconds: undefined });
      expect((await chat({})).status).toBe(200);
    });

    it('404s unknown routes with JSON', async () => {
      const r = await xfetch(sim.origin + '/v2/whatever');
      expect(r.status).toBe(404);
      expect(await r.json()).toEqual({ detail: 'Not Found' });
    });
  });

  describe('llama.cpp wire and a server that cannot stream', () => {
    const llama = (extra: Record<string, unknown>) =>
      chat({ x_sim: { flavor: 'llamacpp', tokens: 2 }, ...extra });

    it.each<[string, boolean, number]>([
      ['on the usage chunk when usage was asked for', true, -1],
      ['on the finish chunk otherwise', false, -1],
    ])('streams a role chunk with content null, and timings %s', async (_name, usage, at) => {
      const r = await llama({ stream: true, stream_options: { include_usage: usage } });
      const chunks = jsonChunks(await r.text());
      expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: null });
      expect(chunks.filter((c) => c.timings)).toEqual([chunks.at(at)]);
      expect(chunks.at(at)!.choices.length).toBe(usage ? 0 : 1);
      expect(
        chunks.every(
          (c) => c.system_fingerprint === 'b1-sim' && !('usage' in c && c.usage === null),
        ),
      ).toBe(true);
    });

    it('cuts a tool call mid-arguments at max_tokens, and answers 500 to such a call in the history', async () => {
      const args = JSON.stringify({ expression: '1*7', note: 'x'.repeat(200) });
      const r = await llama({
        max_tokens: 10,
        x_sim: { flavor: 'llamacpp', tool_calls: [{ name: 'calculator', arguments: args }] },
      });
      const body = await r.json();
      expect(body.choices[0].finish_reason).toBe('length');
      const cut = body.choices[0].message.tool_calls[0].function.arguments;
      expect(args.startsWith(cut) && cut.length < args.length).toBe(true);
      expect(body.timings).toMatchObject({ predicted_n: expect.any(Number) });
      const back = await llama({
        messages: [
          ...USER,
          { role: 'assistant', content: null, tool_calls: body.choices[0].message.tool_calls },
        ],
      });
      expect(back.status).toBe(500);
      expect((await back.json()).error.message).toMatch(
        /^Failed to parse tool call arguments as JSON/,
      );
    });

    it('refuses stream: true and still answers whole requests', async () => {
      const refused = await chat({ stream: true, x_sim: { refuse_stream: true } });
      expect(refused.status).toBe(400);
      expect((await refused.json()).error.message).toBe(
        'Streaming is not supported by this server',
      );
      const whole = await chat({ x_sim: { refuse_stream: true } });
      expect(whole.status).toBe(200);
    });
  });

  describe('streaming', () => {
    it('streams vLLM chunks with include_usage (openai client)', async () => {
      const stream = await client.chat.completions.create({
        model: MODEL,
        messages: USER as any,
        stream: true,
        stream_options: { include_usage: true },
      });
      const chunks: any[] = [];
      for await (const c of stream) chunks.push(c);
      expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
      expect(chunks[0].object).toBe('chat.completion.chunk');
      const ids = new Set(chunks.map((c) => c.id));
      expect(ids.size).toBe(1);
      const last = chunks.at(-1);
      expect(last.choices).toEqual([]);
      expect(last.usage).toMatchObject({ completion_tokens: 16 });
      const fin = chunks.at(-2);
      expect(fin.choices[0]).toMatchObject({ delta: { content: '' }, finish_reason: 'stop' });
      for (const c of chunks.slice(0, -1)) expect(c.usage).toBeNull();
      expect(contentOf(chunks)).toMatch(/^Hello from the Tiergate simulator\./);
      expect(chunks).toHaveLength(1 + 16 + 1 + 1);
    });

    it('is raw SSE with [DONE] and no usage fields without include_usage', async () => {
      const r = await chat({ stream: true });
      expect(r.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const text = await r.text();
      expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
      expect(text).not.toContain('"usage"');
      for (const ev of text.split('\n\n').filter(Boolean))
        expect(ev.startsWith('data: ')).toBe(true);
    });

    it('reassembles large tool-call argument deltas (openai stream helper)', async () => {
      const big = JSON.stringify({ city: 'Paris', blob: 'x'.repeat(70 * 1024) });
      const x_sim = {
        tool_calls: [
          { name: 'get_weather', arguments: big },
          { name: 'get_time', arguments: '{"tz":"CET"}' },
        ],
        tool_args_chunk: 30000,
      };
      const runner = client.chat.completions.stream({
        model: MODEL,
        messages: USER as any,
        tools: [
          { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } },
        ],
        x_sim,
      } as any);
      let deltas = 0;
      runner.on('chunk', (c) => {
        if (c.choices[0]?.delta?.tool_calls) deltas++;
      });
      const final = await runner.finalChatCompletion();
      const msg = final.choices[0].message;
      expect(final.choices[0].finish_reason).toBe('tool_calls');
      expect(msg.tool_calls).toHaveLength(2);
      const [a, b] = msg.tool_calls! as any[];
      expect(a.id).toMatch(/^call_[0-9a-f]+$/);
      expect(a.type).toBe('function');
      expect(a.function).toEqual({ name: 'get_weather', arguments: big });
      expect(b.function).toEqual({ name: 'get_time', arguments: '{"tz":"CET"}' });
      // 1 + ceil(len/30000) for the first call, 1 + 1 for the second
      expect(deltas).toBe(1 + Math.ceil(big.length / 30000) + 2);

      // non-streaming form, and the follow-up round quoting tool results
      const r = await (await chat({ x_sim })).json();
      expect(r.choices[0].finish_reason).toBe('tool_calls');
      expect(r.choices[0].message.content).toBeNull();
      expect(r.choices[0].message.tool_calls[1].function.name).toBe('get_time');
      const follow = await (
        await chat({
          x_sim,
          messages: [
            ...USER,
            { role: 'assistant', content: null, tool_calls: r.choices[0].message.tool_calls },
            { role: 'tool', tool_call_id: 'a', content: 'sunny 21C' },
            { role: 'tool', tool_call_id: 'b', content: '14:00' },
          ],
        })
      ).json();
      expect(follow.choices[0].finish_reason).toBe('stop');
      expect(follow.choices[0].message.content).toBe('Tool results: sunny 21C; 14:00');
    });

    it('streams tool calls vLLM-style: id+name first, then argument pieces keyed by index', async () => {
      const r = await chat({
        stream: true,
        x_sim: { tool_calls: [{ name: 'f', arguments: { q: 'abcdefghijklmnopqrstuvwxyz' } }] },
      });
      const chunks = jsonChunks(await r.text());
      const tc = chunks
        .filter((c) => c.choices[0]?.delta?.tool_calls)
        .map((c) => c.choices[0].delta.tool_calls[0]);
      expect(tc[0]).toEqual({
        id: expect.stringMatching(/^call_/),
        type: 'function',
        index: 0,
        function: { name: 'f', arguments: '' },
      });
      expect(tc.slice(1).every((t) => t.index === 0 && t.function.arguments.length <= 16)).toBe(
        true,
      );
      expect(tc.map((t) => t.function.arguments).join('')).toBe(
        '{"q":"abcdefghijklmnopqrstuvwxyz"}',
      );
      expect(chunks.at(-1)!.choices[0].finish_reason).toBe('tool_calls');
    });

    it('honours tool_choice required without a script', async () => {
      const r = await (
        await chat({
          tools: [{ type: 'function', function: { name: 'lookup', parameters: {} } }],
          tool_choice: 'required',
        })
      ).json();
      expect(r.choices[0].message.tool_calls[0].function).toEqual({
        name: 'lookup',
        arguments: '{}',
      });
    });

    it('emits reasoning in each shape', async () => {
      sim.configure({ reasoning: 'reasoning_content', reasoningTokens: 4, tokens: 3 });
      const a = await (await chat({})).json();
      expect(a.choices[0].message.reasoning_content).toBe('Let me think about');
      expect(a.choices[0].message.content).toBe('Hello from the');
      expect(a.usage.completion_tokens).toBe(7);
      const sa = jsonChunks(await (await chat({ stream: true })).text());
      expect(sa.map((c) => c.choices[0]?.delta?.reasoning_content ?? '').join('')).toBe(
        'Let me think about',
      );

      const b = await (await chat({ x_sim: { reasoning: 'reasoning' } })).json();
      expect(b.choices[0].message.reasoning).toBe('Let me think about');
      const sb = jsonChunks(
        await (await chat({ stream: true, x_sim: { reasoning: 'reasoning' } })).text(),
      );
      expect(sb.map((c) => c.choices[0]?.delta?.reasoning ?? '').join('')).toBe(
        'Let me think about',
      );

      const c = await (await chat({ x_sim: { reasoning: 'think-tags' } })).json();
      expect(c.choices[0].message.content).toBe('<think>Let me think about</think>Hello from the');
      const sc = jsonChunks(
        await (await chat({ stream: true, x_sim: { reasoning: 'think-tags' } })).text(),
      );
      expect(contentOf(sc)).toBe('<think>Let me think about</think>Hello from the');
    });

    it('keeps timing: latency before headers, ttft, token interval', async () => {
      const t0 = Date.now();
      const r = await chat({
        stream: true,
        x_sim: { latencyMs: 60, ttftMs: 300, tokenIntervalMs: 10, tokens: 5 },
      });
      const tHeaders = Date.now() - t0;
      expect(tHeaders).toBeGreaterThanOrEqual(55);
      expect(tHeaders).toBeLessThan(330); // headers are sent before the ttft wait
      await r.text();
      expect(Date.now() - t0).toBeGreaterThanOrEqual(55 + 295 + 35);
    });

    it('skips-safe comments and split writes with \\r\\n still parse (openai client too)', async () => {
      sim.configure({ splitWrites: true, sseCommentEvery: 2 });
      const r = await chat({ stream: true, x_sim: { content: 'héllo wörld ünïcode ✓ done' } });
      const text = await r.text();
      expect(text).toContain('\r\n\r\n');
      expect(text).toContain(': ping\r\n\r\n');
      expect(contentOf(jsonChunks(text))).toBe('héllo wörld ünïcode ✓ done');
      expect(lastRecord().completed).toBe(true);

      const stream = await client.chat.completions.create({
        model: MODEL,
        messages: USER as any,
        stream: true,
        x_sim: { content: 'a b c d e f' },
      } as OpenAI.ChatCompletionCreateParamsStreaming);
      let out = '';
      for await (const c of stream) out += c.choices[0]?.delta?.content ?? '';
      expect(out).toBe('a b c d e f');
    });
  });

  describe('misbehaviour', () => {
    it('records a client abort mid-stream at once', async () => {
      sim.configure({ tokenIntervalMs: 20, tokens: 500 });
      const ac = new AbortController();
      const r = await chat({ stream: true }, {});
      const reader = r.body!.getReader();
      await reader.read();
      await reader.cancel();
      ac.abort();
      await sim.waitFor((s) => s.aborted === 1 && s.inFlight === 0, 2000);
      const rec = lastRecord();
      expect(rec.aborted).toBe(true);
      expect(rec.completed).toBe(false);
      expect(rec.endedAt! - rec.startedAt).toBeLessThan(2000);
      const metrics = await (await xfetch(sim.origin + '/metrics')).text();
      expect(metrics).toContain(
        `vllm:request_success_total{finished_reason="abort",model_name="${MODEL}"} 1.0`,
      );
    });

    it('hangs: accepts and never answers until the client gives up', async () => {
      const hang = (ac: AbortController) =>
        xfetch(sim.url + '/chat/completions', {
          method: 'POST',
          body: JSON.stringify({ messages: USER, x_sim: { mode: 'hang' } }),
          signal: ac.signal,
        }).catch((e: Error) => e);
      const a = new AbortController();
      const b = new AbortController();
      const pa = hang(a);
      const pb = hang(b);
      await sim.waitFor((s) => s.inFlight === 2);
      const metrics = await (await xfetch(sim.origin + '/metrics')).text();
      expect(metrics).toContain(`vllm:num_requests_running{model_name="${MODEL}"} 2.0`);
      expect(metrics).toMatch(/vllm:kv_cache_usage_perc\{model_name="sim-test"\} 0\.0\d+/);
      await new Promise((r) => setTimeout(r, 100));
      expect(sim.stats()).toMatchObject({ inFlight: 2, completed: 0 });
      a.abort();
      expect(await pa).toMatchObject({ name: 'AbortError' });
      await sim.waitFor((s) => s.aborted === 1 && s.inFlight === 1);
      b.abort();
      await pb;
      await sim.waitFor((s) => s.aborted === 2 && s.inFlight === 0);
      expect(sim.requests().every((r) => r.aborted && r.status === undefined)).toBe(true);
    });

    it('cuts a stream after cutAfterChunks chunks, and a non-stream before the body', async () => {
      const r = await chat({ stream: true, x_sim: { mode: 'cut', cutAfterChunks: 3 } });
      expect(r.status).toBe(200);
      let received = '';
      const dec = new TextDecoder();
      let failed = false;
      try {
        for await (const part of r.body!)
          received += dec.decode(part as Uint8Array, { stream: true });
      } catch {
        failed = true;
      }
      expect(failed).toBe(true);
      expect(sseData(received)).toHaveLength(3);
      await sim.waitFor((s) => s.inFlight === 0);
      expect(lastRecord()).toMatchObject({ error: 'cut', aborted: false, completed: false });

      const n = await chat({ x_sim: { mode: 'cut' } })
        .then((res) => {
          expect(res.status).toBe(200); // headers arrive, the body never does
          return res.text();
        })
        .catch((e: Error) => e);
      expect(n).toMatchObject({ name: 'TypeError' });
      await expect(
        client.chat.completions.create({
          model: MODEL,
          messages: USER as any,
          x_sim: { mode: 'cut' },
        } as any),
      ).rejects.toThrow();
    });

    it('corrupts a stream with invalid JSON after cutAfterChunks chunks', async () => {
      const text = await (
        await chat({ stream: true, x_sim: { mode: 'corrupt', cutAfterChunks: 2 } })
      ).text();
      const data = sseData(text);
      expect(() => JSON.parse(data[0])).not.toThrow();
      expect(() => JSON.parse(data[1])).not.toThrow();
      expect(() => JSON.parse(data[2])).toThrow();
    });

    it('streams ndjson lines of chunk JSON', async () => {
      const r = await chat({ stream: true, x_sim: { mode: 'ndjson', tokens: 4 } });
      expect(r.headers.get('content-type')).toBe('application/x-ndjson');
      const lines = (await r.text()).split('\n').filter(Boolean);
      const chunks = lines.map((l) => JSON.parse(l));
      expect(chunks).toHaveLength(1 + 4 + 1);
      expect(chunks[0].object).toBe('chat.completion.chunk');
      expect(contentOf(chunks)).toBe('Hello from the Tiergate');
    });

    it('answers garbage: HTML for JSON, non-JSON event-stream lines', async () => {
      sim.configure({ mode: 'garbage' });
      const a = await chat({});
      expect(a.status).toBe(200);
      expect(a.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await a.text()).toContain('<html>');
      const b = await chat({ stream: true });
      expect(b.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const data = sseData(await b.text());
      expect(data.length).toBeGreaterThan(0);
      for (const d of data) expect(() => JSON.parse(d)).toThrow();
    });

    it('counts backpressure when the client does not read a long fast stream', async () => {
      sim.configure({ tokens: 300_000 });
      const req = http.request(`${sim.origin}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      });
      const gotHeaders = new Promise<http.IncomingMessage>((resolve) =>
        req.on('response', resolve),
      );
      req.on('error', () => undefined);
      req.end(JSON.stringify({ messages: USER, stream: true }));
      const res = await gotHeaders;
      res.pause();
      const deadline = Date.now() + 5000;
      while (!(lastRecord()?.blockedWrites > 0) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(lastRecord().blockedWrites).toBeGreaterThan(0);
      expect(sim.stats().inFlight).toBe(1);
      req.destroy();
      await sim.waitFor((s) => s.aborted === 1 && s.inFlight === 0);
    });
  });

  describe('other endpoints', () => {
    it('serves legacy completions, streaming too', async () => {
      const r = await client.completions.create({
        model: MODEL,
        prompt: 'Once upon a time',
        max_tokens: 4,
      });
      expect(r.object).toBe('text_completion');
      expect(r.id).toMatch(/^cmpl-/);
      expect(r.choices[0].text).toBe('Hello from the Tiergate');
      expect(r.choices[0].finish_reason).toBe('length');
      expect(r.usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 4, total_tokens: 8 });
      const s = await client.completions.create({
        model: MODEL,
        prompt: 'Once upon a time',
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      let usage: any;
      for await (const c of s) {
        text += c.choices[0]?.text ?? '';
        if (c.usage) usage = c.usage;
      }
      expect(splitPieces(text)).toHaveLength(16);
      expect(usage.completion_tokens).toBe(16);
    });

    it('embeds deterministically (base64 via openai client, and float)', async () => {
      sim.configure({ embeddingDims: 12 });
      const a = await client.embeddings.create({ model: MODEL, input: ['alpha', 'beta'] });
      expect(a.data).toHaveLength(2);
      expect(a.data[0].embedding).toHaveLength(12);
      const b = await (
        await post('/v1/embeddings', { model: MODEL, input: 'alpha', encoding_format: 'float' })
      ).json();
      expect(b.object).toBe('list');
      expect(b.data[0].embedding).toHaveLength(12);
      b.data[0].embedding.forEach((x: number, i: number) =>
        expect(x).toBeCloseTo(a.data[0].embedding[i], 6),
      );
      expect(a.data[0].embedding).not.toEqual(a.data[1].embedding);
      const norm = Math.hypot(...b.data[0].embedding);
      expect(norm).toBeCloseTo(1, 5);
      expect(b.usage).toMatchObject({ prompt_tokens: 2, total_tokens: 2 });
    });

    it('lists its model', async () => {
      const list = await client.models.list();
      expect(list.data).toHaveLength(1);
      expect(list.data[0]).toMatchObject({
        id: MODEL,
        object: 'model',
        owned_by: 'vllm',
        root: MODEL,
      });
      expect((list.data[0] as any).max_model_len).toBe(32768);
    });

    it('health follows healthStatus, with an empty body', async () => {
      const a = await xfetch(sim.origin + '/health');
      expect(a.status).toBe(200);
      expect(await a.text()).toBe('');
      sim.configure({ healthStatus: 503 });
      expect((await xfetch(sim.origin + '/health')).status).toBe(503);
    });

    it('exposes vLLM metrics', async () => {
      await chat({ max_tokens: 2 });
      await chat({});
      const text = await (await xfetch(sim.origin + '/metrics')).text();
      for (const name of [
        'vllm:num_requests_running',
        'vllm:num_requests_waiting',
        'vllm:gpu_cache_usage_perc',
        'vllm:kv_cache_usage_perc',
        'vllm:prompt_tokens_total',
        'vllm:generation_tokens_total',
        'vllm:request_success_total',
      ]) {
        expect(text).toContain(`# TYPE ${name} `);
      }
      expect(text).toContain(`vllm:generation_tokens_total{model_name="${MODEL}"} 18.0`);
      expect(text).toContain(
        `vllm:request_success_total{finished_reason="length",model_name="${MODEL}"} 1.0`,
      );
    });

    it('exposes llama.cpp or SGLang load gauges instead, or none (501) like llama-server without --metrics', async () => {
      sim.configure({ metrics: 'llamacpp', maxRunning: 1, tokens: 1000, tokenIntervalMs: 50 });
      const controller = new AbortController();
      const streams = [0, 1, 2].map(() =>
        xfetch(sim.origin + '/v1/chat/completions', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            model: MODEL,
            messages: [{ role: 'user', content: 'hi' }],
            stream: true,
          }),
          signal: controller.signal,
        }).catch(() => undefined),
      );
      await sim.waitFor((s) => s.inFlight === 3);
      const llama = await (await xfetch(sim.origin + '/metrics')).text();
      expect(llama).toContain('llamacpp:requests_processing 1\n');
      expect(llama).toContain('llamacpp:requests_deferred 2\n');
      expect(llama).not.toContain('vllm:');
      sim.configure({ metrics: 'sglang' });
      const sglang = await (await xfetch(sim.origin + '/metrics')).text();
      expect(sglang).toContain(`sglang:num_running_reqs{model_name="${MODEL}"} 1.0`);
      expect(sglang).toContain(`sglang:num_queue_reqs{model_name="${MODEL}"} 2.0`);
      expect(sglang).toContain('sglang:token_usage{');
      controller.abort();
      await Promise.all(streams);
      await sim.waitFor((s) => s.inFlight === 0);
      sim.configure({ metrics: 'none' });
      expect((await xfetch(sim.origin + '/metrics')).status).toBe(501);
    });

    it('offers the controls over HTTP', async () => {
      const cfg = await (
        await post('/_sim/config', { tokens: 2, reasoning: 'reasoning_content' })
      ).json();
      expect(cfg).toMatchObject({ tokens: 2, reasoning: 'reasoning_content' });
      const r = await (await chat({})).json();
      expect(r.choices[0].message.content).toBe('Hello from');
      const stats = await (await xfetch(sim.origin + '/_sim/stats')).json();
      expect(stats).toEqual({ received: 1, inFlight: 0, aborted: 0, completed: 1 });
      const reqs = await (await xfetch(sim.origin + '/_sim/requests')).json();
      expect(reqs).toHaveLength(1);
      expect(reqs[0]).toMatchObject({ path: '/v1/chat/completions', status: 200 });
      expect((await post('/_sim/reset', {})).status).toBe(200);
      expect(sim.stats().received).toBe(0);
      expect(sim.requests()).toEqual([]);
      expect(sim.behavior().tokens).toBe(16);
    });

    it('keeps connections alive', async () => {
      const agent = new Agent({ connections: 1 });
      const sockets = new Set<string>();
      for (let i = 0; i < 3; i++) {
        const r = await ufetch(sim.url + '/chat/completions', {
          method: 'POST',
          body: JSON.stringify({ messages: USER, stream: i === 1 }),
          dispatcher: agent,
        });
        await r.text();
        sockets.add(r.headers.get('connection') ?? '');
      }
      expect([...sockets]).toEqual(['keep-alive']);
      await agent.close();
    });
  });

  describe('lifecycle', () => {
    it('keeps a ring log of logLimit requests', async () => {
      const s = await startSimulator({ model: 'm', logLimit: 3 });
      try {
        for (let i = 0; i < 5; i++) {
          await xfetch(s.url + '/chat/completions', {
            method: 'POST',
            body: JSON.stringify({ messages: USER }),
          });
        }
        expect(s.requests().map((r) => r.seq)).toEqual([3, 4, 5]);
        expect(s.stats().received).toBe(5);
      } finally {
        await s.close();
      }
    });

    it('requires the api key when configured', async () => {
      const s = await startSimulator({ model: 'm', apiKey: 'up-key' });
      try {
        const bad = await xfetch(s.url + '/chat/completions', { method: 'POST', body: '{}' });
        expect(bad.status).toBe(401);
        expect(await bad.json()).toEqual({ error: 'Unauthorized' });
        const good = new OpenAI({ baseURL: s.url, apiKey: 'up-key', maxRetries: 0 });
        const r = await good.chat.completions.create({ model: 'm', messages: USER as any });
        expect(r.choices[0].message.content).toBeTruthy();
        expect(s.requests().at(-1)!.headers.authorization).toBe('Bearer up-key');
      } finally {
        await s.close();
      }
    });

    it('kill() drops in-flight streams and refuses connections; revive() listens again', async () => {
      const s = await startSimulator({
        model: 'm',
        behavior: { tokenIntervalMs: 20, tokens: 1000 },
      });
      const r = await xfetch(s.url + '/chat/completions', {
        method: 'POST',
        body: JSON.stringify({ messages: USER, stream: true }),
      });
      const reader = r.body!.getReader();
      await reader.read();
      s.kill();
      await expect(
        (async () => {
          for (;;) if ((await reader.read()).done) break;
        })(),
      ).rejects.toThrow();
      const refused = await new Promise<boolean>((resolve) => {
        const c = net.connect(s.port, '127.0.0.1');
        c.on('connect', () => {
          c.destroy();
          resolve(false);
        });
        c.on('error', () => resolve(true));
      });
      expect(refused).toBe(true);
      await s.revive();
      s.configure({ tokens: 2, tokenIntervalMs: 0 });
      const again = await (
        await xfetch(s.url + '/chat/completions', {
          method: 'POST',
          body: JSON.stringify({ messages: USER }),
        })
      ).json();
      expect(again.choices[0].message.content).toBe('Hello from');
      await s.close();
    });
  });

  it('parses CLI arguments', () => {
    const o = parseArgs([
      '--port',
      '8001',
      '--model',
      'sim-instant',
      '--reasoning',
      'reasoning_content',
      '--token-interval-ms',
      '20',
      '--tokens=32',
      '--name',
      'instant',
      '--split-writes',
    ]);
    expect(o).toEqual({
      port: 8001,
      model: 'sim-instant',
      name: 'instant',
      behavior: {
        reasoning: 'reasoning_content',
        tokenIntervalMs: 20,
        tokens: 32,
        splitWrites: true,
      },
    });
    expect(() => parseArgs(['--port', '1'])).toThrow(/--model is required/);
    expect(() => parseArgs(['--model', 'm', '--bogus', '1'])).toThrow(/unknown option/);
    expect(() => parseArgs(['--model', 'm', '--mode', 'weird'])).toThrow(/invalid value/);
  });

  it('takes one llama.cpp switch, --flavor llamacpp (the wire and the faults), and no --wire', () => {
    expect(parseArgs(['--model', 'm', '--flavor', 'llamacpp']).behavior).toEqual({
      flavor: 'llamacpp',
    });
    expect(() => parseArgs(['--model', 'm', '--flavor', 'sglang'])).toThrow(/invalid value/);
    expect(() => parseArgs(['--model', 'm', '--wire', 'llamacpp'])).toThrow(/unknown option/);
  });
});

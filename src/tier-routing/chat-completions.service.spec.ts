import fc from 'fast-check';
import { from, lastValueFrom, of, toArray } from 'rxjs';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest } from '../common/openai';
import type { TierConfig } from '../config';
import { streamedTokens } from '../limits/streamed-tokens';
import type { UpstreamChunk } from '../providers';
import { chunkStream } from '../providers/stream-shape';
import type { RequestTelemetry } from '../telemetry';
import { ChatCompletionsService, type CallContext } from './chat-completions.service';
import type { RouteDecision } from './tier-router.service';

const TIMEOUTS = { requestMs: 60_000, ttfbMs: 5_000, idleMs: 10_000, queueMs: 2_000 };
const USAGE = { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 };

function completion(content: string): ChatCompletion {
  return {
    id: 'cmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'qwen3-32b',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: USAGE,
  } as ChatCompletion;
}

function chunk(fields: Partial<ChatCompletionChunk>): { raw: string; chunk: ChatCompletionChunk } {
  const value = {
    id: 'cmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'qwen3-32b',
    choices: [],
    ...fields,
  } as ChatCompletionChunk;
  return { raw: JSON.stringify(value), chunk: value };
}

const STREAM = [
  chunk({
    choices: [{ index: 0, delta: { role: 'assistant', content: 'Hi' }, finish_reason: null }],
  }),
  chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
  chunk({ choices: [], usage: USAGE }),
];

function setUp(
  options: { raw?: string; answer?: ChatCompletion; reasoning?: 'passthrough' | 'strip' } = {},
) {
  const answer = options.answer ?? completion('Hello.');
  const pool = {
    chat: jest
      .fn()
      .mockResolvedValue({ raw: options.raw ?? JSON.stringify(answer), value: answer }),
    chatStream: jest.fn().mockReturnValue(of(...STREAM)),
  };
  const route = {
    tier: 'thinking',
    reason: 'classifier:learned:0.91',
    config: {
      model: 'qwen3-32b',
      timeouts: TIMEOUTS,
      reasoning: options.reasoning ?? 'passthrough',
    } as unknown as TierConfig,
    pool,
  } as unknown as RouteDecision;
  const traceContext = { trace: 'ctx' };
  const telemetry = { context: traceContext, addUsage: jest.fn(), firstToken: jest.fn() };
  const onUsage = jest.fn();
  const signal = new AbortController().signal;
  const ctx: CallContext = {
    signal,
    requestId: 'req-1',
    telemetry: telemetry as unknown as RequestTelemetry,
    onUsage,
  };
  return {
    service: new ChatCompletionsService(),
    pool,
    route,
    telemetry,
    onUsage,
    ctx,
    signal,
    traceContext,
  };
}

const body = (fields: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest => ({
  model: 'auto',
  messages: [
    { role: 'user', content: 'old turn' },
    { role: 'user', content: 'Hello?' },
  ],
  ...fields,
});

describe('ChatCompletionsService', () => {
  describe('complete', () => {
    it("sends the tier's model id with the tier's timeouts, the request id, signal and trace", async () => {
      const { service, pool, route, ctx, signal, traceContext } = setUp();
      await service.complete(body({ temperature: 0.2 }), route, ctx);
      expect(pool.chat).toHaveBeenCalledWith(
        { ...body({ temperature: 0.2 }), model: 'qwen3-32b' },
        {
          signal,
          requestId: 'req-1',
          timeoutMs: 60_000,
          ttfbMs: 5_000,
          idleMs: 10_000,
          queueMs: 2_000,
          traceContext,
        },
      );
    });

    it('sends the truncated conversation when the route dropped turns to fit', async () => {
      const { service, pool, route, ctx } = setUp();
      const kept = [{ role: 'user' as const, content: 'Hello?' }];
      await service.complete(body(), { ...route, truncated: { messages: kept, dropped: 1 } }, ctx);
      expect(pool.chat.mock.calls[0][0].messages).toEqual(kept);
    });

    it("answers the upstream's bytes untouched when reasoning needs no change", async () => {
      const raw = '{ "id":"cmpl-1",  "odd": "spacing" }';
      const { service, route, ctx } = setUp({ raw });
      await expect(service.complete(body(), route, ctx)).resolves.toMatchObject({ raw });
    });

    it.each<['passthrough' | 'strip', Record<string, unknown>]>([
      ['passthrough', { content: 'Four.', reasoning_content: '2+2' }],
      ['strip', { content: 'Four.' }],
    ])(
      'normalises <think> reasoning (%s) and serialises the changed answer',
      async (mode, message) => {
        const { service, route, ctx } = setUp({
          answer: completion('<think>2+2</think>Four.'),
          reasoning: mode,
        });
        const sent = JSON.parse((await service.complete(body(), route, ctx)).raw) as ChatCompletion;
        expect(sent.choices[0].message).toEqual({ role: 'assistant', ...message });
      },
    );

    it("tells the call's usage to the telemetry (by tier and upstream model) and the accounting", async () => {
      const { service, route, ctx, telemetry, onUsage } = setUp();
      await service.complete(body(), route, ctx);
      expect(telemetry.addUsage).toHaveBeenCalledWith(USAGE, 'thinking', 'qwen3-32b');
      expect(onUsage).toHaveBeenCalledWith(USAGE);
    });
  });

  describe('stream', () => {
    it('asks the upstream for usage always, keeping the caller’s other stream options', async () => {
      const { service, pool, route, ctx } = setUp();
      const kept = [{ role: 'user' as const, content: 'Hello?' }];
      await lastValueFrom(
        service
          .stream(
            body({ stream: true, stream_options: { continuous_usage_stats: false } }),
            { ...route, truncated: { messages: kept, dropped: 1 } },
            ctx,
          )
          .pipe(toArray()),
      );
      const [sent] = pool.chatStream.mock.calls[0] as [ChatCompletionRequest];
      expect(sent).toEqual({
        model: 'qwen3-32b',
        messages: kept,
        stream: true,
        stream_options: { continuous_usage_stats: false, include_usage: true },
      });
    });

    it.each([
      ['drops the usage chunk when the caller did not ask for it', undefined, 2],
      ['keeps the usage chunk when the caller asked for it', { include_usage: true }, 3],
    ])('%s, and accounts the usage either way', async (_, streamOptions, payloads) => {
      const { service, route, ctx, telemetry, onUsage } = setUp();
      const sent = await lastValueFrom(
        service
          .stream(body({ stream: true, stream_options: streamOptions }), route, ctx)
          .pipe(toArray()),
      );
      expect(sent).toHaveLength(payloads);
      expect(sent.slice(0, 2)).toEqual([STREAM[0].raw, STREAM[1].raw]);
      expect(telemetry.addUsage).toHaveBeenCalledWith(USAGE, 'thinking', 'qwen3-32b');
      expect(onUsage).toHaveBeenCalledWith(USAGE);
      expect(telemetry.firstToken).toHaveBeenCalledTimes(1);
    });
  });

  describe('loopModel (one call per tool round)', () => {
    it('calls with the model id, never the route’s truncation, and asks streams for usage', async () => {
      const { service, pool, route, ctx, signal, onUsage } = setUp();
      const model = service.loopModel(
        { ...route, truncated: { messages: [], dropped: 2 } },
        { requestId: ctx.requestId, telemetry: ctx.telemetry, onUsage },
      );
      expect([model.tier, model.reason]).toEqual(['thinking', 'classifier:learned:0.91']);
      await model.complete(body(), signal);
      expect(pool.chat.mock.calls[0][0]).toEqual({ ...body(), model: 'qwen3-32b' });
      await lastValueFrom(model.stream(body(), signal).pipe(toArray()));
      expect(pool.chatStream.mock.calls[0][0]).toEqual({
        ...body(),
        model: 'qwen3-32b',
        stream: true,
        stream_options: { include_usage: true },
      });
      expect(onUsage).toHaveBeenCalledTimes(2);
    });
  });
});

/**
 * The chat stream forwards a plain content delta's bytes without building its chunk (the
 * parser's `content`, stream-shape.ts); every other payload is parsed. Whatever the upstream
 * sends, the caller gets the same bytes and the accounting the same counts as when every
 * payload is parsed with `JSON.parse`.
 */
describe('ChatCompletionsService.stream: content deltas forwarded unparsed', () => {
  const text = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.constantFrom(
      '<think>',
      '</think>',
      '<thi',
      'nk>',
      ' ',
      '\n',
      '',
      'a\\"b',
      '\u00e9\u{1f600}',
    ),
  );
  const content = (index: number, piece: string) => ({
    index,
    delta: { content: piece },
    logprobs: null,
    finish_reason: null,
  });
  const choices = fc.oneof(
    { weight: 6, arbitrary: text.map((piece) => [content(0, piece)]) },
    fc.constant([
      { index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null },
    ]),
    fc
      .tuple(fc.constantFrom('reasoning', 'reasoning_content'), text)
      .map(([field, piece]) => [
        { index: 0, delta: { [field]: piece }, logprobs: null, finish_reason: null },
      ]),
    text.map((args) => [
      {
        index: 0,
        delta: {
          tool_calls: [
            { index: 0, id: 'c', type: 'function', function: { name: 'f', arguments: args } },
          ],
        },
        logprobs: null,
        finish_reason: null,
      },
    ]),
    fc.tuple(text, text).map(([a, b]) => [content(0, a), content(1, b)]),
    text.map((piece) => [content(1, piece)]),
    text.map((piece) => [{ ...content(0, piece), finish_reason: 'stop' }]),
    fc.constant([]),
  );
  const payload = fc
    .record({
      created: fc.constantFrom(1, 2),
      fingerprint: fc.option(fc.constantFrom('fp_1', 'fp_\u00e9'), { nil: undefined }),
      choices,
      usage: fc.boolean(),
    })
    .map(({ created, fingerprint, choices, usage }) =>
      JSON.stringify({
        id: 'chatcmpl-1',
        object: 'chat.completion.chunk',
        created,
        model: 'Qwen/Qwen3-8B',
        ...(fingerprint !== undefined && { system_fingerprint: fingerprint }),
        choices,
        // The usage chunk reports; the others say `null`, or nothing.
        ...(choices.length === 0 ? { usage: USAGE } : usage && { usage: null }),
      }),
    );

  async function answer(
    items: UpstreamChunk<ChatCompletionChunk>[],
    reasoning: 'passthrough' | 'strip',
    includeUsage: boolean,
  ): Promise<{ payloads: string[]; streamed: number; told: unknown[] }> {
    const { service, route, ctx, pool, telemetry, onUsage } = setUp({ reasoning });
    pool.chatStream.mockReturnValue(from(items));
    let streamed = 0;
    const payloads = await lastValueFrom(
      service
        .stream(body({ stream: true, stream_options: { include_usage: includeUsage } }), route, {
          ...ctx,
          onStreamed: (chunk) => (streamed += streamedTokens(chunk)),
        })
        .pipe(toArray()),
    );
    return {
      payloads,
      streamed,
      told: [telemetry.firstToken.mock.calls, telemetry.addUsage.mock.calls, onUsage.mock.calls],
    };
  }

  it('sends the same bytes and counts the same tokens as parsing every payload', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(payload, { maxLength: 12 }),
        fc.constantFrom('passthrough' as const, 'strip' as const),
        fc.boolean(),
        async (raws, reasoning, includeUsage) => {
          const parser = chunkStream<ChatCompletionChunk>().parser!();
          const fast = raws.map((raw) => parser.parse(raw, 'http://upstream'));
          const parsed = raws.map((raw) => ({
            raw,
            chunk: JSON.parse(raw) as ChatCompletionChunk,
          }));
          expect(await answer(fast, reasoning, includeUsage)).toEqual(
            await answer(parsed, reasoning, includeUsage),
          );
        },
      ),
    );
  });

  it('builds no chunk for the content deltas of a plain answer', async () => {
    const parser = chunkStream<ChatCompletionChunk>().parser!();
    const raws = ['Hel', 'lo', '!'].map((piece) =>
      JSON.stringify({
        id: 'chatcmpl-1',
        object: 'chat.completion.chunk',
        created: 1,
        model: 'Qwen/Qwen3-8B',
        choices: [content(0, piece)],
      }),
    );
    const items = raws.map((raw) => parser.parse(raw, 'http://upstream'));
    const built = items.map((item) => jest.spyOn(item, 'chunk', 'get'));
    const { payloads } = await answer(items, 'passthrough', false);
    expect(payloads).toEqual(raws);
    // The first is read once: the reasoning normaliser looks for a `<think>` at the start.
    expect(built.map((spy) => spy.mock.calls.length)).toEqual([1, 0, 0]);
  });
});

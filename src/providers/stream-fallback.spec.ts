import { firstValueFrom, of, throwError, toArray } from 'rxjs';
import { ErrorCode, GatewayException } from '../common/errors';
import type { ChatCompletion } from '../common/openai/chat.types';
import { upstreamStatusError } from './openai-wire.mapper';
import {
  chatCompletionAsChunks,
  completionAsChunks,
  fallBackWhenRefused,
  refusesStreaming,
  streamFromAnswer,
  withoutStreaming,
} from './stream-fallback';

/** llama.cpp's non-streamed answer: `system_fingerprint`, and its own `timings`. */
const LLAMA_ANSWER = {
  choices: [
    { finish_reason: 'length', index: 0, message: { role: 'assistant', content: 'Hi there' } },
  ],
  created: 1765000000,
  model: 'tiny',
  system_fingerprint: 'b1-de3ff81',
  object: 'chat.completion',
  usage: { completion_tokens: 2, prompt_tokens: 5, total_tokens: 7 },
  id: 'chatcmpl-abc',
  timings: { prompt_n: 5, predicted_n: 2 },
} as unknown as ChatCompletion;

const HEAD =
  '"id":"chatcmpl-abc","object":"chat.completion.chunk","created":1765000000,"model":"tiny","system_fingerprint":"b1-de3ff81"';

/** vLLM's answer with reasoning, two tool calls, null extras and `stop_reason`. */
const VLLM_ANSWER = {
  id: 'chatcmpl-v',
  object: 'chat.completion',
  created: 1,
  model: 'q',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        refusal: null,
        reasoning_content: 'think',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'add', arguments: '{"a":1}' } },
          { id: 'call_2', type: 'function', function: { name: 'get', arguments: '{}' } },
        ],
      },
      logprobs: null,
      finish_reason: 'tool_calls',
      stop_reason: null,
    },
  ],
  service_tier: null,
  system_fingerprint: null,
  usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
  prompt_logprobs: null,
} as unknown as ChatCompletion;

const V_HEAD =
  '"id":"chatcmpl-v","object":"chat.completion.chunk","created":1,"model":"q","service_tier":null,"system_fingerprint":null';

describe('chatCompletionAsChunks', () => {
  it.each<[string, ChatCompletion, boolean, string[]]>([
    [
      'llama.cpp, usage asked: role, content, finish, usage with the timings',
      LLAMA_ANSWER,
      true,
      [
        `{${HEAD},"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}`,
        `{${HEAD},"choices":[{"index":0,"delta":{"content":"Hi there"},"logprobs":null,"finish_reason":null}]}`,
        `{${HEAD},"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"length"}]}`,
        `{${HEAD},"choices":[],"usage":{"completion_tokens":2,"prompt_tokens":5,"total_tokens":7},"timings":{"prompt_n":5,"predicted_n":2}}`,
      ],
    ],
    [
      'llama.cpp, usage not asked: the timings on the finish chunk',
      LLAMA_ANSWER,
      false,
      [
        `{${HEAD},"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}`,
        `{${HEAD},"choices":[{"index":0,"delta":{"content":"Hi there"},"logprobs":null,"finish_reason":null}]}`,
        `{${HEAD},"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"length"}],"timings":{"prompt_n":5,"predicted_n":2}}`,
      ],
    ],
    [
      'vLLM with reasoning and tool calls: one chunk per call, choice extras on the finish',
      VLLM_ANSWER,
      true,
      [
        `{${V_HEAD},"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}`,
        `{${V_HEAD},"choices":[{"index":0,"delta":{"reasoning_content":"think"},"logprobs":null,"finish_reason":null}]}`,
        `{${V_HEAD},"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"add","arguments":"{\\"a\\":1}"}}]},"logprobs":null,"finish_reason":null}]}`,
        `{${V_HEAD},"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_2","type":"function","function":{"name":"get","arguments":"{}"}}]},"logprobs":null,"finish_reason":null}]}`,
        `{${V_HEAD},"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls","stop_reason":null}]}`,
        `{${V_HEAD},"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7},"prompt_logprobs":null}`,
      ],
    ],
  ])('%s', (_name, answer, includeUsage, expected) => {
    const chunks = chatCompletionAsChunks(structuredClone(answer), includeUsage);
    expect(chunks.map((c) => c.raw)).toEqual(expected);
    expect(chunks.map((c) => c.chunk)).toEqual(expected.map((raw) => JSON.parse(raw)));
  });

  it('streams each choice in turn, logprobs on its content chunk', () => {
    const answer = {
      id: 'x',
      object: 'chat.completion',
      created: 2,
      model: 'm',
      choices: [0, 1].map((index) => ({
        index,
        message: { role: 'assistant', content: `c${index}` },
        logprobs: { content: [{ token: `c${index}`, logprob: -0.5 }] },
        finish_reason: 'stop',
      })),
    } as unknown as ChatCompletion;
    const chunks = chatCompletionAsChunks(answer, true).map((c) => c.chunk.choices[0]);
    expect(chunks.map((c) => [c.index, c.delta.content ?? null, c.finish_reason])).toEqual([
      [0, '', null],
      [0, 'c0', null],
      [0, null, 'stop'],
      [1, '', null],
      [1, 'c1', null],
      [1, null, 'stop'],
    ]);
    expect(chunks[1].logprobs).toEqual({ content: [{ token: 'c0', logprob: -0.5 }] });
  });
});

describe('completionAsChunks', () => {
  it('answers text, then the finish chunk, then usage', () => {
    const chunks = completionAsChunks(
      {
        id: 'cmpl-1',
        object: 'text_completion',
        created: 3,
        model: 'm',
        choices: [{ index: 0, text: 'Hello', logprobs: null, finish_reason: 'length' }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      },
      true,
    );
    const head = '"id":"cmpl-1","object":"text_completion","created":3,"model":"m"';
    expect(chunks.map((c) => c.raw)).toEqual([
      `{${head},"choices":[{"index":0,"text":"Hello","logprobs":null,"finish_reason":null}]}`,
      `{${head},"choices":[{"index":0,"text":"","logprobs":null,"finish_reason":"length"}]}`,
      `{${head},"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`,
    ]);
  });
});

describe('refusesStreaming', () => {
  const err = (status: number, body: string) => upstreamStatusError(status, body, 'http://u');
  it.each<[string, unknown, boolean]>([
    [
      'a 400 "Streaming is not supported"',
      err(400, '{"error":{"message":"Streaming is not supported","code":400}}'),
      true,
    ],
    [
      'OpenAI’s unsupported_value on param stream',
      err(
        400,
        '{"error":{"message":"Unsupported value: \'stream\' does not support true with this model.","param":"stream","code":"unsupported_value"}}',
      ),
      true,
    ],
    ['a 422 "stream not supported" in plain text', err(422, 'stream: not supported'), true],
    ['a 501 "streaming not implemented"', err(501, '{"error":"streaming not implemented"}'), true],
    [
      'stream_options not supported (another field)',
      err(400, '{"error":{"message":"stream_options is not supported"}}'),
      false,
    ],
    [
      'a context-length 400',
      err(400, '{"error":{"message":"maximum context length is 4096 tokens"}}'),
      false,
    ],
    [
      'a 500 that mentions streaming',
      err(500, '{"error":{"message":"Streaming is not supported"}}'),
      false,
    ],
    ['a 404', err(404, '{"error":{"message":"Streaming is not supported"}}'), false],
    [
      'a gateway error without upstream status',
      new GatewayException(ErrorCode.UpstreamError, 'Streaming is not supported'),
      false,
    ],
    ['anything else', new Error('Streaming is not supported'), false],
  ])('%s', (_name, error, expected) => {
    expect(refusesStreaming(error)).toBe(expected);
  });
});

describe('withoutStreaming', () => {
  it('drops stream_options and says stream: false, leaving the caller’s body as it was', () => {
    const body = {
      model: 'm',
      messages: [],
      stream: true,
      stream_options: { include_usage: true },
      top_k: 3,
    };
    expect(withoutStreaming(body)).toEqual({ model: 'm', messages: [], stream: false, top_k: 3 });
    expect(body.stream_options).toEqual({ include_usage: true });
  });
});

describe('fallBackWhenRefused', () => {
  it('switches to the fallback on a refusal only, telling it once', async () => {
    const refused = upstreamStatusError(
      400,
      '{"error":{"message":"Streaming is not supported"}}',
      'u',
    );
    const told: unknown[] = [];
    const out = await firstValueFrom(
      fallBackWhenRefused(
        throwError(() => refused),
        () => of(1, 2),
        (e) => told.push(e),
      ).pipe(toArray()),
    );
    expect(out).toEqual([1, 2]);
    expect(told).toEqual([refused]);
    const other = upstreamStatusError(400, '{"error":{"message":"bad"}}', 'u');
    await expect(
      firstValueFrom(
        fallBackWhenRefused(
          throwError(() => other),
          () => of(1),
        ),
      ),
    ).rejects.toBe(other);
  });
});

describe('streamFromAnswer', () => {
  it('aborts the call when the subscriber leaves', async () => {
    let seen: AbortSignal | undefined;
    const subscription = streamFromAnswer(
      (signal) => {
        seen = signal;
        return new Promise<never>(() => undefined);
      },
      new AbortController().signal,
      () => [],
    ).subscribe();
    expect(seen?.aborted).toBe(false);
    subscription.unsubscribe();
    expect(seen?.aborted).toBe(true);
  });

  it('aborts the call when the caller’s signal does', () => {
    const caller = new AbortController();
    let seen: AbortSignal | undefined;
    streamFromAnswer(
      (signal) => {
        seen = signal;
        return new Promise<never>(() => undefined);
      },
      caller.signal,
      () => [],
    ).subscribe();
    caller.abort(new Error('gone'));
    expect(seen?.aborted).toBe(true);
  });
});

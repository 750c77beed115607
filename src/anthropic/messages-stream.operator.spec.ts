import { firstValueFrom, from, lastValueFrom, Observable, throwError, toArray, concat } from 'rxjs';
import { GatewayException } from '../common/errors';
import type { ChatCompletionChunk, ChatCompletionDelta } from '../common/openai';
import type { MessageStreamEvent } from './anthropic.types';
import { toAnthropicEvents } from './messages-stream.operator';

function chunk(
  delta: ChatCompletionDelta,
  finish: string | null = null,
  extra: Record<string, unknown> = {},
): ChatCompletionChunk {
  return {
    id: 'chatcmpl-s1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'sim-thinking',
    choices: [{ index: 0, delta, finish_reason: finish, ...extra }],
  };
}

const usageChunk: ChatCompletionChunk = {
  id: 'chatcmpl-s1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'sim-thinking',
  choices: [],
  usage: { prompt_tokens: 20, completion_tokens: 7, total_tokens: 27 },
};

function run(
  chunks: ChatCompletionChunk[],
  options = { showThinking: true } as { showThinking: boolean; stopSequences?: string[] },
): Promise<MessageStreamEvent[]> {
  return lastValueFrom(from(chunks).pipe(toAnthropicEvents(options), toArray()));
}

const start: MessageStreamEvent = {
  type: 'message_start',
  message: {
    id: 'msg_s1',
    type: 'message',
    role: 'assistant',
    model: 'sim-thinking',
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 0, output_tokens: 0 },
  },
};

const end = (stop_reason: string | null, output = 7, stop_sequence: string | null = null) => [
  {
    type: 'message_delta',
    delta: { stop_reason, stop_sequence },
    usage: { input_tokens: 20, output_tokens: output },
  },
  { type: 'message_stop' },
];

describe('toAnthropicEvents', () => {
  it('streams text: start, one text block with its deltas, delta with usage, stop', async () => {
    expect(
      await run([
        chunk({ role: 'assistant', content: '' }),
        chunk({ content: 'Hel' }),
        chunk({ content: 'lo' }),
        chunk({}, 'stop'),
        usageChunk,
      ]),
    ).toEqual([
      start,
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo' } },
      { type: 'content_block_stop', index: 0 },
      ...end('end_turn'),
    ]);
  });

  it('streams reasoning as a thinking block before the text block', async () => {
    const events = await run([
      chunk({ role: 'assistant', reasoning_content: 'Think' }),
      chunk({ reasoning_content: 'ing.' }),
      chunk({ content: 'Done' }),
      chunk({}, 'stop'),
      usageChunk,
    ]);
    expect(events.slice(1, -2)).toEqual([
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'thinking', thinking: '', signature: '' },
      },
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'thinking_delta', thinking: 'Think' },
      },
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'thinking_delta', thinking: 'ing.' },
      },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Done' } },
      { type: 'content_block_stop', index: 1 },
    ]);
  });

  it('reads vLLM’s `reasoning` field too, and leaves reasoning out when it is to be omitted', async () => {
    const chunks = [chunk({ reasoning: 'hm' }), chunk({ content: 'A' }), chunk({}, 'stop')];
    expect((await run(chunks))[1]).toMatchObject({
      content_block: { type: 'thinking' },
    });
    const omitted = await run(chunks, { showThinking: false });
    expect(omitted.filter((e) => e.type === 'content_block_start')).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    ]);
  });

  it('streams each tool call as a tool_use block of input_json_delta pieces', async () => {
    const events = await run([
      chunk({ role: 'assistant', content: 'Let me check.' }),
      chunk({
        tool_calls: [
          {
            index: 0,
            id: 'call_a',
            type: 'function',
            function: { name: 'weather', arguments: '' },
          },
        ],
      }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"Oslo"}' } }] }),
      chunk({
        tool_calls: [
          { index: 1, id: 'call_b', type: 'function', function: { name: 'time', arguments: '{}' } },
        ],
      }),
      chunk({}, 'tool_calls'),
      usageChunk,
    ]);
    expect(events.slice(1)).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text: 'Let me check.' },
      },
      { type: 'content_block_stop', index: 0 },
      {
        type: 'content_block_start',
        index: 1,
        content_block: { type: 'tool_use', id: 'call_a', name: 'weather', input: {} },
      },
      {
        type: 'content_block_delta',
        index: 1,
        delta: { type: 'input_json_delta', partial_json: '{"city":' },
      },
      {
        type: 'content_block_delta',
        index: 1,
        delta: { type: 'input_json_delta', partial_json: '"Oslo"}' },
      },
      { type: 'content_block_stop', index: 1 },
      {
        type: 'content_block_start',
        index: 2,
        content_block: { type: 'tool_use', id: 'call_b', name: 'time', input: {} },
      },
      {
        type: 'content_block_delta',
        index: 2,
        delta: { type: 'input_json_delta', partial_json: '{}' },
      },
      { type: 'content_block_stop', index: 2 },
      ...end('tool_use'),
    ]);
  });

  it.each<[string, ChatCompletionChunk[], string[] | undefined, string | null, string | null]>([
    ['length → max_tokens', [chunk({ content: 'a' }, 'length')], undefined, 'max_tokens', null],
    [
      'a tool call ended with stop → tool_use',
      [
        chunk(
          { tool_calls: [{ index: 0, id: 'c', function: { name: 'f', arguments: '{}' } }] },
          'stop',
        ),
      ],
      undefined,
      'tool_use',
      null,
    ],
    [
      'vLLM’s matched stop string → stop_sequence',
      [chunk({ content: 'a' }, 'stop', { stop_reason: 'END' })],
      ['END'],
      'stop_sequence',
      'END',
    ],
    ['no finish reason at all → null', [chunk({ content: 'a' })], undefined, null, null],
  ])('ends with %s', async (_name, chunks, stopSequences, reason, sequence) => {
    const events = await run([...chunks, usageChunk], { showThinking: true, stopSequences });
    expect(events.at(-2)).toEqual(end(reason, 7, sequence)[0]);
  });

  it('answers a stream with no chunks with an empty message', async () => {
    const events = await run([]);
    expect(events.map((e) => e.type)).toEqual(['message_start', 'message_delta', 'message_stop']);
  });

  it('refuses a tool call resumed after a later block began (blocks cannot interleave)', async () => {
    const events: string[] = [];
    const failure = await new Promise<unknown>((resolve) =>
      from([
        chunk({ tool_calls: [{ index: 0, id: 'a', function: { name: 'f', arguments: '{' } }] }),
        chunk({ tool_calls: [{ index: 1, id: 'b', function: { name: 'g', arguments: '{}' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '}' } }] }),
      ])
        .pipe(toAnthropicEvents({ showThinking: true }))
        .subscribe({ next: (e) => events.push(e.type), error: resolve }),
    );
    expect(failure).toBeInstanceOf(GatewayException);
    expect((failure as GatewayException).status).toBe(502);
    expect(events).not.toContain('message_stop');
  });

  it('passes a failure through after the events already sent', async () => {
    const seen: string[] = [];
    const source = concat(
      from([chunk({ content: 'a' })]),
      throwError(() => new Error('cut')),
    ) as Observable<ChatCompletionChunk>;
    await expect(
      lastValueFrom(source.pipe(toAnthropicEvents({ showThinking: true }), toArray())),
    ).rejects.toThrow('cut');
    source.pipe(toAnthropicEvents({ showThinking: true })).subscribe({
      next: (e) => seen.push(e.type),
      error: () => undefined,
    });
    expect(seen).toEqual(['message_start', 'content_block_start', 'content_block_delta']);
  });

  it('emits message_start as soon as the first chunk arrives', async () => {
    const first = await firstValueFrom(
      from([chunk({ role: 'assistant' })]).pipe(toAnthropicEvents({ showThinking: true })),
    );
    expect(first).toEqual(start);
  });
});

import { ErrorCode, GatewayException } from '../common/errors';
import type { ChatCompletion, ChatMessage } from '../common/openai';
import {
  messageIdOf,
  stopOutcome,
  toAnthropicMessage,
  toMessageUsage,
} from './messages-answer.translator';

function completion(
  message: Partial<ChatMessage>,
  finish: string | null = 'stop',
  extra: Record<string, unknown> = {},
): ChatCompletion {
  return {
    id: 'chatcmpl-abc123',
    object: 'chat.completion',
    created: 1,
    model: 'sim-instant',
    choices: [
      { index: 0, message: { role: 'assistant', ...message }, finish_reason: finish, ...extra },
    ],
    usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
  };
}

const shown = { showThinking: true };

describe('stopOutcome', () => {
  it.each<
    [
      string | null | undefined,
      unknown,
      boolean,
      string[] | undefined,
      string | null,
      string | null,
    ]
  >([
    ['stop', null, false, undefined, 'end_turn', null],
    ['length', null, false, undefined, 'max_tokens', null],
    ['tool_calls', null, true, undefined, 'tool_use', null],
    ['function_call', null, true, undefined, 'tool_use', null],
    ['content_filter', null, false, undefined, 'refusal', null],
    ['stop', null, true, undefined, 'tool_use', null],
    ['stop', 'END', false, ['END'], 'stop_sequence', 'END'],
    ['stop', 'END', false, undefined, 'end_turn', null],
    ['stop', 2, false, ['END'], 'end_turn', null],
    ['eos', null, false, undefined, 'end_turn', null],
    [null, null, false, undefined, null, null],
    [undefined, null, false, undefined, null, null],
  ])(
    'finish %s (upstream stop %j, tools %s, sequences %j) → %s / %s',
    (finish, upstream, tools, seqs, reason, seq) => {
      expect(stopOutcome(finish, upstream, tools, seqs)).toEqual({
        stop_reason: reason,
        stop_sequence: seq,
      });
    },
  );
});

describe('toMessageUsage', () => {
  it.each([
    [undefined, { input_tokens: 0, output_tokens: 0 }],
    [
      { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 },
      { input_tokens: 10, output_tokens: 3 },
    ],
    [
      {
        prompt_tokens: 10,
        completion_tokens: 3,
        total_tokens: 13,
        prompt_tokens_details: { cached_tokens: 8 },
      },
      { input_tokens: 2, output_tokens: 3, cache_read_input_tokens: 8 },
    ],
    [
      {
        prompt_tokens: 10,
        completion_tokens: 3,
        total_tokens: 13,
        prompt_tokens_details: { cached_tokens: 0 },
      },
      { input_tokens: 10, output_tokens: 3 },
    ],
  ])('%j → %j', (usage, expected) => {
    expect(toMessageUsage(usage)).toEqual(expected);
  });
});

describe('messageIdOf', () => {
  it.each([
    ['chatcmpl-abc', 'msg_abc'],
    ['cmpl-7', 'msg_cmpl-7'],
    ['', 'msg_tiergate'],
    [undefined, 'msg_tiergate'],
  ])('%s → %s', (id, expected) => {
    expect(messageIdOf(id)).toBe(expected);
  });
});

describe('toAnthropicMessage', () => {
  it('answers text as one text block with the envelope fields', () => {
    expect(toAnthropicMessage(completion({ content: 'Hi there' }), shown)).toEqual({
      id: 'msg_abc123',
      type: 'message',
      role: 'assistant',
      model: 'sim-instant',
      content: [{ type: 'text', text: 'Hi there' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 12, output_tokens: 5 },
    });
  });

  it('answers reasoning as a thinking block before the text, never inside it', () => {
    const message = toAnthropicMessage(
      completion({ content: 'Answer', reasoning_content: 'Let me think.' }),
      shown,
    );
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Let me think.', signature: '' },
      { type: 'text', text: 'Answer' },
    ]);
  });

  it('leaves reasoning out when the caller asked for it omitted', () => {
    const message = toAnthropicMessage(
      completion({ content: 'Answer', reasoning_content: 'Let me think.' }),
      { showThinking: false },
    );
    expect(message.content).toEqual([{ type: 'text', text: 'Answer' }]);
  });

  it('answers tool calls as tool_use blocks with parsed input and stop_reason tool_use', () => {
    const message = toAnthropicMessage(
      completion(
        {
          content: null,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'weather', arguments: '{"city":"Oslo"}' },
            },
            { id: 'call_2', type: 'function', function: { name: 'time', arguments: '' } },
          ],
        },
        'tool_calls',
      ),
      shown,
    );
    expect(message.content).toEqual([
      { type: 'tool_use', id: 'call_1', name: 'weather', input: { city: 'Oslo' } },
      { type: 'tool_use', id: 'call_2', name: 'time', input: {} },
    ]);
    expect(message.stop_reason).toBe('tool_use');
  });

  it('reports the stop sequence vLLM names', () => {
    const message = toAnthropicMessage(
      completion({ content: 'one two' }, 'stop', { stop_reason: '###' }),
      {
        showThinking: true,
        stopSequences: ['###'],
      },
    );
    expect(message).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: '###' });
  });

  it('answers an empty answer with no blocks', () => {
    expect(toAnthropicMessage(completion({ content: '' }, 'length'), shown)).toMatchObject({
      content: [],
      stop_reason: 'max_tokens',
    });
  });

  it('joins text parts an upstream sent as a list', () => {
    const message = toAnthropicMessage(
      completion({
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
      }),
      shown,
    );
    expect(message.content).toEqual([{ type: 'text', text: 'ab' }]);
  });

  it('leaves out a tool call cut by max_tokens, and says max_tokens', () => {
    const message = toAnthropicMessage(
      completion(
        {
          content: 'x',
          tool_calls: [
            { id: 'c', type: 'function', function: { name: 'f', arguments: '{"a": "un' } },
          ],
        },
        'length',
      ),
      shown,
    );
    expect(message.content).toEqual([{ type: 'text', text: 'x' }]);
    expect(message.stop_reason).toBe('max_tokens');
  });

  it.each([['{"a": '], ['[1,2]'], ['"text"'], ['null']])(
    'refuses tool arguments %s that are not a JSON object (502)',
    (args) => {
      let caught: unknown;
      try {
        toAnthropicMessage(
          completion(
            {
              tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: args } }],
            },
            'tool_calls',
          ),
          shown,
        );
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(GatewayException);
      expect((caught as GatewayException).code).toBe(ErrorCode.UpstreamError);
      expect((caught as GatewayException).message).toMatch(/tool 'f'/);
    },
  );
});

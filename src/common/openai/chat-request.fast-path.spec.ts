import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import fc from 'fast-check';
import { ChatCompletionRequestDto } from './chat-completion-request.dto';
import { isPlainValidChatRequest } from './chat-request.fast-path';
import { CHAT_REQUEST_FIELDS } from '../../../test/support/chat-request-fields';

/** What the DTO (the source of truth) says of a body. */
function dtoAccepts(body: Record<string, unknown>): boolean {
  const instance = plainToInstance(ChatCompletionRequestDto, body, {
    enableImplicitConversion: false,
  });
  return validateSync(instance, { forbidUnknownValues: false, whitelist: false }).length === 0;
}

const tricky = fc.oneof(
  fc.constantFrom(
    undefined,
    null,
    true,
    false,
    0,
    1,
    -1,
    1.5,
    2,
    3,
    20,
    21,
    128,
    129,
    -2.5,
    1e308,
    '',
  ),
  fc.constantFrom(
    'auto',
    'none',
    'required',
    'low',
    'high',
    'extreme',
    'user',
    'tool',
    'function',
    'text',
  ),
  fc.constantFrom(
    [],
    {},
    [1],
    ['a'],
    ['a', 'b', 'c', 'd', 'e'],
    { type: 'function' },
    { type: 'text' },
  ),
  fc.constantFrom(
    { type: 'function', function: { name: 'f' } },
    { type: 'function', function: { name: '' } },
  ),
  fc.constantFrom(
    { include_usage: true },
    { include_usage: 'yes' },
    [{ type: 'text', text: 'x' }],
    [{ text: 'x' }],
  ),
  fc.string(),
  fc.integer(),
  fc.double({ noNaN: true }),
);

const MESSAGE_FIELDS = ['role', 'content', 'name', 'tool_calls', 'tool_call_id'] as const;
const FIELDS = CHAT_REQUEST_FIELDS;

/** One or two fields of `base` replaced by tricky values (or removed). */
function mutated(
  base: Record<string, unknown>,
  fields: readonly string[],
): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .array(fc.tuple(fc.constantFrom(...fields), tricky), { minLength: 1, maxLength: 2 })
    .map((changes) => {
      const copy: Record<string, unknown> = { ...base };
      for (const [field, value] of changes) {
        if (value === undefined) delete copy[field];
        else copy[field] = value;
      }
      return copy;
    });
}

const validMessage = fc.constantFrom<Record<string, unknown>>(
  { role: 'user', content: 'hi' },
  {
    role: 'assistant',
    content: null,
    tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }],
  },
  { role: 'tool', tool_call_id: 'c', content: 'r' },
  { role: 'system', content: [{ type: 'text', text: 's' }] },
);
const message = fc.oneof(
  validMessage,
  validMessage.chain((m) => mutated(m, MESSAGE_FIELDS)),
);

const base: Record<string, unknown> = {
  model: 'auto',
  stream: true,
  stream_options: { include_usage: true },
  tools: [{ type: 'function', function: { name: 'f', parameters: {} } }],
  tool_choice: 'auto',
  max_tokens: 64,
  temperature: 1,
  top_p: 0.5,
  n: 1,
  stop: ['x'],
  seed: 7,
  top_logprobs: 2,
  presence_penalty: 0,
  reasoning_effort: 'low',
  metadata: { a: 'b' },
};

const body = fc
  .array(message, { minLength: 1, maxLength: 3 })
  .chain((messages) => mutated({ ...base, messages }, FIELDS));

describe('isPlainValidChatRequest (the fast path)', () => {
  it('never accepts a body the class-validator DTO rejects', () => {
    fc.assert(
      fc.property(body, (b) => {
        if (isPlainValidChatRequest(b)) expect(dtoAccepts(b)).toBe(true);
      }),
      { numRuns: 5000, seed: 20261120 },
    );
  });

  it.each([
    [{ messages: [{ role: 'user', content: 'hi' }] }],
    [
      {
        model: 'auto',
        messages: [
          { role: 'system', content: 's' },
          { role: 'user', content: [{ type: 'text', text: 'x' }] },
        ],
        stream: true,
        stream_options: { include_usage: true },
        temperature: 0.2,
        max_tokens: 64,
        top_k: 5,
      },
    ],
    [
      {
        messages: [
          {
            role: 'assistant',
            tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }],
          },
          { role: 'tool', tool_call_id: 'c', content: 'r' },
        ],
        tools: [{ type: 'function', function: { name: 'f', parameters: {} } }],
        tool_choice: 'auto',
      },
    ],
  ])('accepts the common valid shapes without class-validator: %j', (b) => {
    expect(isPlainValidChatRequest(b)).toBe(true);
    expect(dtoAccepts(b)).toBe(true);
  });
});

import { plainToInstance } from 'class-transformer';
import { ErrorCode, GatewayException } from '../errors';
import { ChatCompletionRequestDto } from './chat-completion-request.dto';
import { OpenAiValidationPipe } from './openai-validation.pipe';
import { checkRequestBounds, deeperThan, type RequestBounds } from './request-bounds';

const BOUNDS: RequestBounds = {
  maxMessages: 3,
  maxContentChars: 10,
  maxTools: 2,
  maxJsonDepth: 6,
  maxToolCalls: 2,
};

/** `[[[…]]]` `depth` levels deep, built without recursion. */
function nested(depth: number): unknown {
  let value: unknown = [];
  for (let i = 1; i < depth; i++) value = [value];
  return value;
}

function problem(body: unknown): { param: string | null; message: string } | undefined {
  try {
    checkRequestBounds(body, BOUNDS);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayException);
    const e = error as GatewayException;
    expect([e.status, e.code]).toEqual([400, ErrorCode.InvalidValue]);
    return { param: e.param, message: e.message };
  }
}

const user = (content: unknown) => ({ role: 'user', content });

describe('request bounds', () => {
  it.each<[string, unknown, number, boolean]>([
    ['a scalar', 'x', 1, false],
    ['an empty object is level 1', {}, 1, false],
    ['an object in an object is level 2', { a: {} }, 1, true],
    ['a 6-deep array within 6', nested(6), 6, false],
    ['a 7-deep array beyond 6', nested(7), 6, true],
    ['depth hidden in a late sibling', { a: 1, b: [1, 2, { c: [[[]]] }] }, 6, false],
    ['depth hidden in a late sibling, one more', { a: 1, b: [1, 2, { c: [[[[]]]] }] }, 6, true],
  ])('measures depth: %s', (_name, value, max, expected) => {
    expect(deeperThan(value, max)).toBe(expected);
  });

  it('refuses 100 000 nested arrays quickly and without a stack overflow', () => {
    const started = Date.now();
    expect(deeperThan(JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)), 64)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it.each<[string, unknown, { param: string | null; message: string } | undefined]>([
    ['a body within every bound', { messages: [user('0123456789')], tools: [{}, {}] }, undefined],
    [
      'too many messages',
      { messages: [user('a'), user('b'), user('c'), user('d')] },
      { param: 'messages', message: 'The request has 4 messages; at most 3 are accepted.' },
    ],
    [
      'a string content that is too long',
      { messages: [user('ok'), user('01234567890')] },
      {
        param: 'messages[1].content',
        message: 'The message has 11 characters of text; at most 10 are accepted.',
      },
    ],
    [
      'text parts that are too long together',
      {
        messages: [
          user([
            { type: 'text', text: '012345' },
            { type: 'image_url', image_url: { url: 'x' } },
            { type: 'text', text: '67890' },
          ]),
        ],
      },
      {
        param: 'messages[0].content',
        message: 'The message has 11 characters of text; at most 10 are accepted.',
      },
    ],
    [
      'a turn with as many tool_calls as one round runs',
      { messages: [user('x'), { role: 'assistant', content: null, tool_calls: [{}, {}] }] },
      undefined,
    ],
    [
      'a turn with more tool_calls than one round runs',
      { messages: [user('x'), { role: 'assistant', content: null, tool_calls: [{}, {}, {}] }] },
      {
        param: 'messages[1].tool_calls',
        message: 'A message carries 3 tool_calls; at most 2 are accepted in one turn.',
      },
    ],
    [
      'too many tools',
      { messages: [user('x')], tools: [{}, {}, {}] },
      { param: 'tools', message: 'The request offers 3 tools; at most 2 are accepted.' },
    ],
    [
      'a body nested too deeply',
      { messages: [user('x')], metadata: { a: { b: { c: { d: { e: {} } } } } } },
      {
        param: null,
        message: 'The request body nests arrays and objects deeper than 6 levels.',
      },
    ],
    ['malformed shapes are left to the DTO', { messages: 'hi', tools: 5 }, undefined],
  ])('%s', (_name, body, expected) => {
    expect(problem(body)).toEqual(expected);
  });

  it('runs in the validation pipe before the DTO is built', () => {
    const pipe = new OpenAiValidationPipe(BOUNDS);
    const body = { messages: [user('x')], extra: nested(20) };
    expect(() =>
      pipe.transform(body, { type: 'body', metatype: ChatCompletionRequestDto }),
    ).toThrow('deeper than 6 levels');
  });

  it('stays below the depth at which building the DTO would overflow the stack', () => {
    // The largest accepted `limits.request.max_json_depth` is 256; class-transformer recurses
    // into unknown fields (it overflows at about 1 500 levels here), so it must cope with
    // that depth with room to spare.
    expect(() =>
      plainToInstance(ChatCompletionRequestDto, { messages: [user('x')], extra: nested(1_000) }),
    ).not.toThrow();
  });
});

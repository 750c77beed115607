import { ErrorCode, GatewayException } from '../common/errors';
import type { AnthropicSlice } from './anthropic.config';
import { CountTokensBodyPipe, MessagesBodyPipe } from './messages-body.pipe';

const config = {
  request: { maxMessages: 3, maxContentChars: 20, maxTools: 1, maxJsonDepth: 8 },
  maxToolCalls: 2,
} as AnthropicSlice;

const call = (id: string) => ({ type: 'tool_use', id, name: 'f', input: {} });
const base = { model: 'auto', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] };

function refusal(body: unknown): GatewayException {
  try {
    new MessagesBodyPipe(config).transform(body);
  } catch (error) {
    return error as GatewayException;
  }
  throw new Error('expected a 400');
}

describe('MessagesBodyPipe', () => {
  it('answers the validated request', () => {
    expect(new MessagesBodyPipe(config).transform(base)).toEqual(base);
  });

  it.each<[string, Record<string, unknown>, string | null, RegExp]>([
    [
      'too many messages',
      { messages: Array(4).fill({ role: 'user', content: 'a' }) },
      'messages',
      /4 messages; at most 3/,
    ],
    [
      'too much text in a message',
      { messages: [{ role: 'user', content: [{ type: 'text', text: 'x'.repeat(21) }] }] },
      'messages[0].content',
      /21 characters/,
    ],
    ['too many tools', { tools: [{ name: 'a' }, { name: 'b' }] }, 'tools', /2 tools; at most 1/],
    ['nesting too deep', { metadata: { user_id: [[[[[[[['x']]]]]]]] } }, null, /deeper than 8/],
    [
      'more tool_use blocks in a turn than a round runs',
      { messages: [{ role: 'assistant', content: [call('a'), call('b'), call('c')] }] },
      'messages[0].content',
      /3 tool_calls; at most 2/,
    ],
    ['an invalid field after the bounds', { max_tokens: 'many' }, 'max_tokens', /integer/],
  ])('refuses %s with a 400', (_name, change, param, message) => {
    const error = refusal({ ...base, ...change });
    expect(error).toBeInstanceOf(GatewayException);
    expect(error.code).toBe(ErrorCode.InvalidValue);
    expect(error.param).toBe(param);
    expect(error.message).toMatch(message);
  });

  it('lets a turn of as many tool_use blocks as a round runs through', () => {
    const body = { ...base, messages: [{ role: 'assistant', content: [call('a'), call('b')] }] };
    expect(() => new MessagesBodyPipe(config).transform(body)).not.toThrow();
  });
});

describe('CountTokensBodyPipe', () => {
  it('validates a count_tokens body (no max_tokens)', () => {
    const body = { model: 'auto', messages: base.messages };
    expect(new CountTokensBodyPipe(config).transform(body)).toEqual(body);
    expect(() => new CountTokensBodyPipe(config).transform(base)).toThrow(/max_tokens/);
  });
});

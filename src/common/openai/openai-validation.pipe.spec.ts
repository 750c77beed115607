import type { ArgumentMetadata } from '@nestjs/common';
import { GatewayException } from '../errors';
import {
  ChatCompletionRequestDto,
  ChatMessageDto,
  CompletionRequestDto,
  EmbeddingRequestDto,
} from './chat-completion-request.dto';
import { instantiate, OpenAiValidationPipe } from './openai-validation.pipe';
import type { RequestBounds } from './request-bounds';

const BOUNDS: RequestBounds = {
  maxMessages: 100,
  maxContentChars: 10_000,
  maxTools: 10,
  maxJsonDepth: 32,
};

const pipe = new OpenAiValidationPipe(BOUNDS);

function validate(type: new () => object, body: unknown): number {
  const metadata: ArgumentMetadata = { type: 'body', metatype: type };
  try {
    pipe.transform(JSON.parse(JSON.stringify(body)) as unknown, metadata);
    return 200;
  } catch (error) {
    if (error instanceof GatewayException) return error.status;
    throw error;
  }
}

const user = [{ role: 'user', content: 'hi' }];
const ctor = JSON.parse('{"constructor":{}}') as unknown;
const ctorString = JSON.parse('{"constructor":"x"}') as unknown;
const proto = JSON.parse('{"prototype":{"constructor":{}}}') as unknown;

describe('OpenAiValidationPipe: reserved keys are data, never a type (issue 13, finding 4)', () => {
  it.each<[string, new () => object, unknown, number]>([
    [
      'chat: model is such an object',
      ChatCompletionRequestDto,
      { model: ctor, messages: user },
      400,
    ],
    ['chat: temperature', ChatCompletionRequestDto, { temperature: ctor, messages: user }, 400],
    ['chat: a message', ChatCompletionRequestDto, { messages: [ctor] }, 400],
    [
      'chat: stream_options',
      ChatCompletionRequestDto,
      { messages: user, stream_options: ctor },
      200,
    ],
    ['chat: metadata', ChatCompletionRequestDto, { messages: user, metadata: ctorString }, 200],
    ['chat: an extra field', ChatCompletionRequestDto, { messages: user, x: proto }, 200],
    ['chat: top-level key', ChatCompletionRequestDto, { messages: user, ...(ctor as object) }, 200],
    [
      'chat: a message part',
      ChatCompletionRequestDto,
      { messages: [{ role: 'user', content: [{ type: 'text', text: 'a', ...(ctor as object) }] }] },
      200,
    ],
    ['completions: valid with such a key', CompletionRequestDto, { prompt: 'x', x: ctor }, 200],
    ['completions: prompt', CompletionRequestDto, { prompt: ctor }, 400],
    ['completions: top-level key', CompletionRequestDto, { prompt: 'x', ...(ctor as object) }, 200],
    ['embeddings: an input item', EmbeddingRequestDto, { input: [ctor] }, 400],
    ['embeddings: input', EmbeddingRequestDto, { input: ctor }, 400],
    ['embeddings: valid with such a key', EmbeddingRequestDto, { input: 'a', x: ctor }, 200],
  ])('%s', (_name, type, body, status) => {
    expect(validate(type, body)).toBe(status);
  });

  it('keeps such keys as plain data below the DTO, and never on an instance or its prototype', () => {
    const body = JSON.parse(
      '{"messages":[{"role":"user","content":"a","constructor":{}}],"__proto__":{"x":1},' +
        '"constructor":{},"metadata":{"constructor":"m"},"stream_options":{"prototype":{}}}',
    ) as Record<string, unknown>;
    const instance = instantiate(ChatCompletionRequestDto, body) as Record<string, unknown>;
    expect(Object.getPrototypeOf(instance)).toBe(ChatCompletionRequestDto.prototype);
    expect(instance.constructor).toBe(ChatCompletionRequestDto);
    expect(Object.keys(instance)).not.toContain('__proto__');
    expect((instance.messages as object[])[0].constructor).toBe(ChatMessageDto);
    expect(Object.keys(instance.stream_options as object)).not.toContain('prototype');
    // Below the DTO a value is shared, not copied: data, whatever its keys.
    expect(instance.metadata).toBe(body.metadata);
  });

  it('validates a large body without copying it (issue 13, finding 3)', () => {
    const body = { prompt: 'x', extra: Array.from({ length: 100_000 }, () => ({})) };
    const metadata: ArgumentMetadata = { type: 'body', metatype: CompletionRequestDto };
    const result = pipe.transform(body, metadata) as typeof body;
    expect(result).toBeInstanceOf(CompletionRequestDto);
    expect(result.extra).toBe(body.extra);
  });
});

describe('OpenAiValidationPipe: embeddings input items (issue 13, must-be-true 0)', () => {
  it.each<[string, unknown, number]>([
    ['a string', 'hello', 200],
    ['strings', ['a', 'b'], 200],
    ['token ids', [1, 2, 3], 200],
    ['lists of token ids', [[1, 2], [3]], 200],
    ['an empty string', '', 400],
    ['an empty list', [], 400],
    ['objects', [{ foo: 'a' }], 400],
    ['a mix of strings and numbers', ['a', 1], 400],
    ['negative or fractional ids', [1.5, -1], 400],
    ['an empty token list', [[]], 400],
    ['null items', [null], 400],
    ['2049 strings', Array.from({ length: 2049 }, () => 'a'), 400],
  ])('%s', (_name, input, status) => {
    expect(validate(EmbeddingRequestDto, { input })).toBe(status);
  });
});

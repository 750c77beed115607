import { isContextOverflow, isInvalidInput, isOverReplicaLimit } from './upstream-error-wording';

describe('upstream error wording', () => {
  it.each<[string, string, string | undefined, boolean]>([
    [
      'vLLM',
      "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens",
      'BadRequestError',
      true,
    ],
    [
      'llama.cpp',
      'request (3000 tokens) exceeds the available context size (2048 tokens), try increasing it',
      'exceed_context_size_error',
      true,
    ],
    ['llama.cpp, by its type alone', 'too big', 'exceed_context_size_error', true],
    [
      'TGI',
      'Input validation error: `inputs` tokens + `max_new_tokens` must be <= 2048. Given: 2000 `inputs` tokens and 100 `max_new_tokens`',
      undefined,
      true,
    ],
    ['an unrelated 400', 'temperature must be at most 2', undefined, false],
    [
      'an embeddings batch overflow (not the context)',
      'input (3000 tokens) is too large to process',
      undefined,
      false,
    ],
  ])('context overflow: %s → %s', (_server, message, type, expected) => {
    expect(isContextOverflow(message, type)).toBe(expected);
  });

  it.each<[string, string, boolean]>([
    [
      'llama.cpp: tool-call arguments that are not JSON',
      'Failed to parse tool call arguments as JSON: [json.exception.parse_error.101] parse error at line 1',
      true,
    ],
    [
      'llama.cpp: an image part on a text-only model',
      'image input is not supported - hint: if this is unexpected, you may need to provide the mmproj',
      true,
    ],
    [
      'llama.cpp: an embeddings input over the batch',
      'input (3000 tokens) is too large to process. increase the physical batch size (current batch size: 2048)',
      true,
    ],
    [
      'llama.cpp: a tool without `function`',
      "[json.exception.out_of_range.403] key 'function' not found",
      true,
    ],
    [
      'llama.cpp: malformed JSON',
      "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error while parsing object key - invalid literal; last read: '{x'",
      true,
    ],
    ['a generic invalid argument', 'Invalid argument: n must be 1', true],
    ['a CUDA fault', 'CUDA error: an illegal memory access was encountered', false],
    [
      'an engine crash',
      'EngineCore encountered an issue. See stack trace for the root cause.',
      false,
    ],
    ['out of memory', 'Out of memory while allocating the KV cache', false],
    ['nothing said', 'Internal Server Error', false],
  ])('invalid input: %s → %s', (_what, message, expected) => {
    expect(isInvalidInput(message)).toBe(expected);
  });

  it.each<[string, string, boolean]>([
    [
      'llama.cpp: an embeddings input over the batch',
      'input (3000 tokens) is too large to process. increase the physical batch size',
      true,
    ],
    [
      'llama.cpp: tool-call arguments that are not JSON',
      'Failed to parse tool call arguments as JSON',
      false,
    ],
    [
      'a context overflow',
      'request (3000 tokens) exceeds the available context size (2048 tokens)',
      false,
    ],
    ['a CUDA fault', 'CUDA error: out of memory', false],
  ])("over one replica's own limits: %s → %s", (_what, message, expected) => {
    expect(isOverReplicaLimit(message)).toBe(expected);
  });
});

/**
 * The top-level fields of a chat completion request the gateway validates (the OpenAI fields and
 * vLLM's `top_k`), for tests that build or mutate request bodies field by field: the fast-path
 * property test and the hardening fuzz test.
 */
export const CHAT_REQUEST_FIELDS = [
  'model',
  'messages',
  'stream',
  'stream_options',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'response_format',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'n',
  'stop',
  'seed',
  'logprobs',
  'top_logprobs',
  'presence_penalty',
  'frequency_penalty',
  'user',
  'reasoning_effort',
  'metadata',
  'top_k',
] as const;

/** The top-level fields of a legacy completions request (`POST /v1/completions`) tests mutate. */
export const COMPLETION_REQUEST_FIELDS = [
  'model',
  'prompt',
  'stream',
  'stream_options',
  'max_tokens',
  'temperature',
  'top_p',
  'n',
  'stop',
  'echo',
  'suffix',
  'logprobs',
  'seed',
  'user',
  'reasoning_effort',
] as const;

/** The top-level fields of an embeddings request (`POST /v1/embeddings`) tests mutate. */
export const EMBEDDING_REQUEST_FIELDS = [
  'model',
  'input',
  'encoding_format',
  'dimensions',
  'user',
] as const;

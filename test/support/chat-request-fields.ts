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

/**
 * What an upstream's error message means, whichever server wrote it. Pure: tables of wordings
 * seen from vLLM, llama.cpp (`llama-server`) and TGI, so a request fault is told from a replica
 * fault by what the server said, not by its status alone (llama.cpp answers several invalid
 * requests with HTTP 500).
 */

/** A prompt (plus the completion budget) longer than the model's window. */
const CONTEXT_OVERFLOW: readonly RegExp[] = [
  // vLLM, OpenAI: "This model's maximum context length is 4096 tokens. However, you requested …"
  /maximum context length/i,
  // llama.cpp: "request (3000 tokens) exceeds the available context size (2048 tokens)"
  /exceeds? the available context size/i,
  // TGI: "Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096. Given: …"
  /`?inputs`? tokens \+ `?max_new_tokens`? must be <=/i,
  /context (length|window|size) (exceeded|is exceeded|overflow)/i,
  /prompt is too long|too many tokens in the prompt/i,
];

/** Error `type`s (or codes) that name a context overflow. */
const CONTEXT_OVERFLOW_TYPES = new Set([
  'exceed_context_size_error',
  'context_length_exceeded',
  'context_window_exceeded',
]);

/**
 * Wordings of a request the server refused as invalid, whatever status it chose: the same
 * request fails the same way on every replica, so it is never the replica's fault.
 */
const INVALID_INPUT: readonly RegExp[] = [
  // llama.cpp: tool-call arguments in the history that are not JSON.
  /failed to parse tool call arguments/i,
  // llama.cpp: "image input is not supported - hint: … provide the mmproj"; vLLM, others alike.
  /\b(image|audio|video|multimodal) (input|content|part)s? (is |are )?not supported/i,
  /does not support (image|audio|video|vision|multimodal)/i,
  // llama.cpp (nlohmann::json): malformed JSON, a tool without `function`, a wrong type.
  /\[json\.exception\.(parse_error|type_error|out_of_range)\.\d+\]/i,
  /\binvalid (argument|input|request|parameter|json|value|tool|message|content)\b/i,
  /\bunsupported (content|message|parameter|param|value|type|role)\b/i,
  /\bmissing (required )?(field|parameter|argument|function|key)\b/i,
];

/**
 * Wordings of a request over one replica's own limits (its batch size), not the model's: a
 * replica configured otherwise may take it, so it is tried once elsewhere, and it is still
 * never the replica's fault.
 */
const OVER_REPLICA_LIMIT: readonly RegExp[] = [
  // llama.cpp embeddings: "input (3000 tokens) is too large to process. increase the physical batch size"
  /is too large to process/i,
];

/** The upstream said the prompt does not fit the model's context window. */
export function isContextOverflow(message: string, type?: string | null): boolean {
  if (type && CONTEXT_OVERFLOW_TYPES.has(type)) return true;
  return CONTEXT_OVERFLOW.some((pattern) => pattern.test(message));
}

/** The upstream said the request itself is invalid (any status). */
export function isInvalidInput(message: string): boolean {
  return INVALID_INPUT.some((pattern) => pattern.test(message)) || isOverReplicaLimit(message);
}

/** The upstream said the request exceeds its own configured limits (another replica may differ). */
export function isOverReplicaLimit(message: string): boolean {
  return OVER_REPLICA_LIMIT.some((pattern) => pattern.test(message));
}

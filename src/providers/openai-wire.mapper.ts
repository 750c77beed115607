import { ErrorCode, ErrorMessages, GatewayException } from '../common/errors';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  EmbeddingResponse,
} from '../common/openai/chat.types';
import { scrubSecrets } from '../common/secrets';
import { isContextOverflow, isInvalidInput, isOverReplicaLimit } from './upstream-error-wording';

/**
 * Mapping between upstream wire JSON and typed values; no transport here. Everything an upstream
 * sends is checked for the few fields the gateway relies on, so a non-OpenAI answer becomes a
 * 502 `upstream_error` instead of a crash further in.
 */

type Json = Record<string, unknown>;

function parseObject(raw: string, what: string, origin: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw malformed(`${what} is not JSON`, origin, raw);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw malformed(`${what} is not a JSON object`, origin, raw);
  }
  return value as Json;
}

export function malformed(what: string, origin: string, raw?: string): GatewayException {
  return new GatewayException(ErrorCode.UpstreamError, ErrorMessages.upstreamMalformed(what), {
    upstream: { origin, body: raw?.slice(0, 2048) },
  });
}

export function parseChatCompletion(raw: string, origin: string): ChatCompletion {
  const value = parseObject(raw, 'chat completion', origin);
  if (!Array.isArray(value.choices))
    throw malformed('chat completion without choices', origin, raw);
  for (const choice of value.choices as unknown[]) {
    const message = (choice as Json | null)?.message;
    if (message === null || typeof message !== 'object') {
      throw malformed('chat completion choice without a message', origin, raw);
    }
  }
  return value as unknown as ChatCompletion;
}

export function parseCompletion(raw: string, origin: string): Json {
  const value = parseObject(raw, 'completion', origin);
  if (!Array.isArray(value.choices)) throw malformed('completion without choices', origin, raw);
  return value;
}

export function parseEmbeddings(raw: string, origin: string): EmbeddingResponse {
  const value = parseObject(raw, 'embeddings answer', origin);
  if (!Array.isArray(value.data)) throw malformed('embeddings answer without data', origin, raw);
  return value as unknown as EmbeddingResponse;
}

/**
 * One stream payload → a chunk with a `choices` array. An in-band `{"error": …}` (vLLM sends one
 * when generation fails mid-stream) becomes an upstream error; an Ollama-native NDJSON line
 * (`{"message": {…}, "done": …}`) is translated into the OpenAI chunk shape.
 */
export function parseStreamChunk<T extends { choices: unknown[] }>(
  raw: string,
  origin: string,
): { raw: string; chunk: T } {
  const value = parseObject(raw, 'stream chunk', origin);
  if (Array.isArray(value.choices)) return { raw, chunk: value as unknown as T };
  if (value.error !== undefined) {
    throw new GatewayException(
      ErrorCode.UpstreamError,
      ErrorMessages.upstreamStreamBroken('the upstream reported an error mid-stream'),
      { upstream: { origin, body: raw.slice(0, 2048) } },
    );
  }
  if (value.message !== undefined && typeof value.done === 'boolean') {
    const chunk = fromOllamaChunk(value);
    return { raw: JSON.stringify(chunk), chunk: chunk as unknown as T };
  }
  throw malformed('stream chunk without choices', origin, raw);
}

function fromOllamaChunk(value: Json): ChatCompletionChunk {
  const message = (value.message ?? {}) as Json;
  const done = value.done === true;
  const created = Date.parse(String(value.created_at ?? '')) || Date.now();
  const chunk: ChatCompletionChunk = {
    id: 'chatcmpl-ollama',
    object: 'chat.completion.chunk',
    created: Math.floor(created / 1000),
    model: String(value.model ?? ''),
    choices: [
      {
        index: 0,
        delta: done ? {} : { role: 'assistant', content: String(message.content ?? '') },
        finish_reason: done ? String(value.done_reason ?? 'stop') : null,
      },
    ],
  };
  if (done && typeof value.prompt_eval_count === 'number' && typeof value.eval_count === 'number') {
    chunk.usage = {
      prompt_tokens: value.prompt_eval_count,
      completion_tokens: value.eval_count,
      total_tokens: value.prompt_eval_count + value.eval_count,
    };
  }
  return chunk;
}

/** The most of an upstream's own message a caller is shown. */
const MAX_RELAYED_MESSAGE = 1000;

/**
 * An upstream's non-2xx answer → the exception the caller sees (docs/api.md §6). Messages relayed
 * from the upstream are scrubbed of configured secrets first.
 *
 * - 401/403/407: the upstream refused the gateway's credentials: the gateway's problem, 502.
 * - A context overflow in any server's wording (vLLM and llama.cpp 400, TGI 422): 400
 *   `context_length_exceeded` with the upstream's detail.
 * - Another 4xx passes through with its status and message; so does a 5xx whose message says
 *   the request is invalid (llama.cpp answers several invalid inputs with 500), as a 400.
 * - Any other 5xx is a 502 `upstream_error` that carries the upstream's own message.
 */
export function upstreamStatusError(
  status: number,
  bodyText: string,
  origin: string,
  retryAfter?: string,
): GatewayException {
  const upstream = { status, body: bodyText.slice(0, 2048), origin };
  if (status === 401 || status === 403 || status === 407) {
    return new GatewayException(
      ErrorCode.UpstreamError,
      ErrorMessages.upstreamRejectedCredentials(status),
      {
        upstream,
      },
    );
  }
  const parsed = parseUpstreamErrorBody(bodyText);
  const said = parsed.message === undefined ? undefined : relayed(parsed.message);
  const param = parsed.param ? scrubSecrets(parsed.param) : null;
  if (
    said !== undefined &&
    status <= 500 &&
    status !== 429 &&
    isContextOverflow(said, parsed.type ?? parsed.code)
  ) {
    return new GatewayException(ErrorCode.ContextLengthExceeded, said, { param, upstream });
  }
  if (status >= 400 && status < 500) {
    const message = said ?? ErrorMessages.upstreamStatus(status);
    const code =
      status === 429
        ? ErrorCode.RateLimitExceeded
        : status === 404
          ? ErrorCode.ModelNotFound
          : ErrorCode.InvalidValue;
    return new GatewayException(code, message, {
      status,
      type: status === 429 ? 'rate_limit_error' : 'invalid_request_error',
      wireCode: status === 429 ? 'rate_limit_exceeded' : (parsed.code ?? null),
      param,
      headers: retryAfter ? { 'retry-after': retryAfter } : undefined,
      upstream,
    });
  }
  if (said !== undefined && status === 500 && isInvalidInput(said)) {
    return new GatewayException(ErrorCode.InvalidValue, said, {
      param,
      upstream,
      ...(isOverReplicaLimit(said) ? { retryElsewhere: true } : {}),
    });
  }
  return new GatewayException(
    ErrorCode.UpstreamError,
    said === undefined
      ? ErrorMessages.upstreamStatus(status)
      : ErrorMessages.upstreamStatusSaid(status, said),
    {
      upstream,
      headers: status === 503 && retryAfter ? { 'retry-after': retryAfter } : undefined,
    },
  );
}

/** An upstream's message as a caller may read it: no secret, bounded. */
function relayed(message: string): string {
  const scrubbed = scrubSecrets(message).trim();
  return scrubbed.length > MAX_RELAYED_MESSAGE
    ? `${scrubbed.slice(0, MAX_RELAYED_MESSAGE)}…`
    : scrubbed;
}

interface UpstreamErrorFields {
  message?: string;
  code?: string | null;
  /** The error's `type` (llama.cpp names a context overflow by it). */
  type?: string;
  param?: string | null;
}

/** vLLM ≥0.10 and OpenAI use `{"error": {…}}`; older vLLM used `{"object": "error", …}`. */
export function parseUpstreamErrorBody(bodyText: string): UpstreamErrorFields {
  let value: unknown;
  try {
    value = JSON.parse(bodyText);
  } catch {
    return {};
  }
  if (value === null || typeof value !== 'object') return {};
  const outer = value as Json;
  const inner = (
    typeof outer.error === 'object' && outer.error !== null ? outer.error : outer
  ) as Json;
  const message =
    typeof inner.message === 'string'
      ? inner.message
      : typeof outer.error === 'string'
        ? outer.error
        : undefined;
  return {
    message,
    // vLLM puts the numeric status in `code`; OpenAI's `code` is a string or null.
    code: typeof inner.code === 'string' ? inner.code : undefined,
    type: typeof inner.type === 'string' ? inner.type : undefined,
    param: typeof inner.param === 'string' ? inner.param : null,
  };
}

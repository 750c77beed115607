import type { Context } from '@opentelemetry/api';
import type { Observable } from 'rxjs';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  CompletionChunk,
  CompletionRequest,
  EmbeddingRequest,
  EmbeddingResponse,
} from '../common/openai/chat.types';
import type { FlowGate } from '../common/sse';

export interface UpstreamCallOptions {
  /** The caller's cancellation (client disconnect); aborting it aborts the upstream request. */
  signal: AbortSignal;
  /**
   * Whole-request deadline towards the upstream, in ms; past it the call fails with 504. On a
   * pool it covers every attempt and the wait for a free replica.
   */
  timeoutMs: number;
  /** Sent upstream as `x-request-id`, so upstream logs can be joined with ours. */
  requestId: string;
  /** Streams only: reading from the upstream pauses while the gate is closed. */
  gate?: FlowGate;
  /**
   * Per attempt: the longest wait for the response headers and, for a stream, its first bytes.
   * Past it the attempt fails with 504 (and a pool retries elsewhere). Default: `timeoutMs`.
   */
  ttfbMs?: number;
  /** Streams: the longest silence between two chunks. Default: `timeoutMs`. */
  idleMs?: number;
  /** Pools: the longest wait for a free replica when all are busy (then 503 `overloaded`). */
  queueMs?: number;
  /**
   * Pools with prefix affinity: requests with the same key prefer the same replica. Computed
   * from the system prompt and the first user turn when not given.
   */
  affinityKey?: string;
  /**
   * The trace context of this call. On a pool: the parent of each attempt's span (default: the
   * active context). On a replica: the attempt's own context, sent upstream as `traceparent`.
   */
  traceContext?: Context;
}

/** A parsed upstream JSON answer with the exact text it came from, so it can be forwarded unchanged. */
export interface UpstreamJson<T> {
  raw: string;
  value: T;
}

/** One parsed stream payload; `raw` is forwarded as is unless the chunk was changed. */
export interface UpstreamChunk<T> {
  raw: string;
  chunk: T;
  /**
   * Chat and completions streams: set when the payload is a plain content delta (one choice,
   * index 0, `delta: {content}` and nothing else, no finish reason, no usage), to its text.
   * Such a `chunk` is built when first read: a consumer that needs only the text reads this.
   */
  readonly content?: string;
}

/**
 * The narrow port every model server sits behind (vLLM, TGI, llama.cpp, Ollama, a hosted API).
 * Requests carry the upstream's own model id already; implementations add transport concerns
 * (URLs, keys, connection pools) and map the wire format to typed values.
 *
 * @example
 * ```ts
 * const answer = await upstream.chat({ model: 'Qwen/Qwen2.5-7B-Instruct', messages }, {
 *   signal, timeoutMs: 60_000, requestId,
 * });
 * upstream.chatStream({ ...body, stream: true }, opts).subscribe((c) => write(c.raw));
 * ```
 */
export interface ChatUpstream {
  chat(
    body: ChatCompletionRequest,
    options: UpstreamCallOptions,
  ): Promise<UpstreamJson<ChatCompletion>>;
  chatStream(
    body: ChatCompletionRequest,
    options: UpstreamCallOptions,
  ): Observable<UpstreamChunk<ChatCompletionChunk>>;
  completions(
    body: CompletionRequest,
    options: UpstreamCallOptions,
  ): Promise<UpstreamJson<unknown>>;
  completionsStream(
    body: CompletionRequest,
    options: UpstreamCallOptions,
  ): Observable<UpstreamChunk<CompletionChunk>>;
  embeddings(
    body: EmbeddingRequest,
    options: UpstreamCallOptions,
  ): Promise<UpstreamJson<EmbeddingResponse>>;
}

/** One event of an upstream's own `/v1/responses` stream (`type` names it). */
export interface ResponsesStreamEvent {
  type: string;
  response?: Record<string, unknown>;
  [field: string]: unknown;
}

/**
 * An upstream's own Responses API (vLLM, llama.cpp serve `/v1/responses`): the request goes as
 * the front shaped it (with the upstream's model id), the answer comes back as the upstream gave it.
 */
export interface ResponsesUpstream {
  responses(
    body: Record<string, unknown>,
    options: UpstreamCallOptions,
  ): Promise<UpstreamJson<Record<string, unknown>>>;
  responsesStream(
    body: Record<string, unknown>,
    options: UpstreamCallOptions,
  ): Observable<UpstreamChunk<ResponsesStreamEvent>>;
}

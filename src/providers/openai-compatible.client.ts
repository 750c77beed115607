import { Logger } from '@nestjs/common';
import { propagation } from '@opentelemetry/api';
import { Observable } from 'rxjs';
import { Pool, type Dispatcher } from 'undici';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  CompletionChunk,
  CompletionRequest,
  EmbeddingRequest,
  EmbeddingResponse,
} from '../common/openai/chat.types';
import { defaultOf, GATEWAY_CONFIG_KEYS, type PoolConfig, type UpstreamConfig } from '../config';
import { parseChatCompletion, parseCompletion, parseEmbeddings } from './openai-wire.mapper';
import { headerListSetter, type AnswerLimits, type DispatchCall } from './dispatch-call';
import { JsonCall } from './json-call';
import { ProvidersMessages } from './providers.messages';
import {
  chatCompletionAsChunks,
  completionAsChunks,
  fallBackWhenRefused,
  streamFromAnswer,
  withoutStreaming,
} from './stream-fallback';
import { StreamCall } from './stream-call';
import { chunkStream, type StreamShape } from './stream-shape';
import { parseResponseObject, RESPONSES_STREAM } from './responses-wire';
import type {
  ChatUpstream,
  ResponsesStreamEvent,
  UpstreamCallOptions,
  UpstreamChunk,
  UpstreamJson,
} from './upstream.interface';

const logger = new Logger('Upstreams');

/**
 * One OpenAI-compatible model server, reached through an undici keep-alive pool bounded to
 * `maxConnections` per origin. Transport only: URLs, headers and dispatch here, each call's
 * undici handler in `json-call.ts` / `stream-call.ts`; what the JSON means is
 * `openai-wire.mapper.ts`'s business, what a failure means `upstream-failure.mapper.ts`'s.
 */
/** A pool's keys, whose defaults apply to what a caller leaves out. */
const POOL_KEYS = GATEWAY_CONFIG_KEYS.shape.pools.element.shape;

export class OpenAiCompatibleClient implements ChatUpstream {
  /** `http://host:port`, for logs and error details. */
  readonly origin: string;
  /** The path prefix of the API, e.g. `/v1`. */
  private readonly basePath: string;
  private readonly pool: Pool;
  private readonly baseHeaders: Record<string, string>;
  /** The same headers as a flat `[name, value, …]` list, per `accept`, for undici's dispatch. */
  private readonly jsonHeaderList: readonly string[];
  private readonly streamHeaderList: readonly string[];
  /** The largest answer read, and the largest streamed event (issue 13: answers are bounded). */
  private readonly limits: AnswerLimits;
  /** The pool's `streaming`: false asks for whole answers and streams them itself. */
  private readonly streaming: boolean;
  private streamingRefused = false;

  /** It refused `stream: true` once: streamed requests are answered from whole ones. */
  get refusesStreaming(): boolean {
    return this.streamingRefused;
  }

  constructor(
    readonly upstream: UpstreamConfig,
    pool: Pick<PoolConfig, 'maxConnections' | 'connectTimeoutMs'> &
      Partial<Pick<PoolConfig, 'maxResponseBytes' | 'maxStreamLineBytes' | 'streaming'>>,
  ) {
    this.limits = {
      maxResponseBytes: pool.maxResponseBytes ?? defaultOf(POOL_KEYS.maxResponseBytes),
      maxStreamLineBytes: pool.maxStreamLineBytes ?? defaultOf(POOL_KEYS.maxStreamLineBytes),
    };
    this.streaming = pool.streaming ?? true;
    const url = new URL(upstream.url);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.pool = new Pool(this.origin, {
      connections: pool.maxConnections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      connect: {
        timeout: pool.connectTimeoutMs,
        rejectUnauthorized: upstream.tls.rejectUnauthorized,
      },
    });
    this.baseHeaders = { 'content-type': 'application/json', accept: 'application/json' };
    if (upstream.apiKey) this.baseHeaders.authorization = `Bearer ${upstream.apiKey}`;
    this.jsonHeaderList = Object.entries(this.baseHeaders).flat();
    this.streamHeaderList = Object.entries({
      ...this.baseHeaders,
      accept: 'text/event-stream',
    }).flat();
  }

  chat(
    body: ChatCompletionRequest,
    options: UpstreamCallOptions,
  ): Promise<UpstreamJson<ChatCompletion>> {
    return this.postJson('/chat/completions', body, options, (raw) =>
      parseChatCompletion(raw, this.origin),
    );
  }

  /**
   * Streams, unless the pool says `streaming: false` or the upstream refuses to (issue 12):
   * then one non-streamed call, whose answer becomes the chunks (see `stream-fallback.ts`).
   */
  chatStream(
    body: ChatCompletionRequest,
    options: UpstreamCallOptions,
  ): Observable<UpstreamChunk<ChatCompletionChunk>> {
    const whole = (): Observable<UpstreamChunk<ChatCompletionChunk>> =>
      streamFromAnswer(
        (signal) => this.chat(withoutStreaming(body), { ...options, signal }),
        options.signal,
        (answer) => chatCompletionAsChunks(answer, body.stream_options?.include_usage === true),
      );
    if (!this.streaming) return whole();
    return fallBackWhenRefused(
      this.postStream<ChatCompletionChunk>('/chat/completions', body, options, chunkStream()),
      whole,
      () => this.refusedStreaming(),
    );
  }

  completions(
    body: CompletionRequest,
    options: UpstreamCallOptions,
  ): Promise<UpstreamJson<unknown>> {
    return this.postJson('/completions', body, options, (raw) => parseCompletion(raw, this.origin));
  }

  completionsStream(
    body: CompletionRequest,
    options: UpstreamCallOptions,
  ): Observable<UpstreamChunk<CompletionChunk>> {
    const whole = (): Observable<UpstreamChunk<CompletionChunk>> =>
      streamFromAnswer(
        (signal) =>
          this.completions(withoutStreaming(body), { ...options, signal }) as Promise<
            UpstreamJson<Record<string, unknown>>
          >,
        options.signal,
        (answer) => completionAsChunks(answer, body.stream_options?.include_usage === true),
      );
    if (!this.streaming) return whole();
    return fallBackWhenRefused(
      this.postStream<CompletionChunk>('/completions', body, options, chunkStream()),
      whole,
      () => this.refusedStreaming(),
    );
  }

  embeddings(
    body: EmbeddingRequest,
    options: UpstreamCallOptions,
  ): Promise<UpstreamJson<EmbeddingResponse>> {
    return this.postJson('/embeddings', body, options, (raw) => parseEmbeddings(raw, this.origin));
  }

  responses(
    body: Record<string, unknown>,
    options: UpstreamCallOptions,
  ): Promise<UpstreamJson<Record<string, unknown>>> {
    return this.postJson('/responses', body, options, (raw) =>
      parseResponseObject(raw, this.origin),
    );
  }

  /** The upstream's own Responses events (a native pool streams: no whole-answer fallback). */
  responsesStream(
    body: Record<string, unknown>,
    options: UpstreamCallOptions,
  ): Observable<UpstreamChunk<ResponsesStreamEvent>> {
    return this.postStream('/responses', body, options, RESPONSES_STREAM);
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  /** The first refusal is logged: a pool of such servers is better set to `streaming: false`. */
  private refusedStreaming(): void {
    if (this.streamingRefused) return;
    this.streamingRefused = true;
    logger.warn(ProvidersMessages.streamingRefused(this.origin));
  }

  /** Drops open connections at once (shutdown after the grace period). */
  async destroy(): Promise<void> {
    await this.pool.destroy();
  }

  /**
   * One JSON request on undici's dispatch API: the body is collected as the chunks arrive and
   * decoded once; the caller's signal and the deadlines end it through the dispatch controller.
   */
  private postJson<T>(
    path: string,
    body: object,
    options: UpstreamCallOptions,
    parse: (raw: string) => T,
  ): Promise<UpstreamJson<T>> {
    return new Promise<UpstreamJson<T>>((resolve, reject) => {
      const call = new JsonCall(this.origin, options, this.limits, parse, resolve, reject);
      if (!call.start()) return;
      // undici's own headers timeout ticks in half-seconds; time to first byte is ours, precise.
      call.arm(options.ttfbMs ?? options.timeoutMs, 'ttfb');
      this.post(
        call,
        path,
        this.headerList(this.jsonHeaderList, options),
        body,
        options.idleMs ?? options.timeoutMs,
      );
    });
  }

  /**
   * One streamed request on undici's dispatch API: each chunk goes straight into the stream
   * decoder, and reading pauses at the socket while `options.gate` is closed.
   */
  private postStream<T>(
    path: string,
    body: object,
    options: UpstreamCallOptions,
    shape: StreamShape<T>,
  ): Observable<UpstreamChunk<T>> {
    return new Observable<UpstreamChunk<T>>((subscriber) => {
      const call = new StreamCall<T>(this.origin, options, this.limits, subscriber, shape);
      if (!call.start()) return undefined;
      // Until the first bytes: the time-to-first-byte budget; then the idle budget per read.
      call.arm(options.ttfbMs ?? options.timeoutMs, 'ttfb');
      // The stall timer measures silence; undici's body timeout would also count our own pauses.
      this.post(call, path, this.headerList(this.streamHeaderList, options), body, 0);
      // Unsubscribing (caller gone, or the consumer is done) aborts the upstream request,
      // unless it has finished already.
      return call;
    });
  }

  /**
   * Dispatches `call`'s POST. The headers timeout is off: the call's own stall timer covers time
   * to first byte to the millisecond (undici's ticks in half-seconds).
   */
  private post(
    call: DispatchCall & Dispatcher.DispatchHandler,
    path: string,
    headers: string[],
    body: object,
    bodyTimeout: number,
  ): void {
    try {
      this.pool.dispatch(
        {
          method: 'POST',
          path: this.basePath + path,
          headers,
          body: JSON.stringify(body),
          headersTimeout: 0,
          bodyTimeout,
        },
        call,
      );
    } catch (error) {
      call.fail(error, true);
    }
  }

  /** The request headers of one call as a flat list: `base`, the request id, the trace context. */
  private headerList(base: readonly string[], options: UpstreamCallOptions): string[] {
    const headers = [...base, 'x-request-id', options.requestId];
    // W3C `traceparent` of the attempt's span, so the model server can continue the trace.
    if (options.traceContext !== undefined) {
      propagation.inject(options.traceContext, headers, headerListSetter);
    }
    return headers;
  }
}

import { AsyncResource } from 'node:async_hooks';
import { Logger } from '@nestjs/common';
import { propagation } from '@opentelemetry/api';
import { Observable, type Subscriber } from 'rxjs';
import { Pool, errors as undiciErrors, type Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'undici/types/header';
import { ErrorCode, ErrorMessages, GatewayException } from '../common/errors';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  CompletionChunk,
  CompletionRequest,
  EmbeddingRequest,
  EmbeddingResponse,
  ModelList,
} from '../common/openai/chat.types';
import {
  LineTooLongError,
  UpstreamStreamDecoder,
  type UpstreamStreamHandlers,
} from '../common/sse';
import type { PoolConfig, UpstreamConfig } from '../config';
import { CONFIG_DEFAULTS } from '../config/config.constants';
import {
  malformed,
  parseChatCompletion,
  parseCompletion,
  parseEmbeddings,
  parseModelList,
  parseStreamChunk,
  upstreamStatusError,
} from './openai-wire.mapper';
import { BodyText, DispatchCall, headerListSetter, type TimedOut } from './dispatch-call';
import { ProvidersMessages } from './providers.messages';
import {
  chatCompletionAsChunks,
  completionAsChunks,
  fallBackWhenRefused,
  streamFromAnswer,
  withoutStreaming,
} from './stream-fallback';
import type {
  ChatUpstream,
  FlowGate,
  UpstreamCallOptions,
  UpstreamChunk,
  UpstreamJson,
} from './upstream.interface';

const logger = new Logger('Upstreams');

/**
 * One OpenAI-compatible model server, reached through an undici keep-alive pool bounded to
 * `maxConnections` per origin. Transport only: what the JSON means is the mapper's business.
 */
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

  constructor(
    readonly upstream: UpstreamConfig,
    pool: Pick<PoolConfig, 'maxConnections' | 'connectTimeoutMs'> &
      Partial<Pick<PoolConfig, 'maxResponseBytes' | 'maxStreamLineBytes' | 'streaming'>>,
  ) {
    this.limits = {
      maxResponseBytes: pool.maxResponseBytes ?? CONFIG_DEFAULTS.maxResponseBytes,
      maxStreamLineBytes: pool.maxStreamLineBytes ?? CONFIG_DEFAULTS.maxStreamLineBytes,
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
      this.postStream<ChatCompletionChunk>('/chat/completions', body, options),
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
      this.postStream<CompletionChunk>('/completions', body, options),
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

  async listModels(options: UpstreamCallOptions): Promise<ModelList> {
    const call = this.begin(options);
    try {
      const res = await this.pool.request({
        method: 'GET',
        path: `${this.basePath}/models`,
        headers: this.headersFor(options),
        signal: call.signal,
      });
      const failed = res.statusCode >= 300;
      const raw = await readCapped(
        res.body,
        failed ? MAX_ERROR_BODY_BYTES : this.limits.maxResponseBytes,
        failed,
        this.origin,
      );
      if (res.statusCode >= 300) throw upstreamStatusError(res.statusCode, raw, this.origin);
      return parseModelList(raw, this.origin);
    } catch (error) {
      throw toGatewayError(error, call, options, this.origin);
    } finally {
      call.finish();
    }
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
  private postStream<T extends { choices: unknown[] }>(
    path: string,
    body: object,
    options: UpstreamCallOptions,
  ): Observable<UpstreamChunk<T>> {
    return new Observable<UpstreamChunk<T>>((subscriber) => {
      const call = new StreamCall<T>(this.origin, options, this.limits, subscriber);
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

  /** `listModels`' request headers, as an object. */
  private headersFor(options: UpstreamCallOptions): Record<string, string> {
    const headers: Record<string, string> = {
      ...this.baseHeaders,
      'x-request-id': options.requestId,
    };
    // W3C `traceparent` of the attempt's span, so the model server can continue the trace.
    if (options.traceContext !== undefined) propagation.inject(options.traceContext, headers);
    return headers;
  }

  /**
   * `listModels` (not hot): one controller joins the caller's signal and the deadline, and
   * releases its listener and timer when done. The hot calls use {@link DispatchCall} instead.
   */
  private begin(options: UpstreamCallOptions): CallState {
    const controller = new AbortController();
    const state: CallState = {
      signal: controller.signal,
      timedOut: false,
      timedOutAfterMs: options.timeoutMs,
      finish: () => {
        clearTimeout(timer);
        options.signal.removeEventListener('abort', onCallerAbort);
      },
    };
    const onCallerAbort = (): void => controller.abort(options.signal.reason);
    const timer = setTimeout(() => {
      state.timedOut = 'total';
      state.timedOutAfterMs = options.timeoutMs;
      controller.abort();
    }, options.timeoutMs);
    if (options.signal.aborted) controller.abort(options.signal.reason);
    else options.signal.addEventListener('abort', onCallerAbort, { once: true });
    return state;
  }
}

interface AnswerLimits {
  maxResponseBytes: number;
  maxStreamLineBytes: number;
}

/** Of an error answer, only this much is kept (for its message); the rest is read and dropped. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

function tooLarge(origin: string, limit: number, stream: boolean): GatewayException {
  return new GatewayException(
    ErrorCode.UpstreamError,
    stream ? ErrorMessages.upstreamLineTooLarge(limit) : ErrorMessages.upstreamTooLarge(limit),
    { upstream: { origin } },
  );
}

/**
 * A `listModels` body, read up to `limit` bytes: past it the body is dropped and the call fails
 * with 502 (an error body is cut there instead, its start is enough for the message).
 */
async function readCapped(
  body: Dispatcher.ResponseData['body'],
  limit: number,
  truncate: boolean,
  origin: string,
): Promise<string> {
  const text = new BodyText();
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (text.size + chunk.length > limit) {
      body.destroy();
      if (truncate) break;
      throw tooLarge(origin, limit, false);
    }
    text.push(chunk);
  }
  return text.text();
}

interface CallState {
  signal: AbortSignal;
  /** Which deadline aborted the call, if one did. */
  timedOut: TimedOut;
  timedOutAfterMs: number;
  finish(): void;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'EAI_AGAIN',
]);

function isSocketFailure(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return (
    (code !== undefined && SOCKET_CODES.has(code)) ||
    error instanceof undiciErrors.SocketError ||
    error instanceof undiciErrors.ClientDestroyedError
  );
}

function describe(error: unknown): string {
  const code = (error as { code?: string } | null)?.code;
  return code ?? (error instanceof Error ? error.name : 'unknown failure');
}

/** Maps whatever ended a call to what the caller is told (a caller abort: its own reason, as is). */
function toGatewayError(
  error: unknown,
  call: { readonly timedOut: TimedOut; readonly timedOutAfterMs: number },
  options: UpstreamCallOptions,
  origin: string,
  streaming = false,
): unknown {
  if (error instanceof GatewayException) return error;
  const upstream = { origin };
  if (call.timedOut === 'idle' || error instanceof undiciErrors.BodyTimeoutError) {
    const ms = call.timedOut === 'idle' ? call.timedOutAfterMs : (options.idleMs ?? 0);
    return new GatewayException(ErrorCode.UpstreamTimeout, ErrorMessages.upstreamStalled(ms), {
      upstream,
      cause: error,
    });
  }
  if (call.timedOut || error instanceof undiciErrors.HeadersTimeoutError) {
    const ms = call.timedOut ? call.timedOutAfterMs : (options.ttfbMs ?? options.timeoutMs);
    return new GatewayException(ErrorCode.UpstreamTimeout, ErrorMessages.upstreamTimeout(ms), {
      upstream,
      cause: error,
    });
  }
  // A caller abort is passed on as is: it is a normal ending, and nobody is left to answer.
  if (options.signal.aborted) return options.signal.reason ?? error;
  if (error instanceof undiciErrors.ConnectTimeoutError) {
    return new GatewayException(ErrorCode.UpstreamError, ErrorMessages.upstreamUnreachable(), {
      upstream,
      cause: error,
    });
  }
  if (isSocketFailure(error) && !streaming) {
    return new GatewayException(ErrorCode.UpstreamError, ErrorMessages.upstreamUnreachable(), {
      upstream,
      cause: error,
    });
  }
  return new GatewayException(
    ErrorCode.UpstreamError,
    ErrorMessages.upstreamStreamBroken(describe(error)),
    {
      upstream,
      cause: error,
    },
  );
}

/** A streamed answer must say it is a stream (or JSON lines); anything else is no stream. */
const STREAM_CONTENT_TYPE = /event-stream|ndjson|json/i;

/** undici's handler for one JSON request: collects the body and settles the promise. */
class JsonCall<T> extends DispatchCall implements Dispatcher.DispatchHandler {
  private status = 0;
  private retryAfter: string | undefined;
  private readonly body = new BodyText();

  constructor(
    private readonly origin: string,
    options: UpstreamCallOptions,
    private readonly limits: AnswerLimits,
    private readonly parse: (raw: string) => T,
    private readonly resolve: (answer: UpstreamJson<T>) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    super(options);
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    // 1xx: informational, the answer follows.
    if (statusCode < 200 || this.settled) return;
    this.disarm();
    this.status = statusCode;
    if (statusCode >= 300) this.retryAfter = headerValue(headers, 'retry-after');
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    const body = this.body;
    if (this.status >= 300) {
      // An error answer: its message is all we want of it.
      if (body.size < MAX_ERROR_BODY_BYTES) body.push(chunk);
      return;
    }
    if (body.size + chunk.length > this.limits.maxResponseBytes) {
      // Over the cap: the upstream request is aborted, the caller gets a 502 now.
      this.fail(tooLarge(this.origin, this.limits.maxResponseBytes, false), true);
      return;
    }
    body.push(chunk);
  }

  onResponseEnd(): void {
    if (this.settled) return;
    let raw: string;
    try {
      raw = this.body.text();
    } catch (error) {
      // Nothing may leave the call unsettled (a string too long to decode included).
      this.fail(error, false);
      return;
    }
    this.settle();
    if (this.status >= 300) {
      this.reject(upstreamStatusError(this.status, raw, this.origin, this.retryAfter));
      return;
    }
    let value: T;
    try {
      value = this.parse(raw);
    } catch (error) {
      this.rejectWith(error);
      return;
    }
    this.resolve({ raw, value });
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    this.fail(error, false);
  }

  protected rejectWith(error: unknown): void {
    this.reject(toGatewayError(error, this, this.options, this.origin));
  }
}

/**
 * undici's handler for one streamed request: each chunk is fed to the stream decoder as it
 * arrives, each payload goes to the subscriber, and reading pauses while the gate is closed.
 */
class StreamCall<T extends { choices: unknown[] }>
  extends DispatchCall
  implements Dispatcher.DispatchHandler, UpstreamStreamHandlers
{
  /** A 2xx answer began: socket failures from here on are a broken stream, not unreachable. */
  private started = false;
  private status = 0;
  private retryAfter: string | undefined;
  /** The body of an answer >= 300, for the error. */
  private errorBody: BodyText | undefined;
  private decoder: UpstreamStreamDecoder | undefined;
  /** A payload that could not be parsed: the stream fails after the current chunk. */
  private failure: unknown;
  private first = true;
  private readonly idleMs: number;
  /**
   * The async context of the subscription. undici calls the handler from its socket's
   * callbacks; the subscriber is called back in its own context, as it was when the body was
   * read with `await` (one scope per chunk, not per payload).
   */
  private readonly scope = new AsyncResource('TIERGATE_UPSTREAM_STREAM');

  constructor(
    private readonly origin: string,
    options: UpstreamCallOptions,
    private readonly limits: AnswerLimits,
    private readonly subscriber: Subscriber<UpstreamChunk<T>>,
  ) {
    super(options);
    this.idleMs = options.idleMs ?? options.timeoutMs;
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    this.scope.runInAsyncScope(this.responseStart, this, controller, statusCode, headers);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.scope.runInAsyncScope(this.responseData, this, controller, chunk);
  }

  onResponseEnd(): void {
    this.scope.runInAsyncScope(this.responseEnd, this);
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    this.scope.runInAsyncScope(this.fail, this, error, false);
  }

  /** The caller's signal fired. */
  override handleEvent(): void {
    this.scope.runInAsyncScope(super.handleEvent, this);
  }

  /** The decoder's: one JSON payload. */
  onPayload(json: string): void {
    if (this.failure !== undefined || this.subscriber.closed) return;
    try {
      this.subscriber.next(parseStreamChunk<T>(json, this.origin));
    } catch (error) {
      this.failure = error;
    }
  }

  /** The decoder's: `[DONE]`, or the clean end of NDJSON; {@link responseEnd} checks it. */
  onDone(): void {}

  /** The subscriber's teardown: aborts the upstream request unless the call has finished. */
  unsubscribe(): void {
    this.cancel();
  }

  protected rejectWith(error: unknown): void {
    if (this.subscriber.closed) return;
    this.subscriber.error(toGatewayError(error, this, this.options, this.origin, this.started));
  }

  private responseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    if (statusCode < 200 || this.settled) return;
    this.status = statusCode;
    if (statusCode >= 300) {
      this.retryAfter = headerValue(headers, 'retry-after');
      this.errorBody = new BodyText();
      return;
    }
    this.started = true;
    const contentType = headerValue(headers, 'content-type');
    if (contentType && !STREAM_CONTENT_TYPE.test(contentType)) {
      this.fail(malformed(`a stream of content-type ${contentType}`, this.origin), true);
      return;
    }
    this.decoder = new UpstreamStreamDecoder(contentType, this, this.limits.maxStreamLineBytes);
  }

  private responseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    if (this.errorBody !== undefined) {
      if (this.errorBody.size < MAX_ERROR_BODY_BYTES) this.errorBody.push(chunk);
      return;
    }
    const decoder = this.decoder;
    if (decoder === undefined) return;
    if (this.first) {
      this.first = false;
      this.arm(this.idleMs, 'idle');
    } else {
      this.refresh();
    }
    try {
      decoder.feed(chunk);
    } catch (error) {
      if (!(error instanceof LineTooLongError)) throw error;
      this.fail(tooLarge(this.origin, error.limit, true), true);
      return;
    }
    if (this.failure !== undefined) {
      this.fail(this.failure, true);
      return;
    }
    // The consumer left while taking a payload: unsubscribing cancelled the call.
    if (this.settled) return;
    const gate = this.options.gate;
    if (gate !== undefined && !gate.open) this.pauseFor(gate, controller);
  }

  private responseEnd(): void {
    if (this.settled) return;
    if (this.errorBody !== undefined) {
      const raw = this.errorBody.text();
      this.fail(upstreamStatusError(this.status, raw, this.origin, this.retryAfter), false);
      return;
    }
    const decoder = this.decoder;
    if (decoder === undefined) return;
    decoder.end();
    if (this.failure !== undefined) {
      this.fail(this.failure, false);
      return;
    }
    if (this.settled) return;
    // SSE must end with [DONE]; NDJSON must not stop mid-line. Anything else is a cut stream.
    if (!decoder.done) {
      const error = new GatewayException(
        ErrorCode.UpstreamError,
        ErrorMessages.upstreamStreamBroken(
          decoder.framing === 'ndjson'
            ? 'the stream ended mid-line'
            : 'the stream ended without [DONE]',
        ),
        { upstream: { origin: this.origin } },
      );
      this.fail(error, false);
      return;
    }
    this.settle();
    this.subscriber.complete();
  }

  /**
   * Backpressure: stop reading the upstream socket while the caller cannot take more. Our own
   * pause is not the upstream's silence, so the stall timer rests meanwhile.
   */
  private pauseFor(gate: FlowGate, controller: Dispatcher.DispatchController): void {
    this.disarm();
    controller.pause();
    gate.wait().then(
      () => {
        if (this.settled) return;
        this.arm(this.idleMs, 'idle');
        controller.resume();
      },
      (error: unknown) => this.fail(error, true),
    );
  }
}

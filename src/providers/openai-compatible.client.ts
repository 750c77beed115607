import { propagation } from '@opentelemetry/api';
import { Observable } from 'rxjs';
import { Pool, errors as undiciErrors } from 'undici';
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
import { UpstreamStreamDecoder } from '../common/sse';
import type { PoolConfig, UpstreamConfig } from '../config';
import {
  malformed,
  parseChatCompletion,
  parseCompletion,
  parseEmbeddings,
  parseModelList,
  parseStreamChunk,
  upstreamStatusError,
} from './openai-wire.mapper';
import type {
  ChatUpstream,
  UpstreamCallOptions,
  UpstreamChunk,
  UpstreamJson,
} from './upstream.interface';

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

  constructor(
    readonly upstream: UpstreamConfig,
    pool: Pick<PoolConfig, 'maxConnections' | 'connectTimeoutMs'>,
  ) {
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
  }

  chat(
    body: ChatCompletionRequest,
    options: UpstreamCallOptions,
  ): Promise<UpstreamJson<ChatCompletion>> {
    return this.postJson('/chat/completions', body, options, (raw) =>
      parseChatCompletion(raw, this.origin),
    );
  }

  chatStream(
    body: ChatCompletionRequest,
    options: UpstreamCallOptions,
  ): Observable<UpstreamChunk<ChatCompletionChunk>> {
    return this.postStream<ChatCompletionChunk>('/chat/completions', body, options);
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
    return this.postStream<CompletionChunk>('/completions', body, options);
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
      const raw = await res.body.text();
      if (res.statusCode >= 300) throw upstreamStatusError(res.statusCode, raw, this.origin);
      return parseModelList(raw, this.origin);
    } catch (error) {
      throw this.toGatewayError(error, call, options);
    } finally {
      call.finish();
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  /** Drops open connections at once (shutdown after the grace period). */
  async destroy(): Promise<void> {
    await this.pool.destroy();
  }

  private async postJson<T>(
    path: string,
    body: object,
    options: UpstreamCallOptions,
    parse: (raw: string) => T,
  ): Promise<UpstreamJson<T>> {
    const call = this.begin(options);
    // undici's own headers timeout ticks in half-seconds; time to first byte is ours, precise.
    call.arm(options.ttfbMs ?? options.timeoutMs, 'ttfb');
    try {
      const res = await this.pool.request({
        method: 'POST',
        path: this.basePath + path,
        headers: this.headersFor(options),
        body: JSON.stringify(body),
        signal: call.signal,
        headersTimeout: 0,
        bodyTimeout: options.idleMs ?? options.timeoutMs,
      });
      call.disarm();
      const raw = await res.body.text();
      if (res.statusCode >= 300) {
        throw upstreamStatusError(
          res.statusCode,
          raw,
          this.origin,
          headerValue(res.headers, 'retry-after'),
        );
      }
      return { raw, value: parse(raw) };
    } catch (error) {
      throw this.toGatewayError(error, call, options);
    } finally {
      call.finish();
    }
  }

  private postStream<T extends { choices: unknown[] }>(
    path: string,
    body: object,
    options: UpstreamCallOptions,
  ): Observable<UpstreamChunk<T>> {
    return new Observable<UpstreamChunk<T>>((subscriber) => {
      const call = this.begin(options);
      // Until the first bytes: the time-to-first-byte budget; then the idle budget per read.
      call.arm(options.ttfbMs ?? options.timeoutMs, 'ttfb');
      let started = false;
      const run = async (): Promise<void> => {
        const res = await this.pool.request({
          method: 'POST',
          path: this.basePath + path,
          headers: this.headersFor(options, 'text/event-stream'),
          body: JSON.stringify(body),
          signal: call.signal,
          // The stall timer covers the headers too, to the millisecond.
          headersTimeout: 0,
          // The stall timer below measures silence; undici's would also count our own pauses.
          bodyTimeout: 0,
        });
        if (res.statusCode >= 300) {
          const raw = await res.body.text();
          throw upstreamStatusError(
            res.statusCode,
            raw,
            this.origin,
            headerValue(res.headers, 'retry-after'),
          );
        }
        started = true;
        const contentType = headerValue(res.headers, 'content-type');
        if (contentType && !/event-stream|ndjson|json/i.test(contentType)) {
          res.body.destroy();
          throw malformed(`a stream of content-type ${contentType}`, this.origin);
        }
        let failure: unknown;
        const decoder = new UpstreamStreamDecoder(contentType, {
          onPayload: (json) => {
            if (failure !== undefined || subscriber.closed) return;
            try {
              subscriber.next(parseStreamChunk<T>(json, this.origin));
            } catch (error) {
              failure = error;
            }
          },
          onDone: () => undefined,
        });
        const gate = options.gate;
        const idleMs = options.idleMs ?? options.timeoutMs;
        let first = true;
        for await (const bytes of res.body) {
          if (first) {
            first = false;
            call.arm(idleMs, 'idle');
          } else {
            call.refresh();
          }
          decoder.feed(bytes as Uint8Array);
          if (failure !== undefined) throw failure;
          if (subscriber.closed) return;
          // Backpressure: stop pulling from the upstream socket while the caller cannot take more.
          // Our own pause is not the upstream's silence, so the stall timer rests meanwhile.
          if (gate && !gate.open) {
            call.disarm();
            await gate.wait();
            call.arm(idleMs, 'idle');
          }
        }
        decoder.end();
        if (failure !== undefined) throw failure;
        // SSE must end with [DONE]; NDJSON must not stop mid-line. Anything else is a cut stream.
        if (!decoder.done) {
          throw new GatewayException(
            ErrorCode.UpstreamError,
            ErrorMessages.upstreamStreamBroken(
              decoder.framing === 'ndjson'
                ? 'the stream ended mid-line'
                : 'the stream ended without [DONE]',
            ),
            { upstream: { origin: this.origin } },
          );
        }
        subscriber.complete();
      };
      run()
        .catch((error: unknown) => {
          if (!subscriber.closed)
            subscriber.error(this.toGatewayError(error, call, options, started));
        })
        .finally(() => call.finish());
      // Unsubscribing (caller gone, or the consumer is done) aborts the upstream request.
      return () => call.abort();
    });
  }

  private headersFor(options: UpstreamCallOptions, accept?: string): Record<string, string> {
    const headers: Record<string, string> = {
      ...this.baseHeaders,
      'x-request-id': options.requestId,
    };
    if (accept) headers.accept = accept;
    // W3C `traceparent` of the attempt's span, so the model server can continue the trace.
    if (options.traceContext !== undefined) propagation.inject(options.traceContext, headers);
    return headers;
  }

  /**
   * One controller per call joins the caller's signal and the deadline; cheaper than
   * `AbortSignal.any` + `AbortSignal.timeout` and releases its listener and timers when done.
   * Streams add a stall timer (time to first byte, then idle between reads) that is refreshed
   * per read rather than re-created.
   */
  private begin(options: UpstreamCallOptions): CallState {
    const controller = new AbortController();
    let stall: NodeJS.Timeout | undefined;
    let stallKind: 'ttfb' | 'idle' = 'ttfb';
    let stallMs = 0;
    const onStall = (): void => {
      state.timedOut = stallKind;
      state.timedOutAfterMs = stallMs;
      controller.abort();
    };
    const state: CallState = {
      signal: controller.signal,
      timedOut: false,
      timedOutAfterMs: options.timeoutMs,
      abort: () => controller.abort(),
      arm: (ms, kind) => {
        if (stall !== undefined) clearTimeout(stall);
        stallKind = kind;
        stallMs = ms;
        stall = ms < options.timeoutMs ? setTimeout(onStall, ms) : undefined;
      },
      refresh: () => stall?.refresh(),
      disarm: () => {
        if (stall !== undefined) clearTimeout(stall);
        stall = undefined;
      },
      finish: () => {
        clearTimeout(timer);
        if (stall !== undefined) clearTimeout(stall);
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

  private toGatewayError(
    error: unknown,
    call: CallState,
    options: UpstreamCallOptions,
    streaming = false,
  ): unknown {
    if (error instanceof GatewayException) return error;
    const upstream = { origin: this.origin };
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
}

interface CallState {
  signal: AbortSignal;
  /** Which deadline aborted the call, if one did. */
  timedOut: false | 'total' | 'ttfb' | 'idle';
  timedOutAfterMs: number;
  abort(): void;
  /** (Re)starts the stall timer; not armed when `ms` reaches the whole-call deadline anyway. */
  arm(ms: number, kind: 'ttfb' | 'idle'): void;
  refresh(): void;
  disarm(): void;
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

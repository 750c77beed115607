import { SpanKind, trace, type Context, type Span, type SpanContext } from '@opentelemetry/api';
import {
  GenAi,
  Semconv,
  SpanNames,
  Tiergate,
  errorTypeOf,
  recordFailure,
  setResultAttributes,
  setUsageAttributes,
  startChildSpan,
  type GenAiOperation,
  type GenAiResult,
  type MetricsService,
  inputMessagesJson,
  outputMessagesJson,
  streamedOutputJson,
} from '../telemetry';

/** What an upstream call is, for the spans and metrics of its attempts. */
export interface UpstreamCallDescription {
  operation: Exclude<GenAiOperation, 'execute_tool'>;
  /** The upstream's own model id (`gen_ai.request.model`). */
  model: string;
  stream: boolean;
  /** The request body; read only when content capture is on. */
  body: unknown;
}

/** One ended attempt, as analytics counts it per replica (`AttemptTelemetry.listener`). */
export interface AttemptRecord {
  pool: string;
  /** The upstream's own model id the attempt asked for. */
  model: string;
  /** The replica's label (URL without credentials). */
  upstream: string;
  /** The gateway's error code or error name; undefined when it succeeded or was aborted. */
  errorType: string | undefined;
  aborted: boolean;
  durationMs: number;
  /** Streams: ms to the first content delta. */
  firstChunkMs: number | undefined;
  /** The usage the upstream reported for this attempt, when it did. */
  usage: GenAiResult['usage'] | undefined;
}

export interface AttemptTelemetryOptions {
  metrics?: MetricsService;
  /** Record prompts and completions on the attempt spans. */
  captureContent?: boolean;
}

/** The `server.address` and `server.port` of a replica, parsed once. */
interface Address {
  host: string;
  port: number;
}

/**
 * The telemetry of upstream attempts: one CLIENT span per attempt (`chat {model}`, following
 * the GenAI conventions), the per-attempt duration and time-to-first-chunk histograms, and the
 * context whose `traceparent` the attempt's request carries.
 */
export class AttemptTelemetry {
  private readonly addresses = new Map<string, Address>();
  /** Told of every ended attempt (analytics per replica); set once at boot. */
  listener: ((attempt: AttemptRecord) => void) | undefined;

  constructor(readonly options: AttemptTelemetryOptions = {}) {}

  start(
    call: UpstreamCallDescription,
    pool: string,
    upstream: string,
    attempt: number,
    parent: Context,
  ): AttemptTrace {
    return new AttemptTrace(this, call, pool, upstream, attempt, parent);
  }

  addressOf(upstream: string): Address {
    let address = this.addresses.get(upstream);
    if (address === undefined) {
      const url = new URL(upstream);
      address = {
        host: url.hostname,
        port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
      };
      this.addresses.set(upstream, address);
    }
    return address;
  }
}

/**
 * One attempt: its span and measurements, ended exactly once (answer, failure, end of stream,
 * or the consumer gone). Streams report each chunk and the first content delta; only a few
 * fields are read, and nothing is serialised unless content capture is on.
 */
export class AttemptTrace {
  /** The attempt span's context: its `traceparent` goes upstream with the request. */
  readonly context: Context;
  private readonly span: Span;
  private readonly recording: boolean;
  private readonly startedAt = performance.now();
  private firstChunkS: number | undefined;
  private errorType = '';
  private ended = false;
  /** Streams: what the chunks said, for the span. */
  private responseModel: string | undefined;
  private finishReasons: string[] | undefined;
  private usage: GenAiResult['usage'];
  private text: string | undefined;

  constructor(
    private readonly owner: AttemptTelemetry,
    private readonly call: UpstreamCallDescription,
    private readonly pool: string,
    private readonly upstream: string,
    attempt: number,
    parent: Context,
  ) {
    this.span = startChildSpan(
      SpanNames.inference(call.operation, call.model),
      { kind: SpanKind.CLIENT },
      parent,
    );
    this.recording = this.span.isRecording();
    // An attempt the sampler left out carries its parent's span context (or none): the parent
    // context propagates the same `traceparent`, and every open stream is spared a context copy.
    this.context =
      !this.recording && sameSpanContext(this.span.spanContext(), trace.getSpanContext(parent))
        ? parent
        : trace.setSpan(parent, this.span);
    if (!this.recording) return;
    // The attributes the GenAI conventions require or recommend, and the retry number; each
    // one is a cost per attempt (the pool and replica label are in the metrics).
    const address = owner.addressOf(upstream);
    const span = this.span;
    span.setAttribute(GenAi.OperationName, call.operation);
    span.setAttribute(GenAi.RequestModel, call.model);
    span.setAttribute(Semconv.ServerAddress, address.host);
    span.setAttribute(Semconv.ServerPort, address.port);
    // HTTP semconv's retry number: set on retries only (1 for the first retry).
    if (attempt > 1) span.setAttribute(Semconv.HttpRequestResendCount, attempt - 1);
    if (owner.options.captureContent) {
      const input = inputMessagesJson(call.body);
      if (input !== undefined) this.span.setAttribute(GenAi.InputMessages, input);
      this.text = '';
    }
  }

  /**
   * Streams: a plain content delta (no finish reason, no usage), its text; the chunk itself is
   * read only for the response model, when no chunk before it gave one.
   */
  content(piece: string, item: { readonly chunk: object }): void {
    if (!this.recording) return;
    if (this.responseModel === undefined) {
      const model = (item.chunk as { model?: unknown }).model;
      if (typeof model === 'string') this.responseModel = model;
    }
    if (this.text !== undefined) this.text += piece;
  }

  /** Streams: a parsed chunk. */
  chunk(chunk: {
    model?: unknown;
    choices: readonly unknown[];
    usage?: GenAiResult['usage'];
  }): void {
    if (chunk.usage) this.usage = chunk.usage;
    if (!this.recording) return;
    if (this.responseModel === undefined && typeof chunk.model === 'string') {
      this.responseModel = chunk.model;
    }
    for (const raw of chunk.choices) {
      const choice = raw as {
        finish_reason?: unknown;
        delta?: { content?: unknown } | null;
        text?: unknown;
      };
      if (typeof choice.finish_reason === 'string') {
        (this.finishReasons ??= []).push(choice.finish_reason);
      }
      if (this.text !== undefined) {
        const piece = choice.delta?.content ?? choice.text;
        if (typeof piece === 'string') this.text += piece;
      }
    }
  }

  /** Streams: the first content delta arrived (the commit point). */
  firstContent(): void {
    if (this.firstChunkS !== undefined) return;
    this.firstChunkS = (performance.now() - this.startedAt) / 1000;
    if (this.recording) this.span.setAttribute(GenAi.ResponseTimeToFirstChunk, this.firstChunkS);
  }

  /** A whole answer (`UpstreamJson`): its model, id, finish reasons and usage. */
  succeeded(answer: unknown): void {
    if (this.ended) return;
    const value = (answer as { value?: unknown } | null)?.value;
    if (this.owner.listener !== undefined && value !== null && typeof value === 'object') {
      this.usage = (value as GenAiResult).usage;
    }
    if (this.recording) {
      if (value !== null && typeof value === 'object') {
        setResultAttributes(this.span, value as GenAiResult);
        if (this.owner.options.captureContent) {
          const output = outputMessagesJson(value);
          if (output !== undefined) this.span.setAttribute(GenAi.OutputMessages, output);
        }
      }
    }
    this.end();
  }

  /** The attempt failed (and may be retried), or the caller went away (`aborted`). */
  failed(error: unknown, aborted: boolean): void {
    if (this.ended) return;
    this.errorType = aborted ? '' : (errorTypeOf(error) ?? '');
    recordFailure(this.span, error, aborted || this.errorType === '');
    this.end();
  }

  /**
   * Ends the attempt: a stream that completed, or whose consumer stopped reading (`aborted`
   * when that was the caller leaving: a normal ending, not an error).
   */
  end(aborted = false): void {
    if (this.ended) return;
    this.ended = true;
    if (this.recording) {
      if (aborted) this.span.setAttribute(Tiergate.Aborted, true);
      this.setStreamAttributes();
    }
    this.span.end();
    const durationS = (performance.now() - this.startedAt) / 1000;
    this.owner.listener?.({
      pool: this.pool,
      model: this.call.model,
      upstream: this.upstream,
      errorType: aborted || this.errorType === '' ? undefined : this.errorType,
      aborted,
      durationMs: durationS * 1000,
      firstChunkMs: this.firstChunkS === undefined ? undefined : this.firstChunkS * 1000,
      usage: this.usage,
    });
    const metrics = this.owner.options.metrics;
    if (!metrics) return;
    const { operation, model } = this.call;
    metrics.clientDuration.observe(
      {
        gen_ai_operation_name: operation,
        gen_ai_request_model: model,
        pool: this.pool,
        upstream: this.upstream,
        error_type: this.errorType,
      },
      durationS,
    );
    if (this.call.stream && this.firstChunkS !== undefined) {
      metrics.clientTimeToFirstChunk.observe(
        {
          gen_ai_operation_name: operation,
          gen_ai_request_model: model,
          pool: this.pool,
          upstream: this.upstream,
        },
        this.firstChunkS,
      );
    }
  }

  private setStreamAttributes(): void {
    const span = this.span;
    if (this.responseModel !== undefined)
      span.setAttribute(GenAi.ResponseModel, this.responseModel);
    if (this.finishReasons !== undefined) {
      span.setAttribute(GenAi.ResponseFinishReasons, this.finishReasons);
    }
    setUsageAttributes(span, this.usage);
    if (this.text !== undefined && this.call.stream) {
      span.setAttribute(
        GenAi.OutputMessages,
        streamedOutputJson(this.text, this.finishReasons?.[0]),
      );
    }
  }
}

/** Whether `span` would propagate as `parent` does: the same context, or no valid one. */
function sameSpanContext(span: SpanContext, parent: SpanContext | undefined): boolean {
  if (span === parent) return true;
  if (!trace.isSpanContextValid(span))
    return parent === undefined || !trace.isSpanContextValid(parent);
  return (
    parent !== undefined &&
    span.traceId === parent.traceId &&
    span.spanId === parent.spanId &&
    span.traceFlags === parent.traceFlags &&
    span.traceState === parent.traceState
  );
}

import {
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  ROOT_CONTEXT,
  propagation,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { tokenCount, UsageTotal, type RequestAccounting } from '../common/usage';
import type { MetricsService } from './metrics.service';
import {
  Semconv,
  SpanNames,
  Tiergate,
  type GenAiOperation,
  type InferenceApi,
} from './telemetry.constants';
import { errorTypeOf, tracer } from './tracing';

declare module 'fastify' {
  interface FastifyRequest {
    /** This request's span, route and token tally; set on every traced route. */
    telemetry?: RequestTelemetry;
  }
}

/** The inference routes: their requests are counted and timed by tier and model. */
const OPERATIONS: Readonly<Record<string, GenAiOperation>> = {
  '/v1/chat/completions': 'chat',
  '/v1/completions': 'text_completion',
  '/v1/embeddings': 'embeddings',
  '/v1/responses': 'chat',
  '/v1/messages': 'chat',
};

/** The API each inference route speaks: the `api` label, log field and span attribute. */
const APIS: Readonly<Record<string, InferenceApi>> = {
  '/v1/chat/completions': 'chat',
  '/v1/completions': 'completions',
  '/v1/embeddings': 'embeddings',
  '/v1/responses': 'responses',
  '/v1/messages': 'messages',
};

/** Probes and scrapes: no span, no request log line (they come every few seconds). */
export const UNTRACED_ROUTES: ReadonlySet<string> = new Set([
  '/health',
  '/health/live',
  '/health/ready',
  '/metrics',
]);

/** Token usage as upstreams report it (chat, completions, embeddings). */
export interface UsageLike {
  prompt_tokens?: unknown;
  completion_tokens?: unknown;
}

/**
 * A request's tokens by kind, disjoint (they add up to prompt + completion): `input` not served
 * from a prompt cache, `cached_input` served from it, `output` other than reasoning, `reasoning`.
 */
export interface TokensByKind {
  input: number;
  cached_input: number;
  output: number;
  reasoning: number;
}

/**
 * Told each upstream call's usage with the tier and the pool's model id of that call (the
 * request's spend meter prices each call where it ran).
 */
export interface UsageObserver {
  observe(usage: UsageLike, tier: string, upstreamModel: string): void;
}

/** What routing decided, as the request's telemetry records it. */
export interface RoutedRequest {
  tier: string;
  reason: string;
  /** The public model name the caller asked for (`auto`, an alias, …), default applied. */
  model: string;
  /** The pool's own model id. */
  upstreamModel: string;
  score?: number;
  stream?: boolean;
}

/**
 * Where an ended request's record goes: the request log line ({@link RequestLog} in
 * `request-logging.ts`, which reads this module, not the other way round).
 */
export interface RequestRecordSink {
  write(record: RequestTelemetry): void;
}

/**
 * Every sink of ended requests: the log line, and whatever modules add at boot (analytics).
 * One instance, given to {@link registerRequestTelemetry}; a sink must not block.
 */
export class RequestRecordSinks implements RequestRecordSink {
  private sinks: RequestRecordSink[] = [];

  add(sink: RequestRecordSink): void {
    this.sinks = [...this.sinks, sink];
  }

  write(record: RequestTelemetry): void {
    for (const sink of this.sinks) sink.write(record);
  }
}

/**
 * One request's telemetry: the server span (`POST /v1/chat/completions`), what routing decided,
 * the tokens of every upstream call and the time to the first token, ended exactly once when
 * the response closes (answered, streamed to the end, failed, or the caller gone).
 *
 * It is created by a Fastify `onRequest` hook and ends on the response's `close`, not on
 * Fastify's `onSend`/`onResponse`: a hijacked SSE reply never reaches `onSend`, and a caller
 * that disconnects never reaches `onResponse` (Fastify fires it on `finish` only).
 */
export class RequestTelemetry {
  readonly span: Span;
  /** The server span's context: the parent of every span of this request. */
  readonly context: Context;
  readonly recording: boolean;
  /** The span has a valid context (recorded or not): its children must inherit it. */
  readonly traced: boolean;
  private readonly startedAt = performance.now();
  tier = '';
  model = '';
  upstreamModel?: string;
  reason?: string;
  stream = false;
  /** The usage of every upstream call of the request, summed (tool loops make several). */
  private readonly usage = new UsageTotal();
  /** Seconds from arrival to the first content delta (streams). */
  firstTokenS?: number;
  errorType?: string;
  /** The error code of an error answer (4xx or 5xx, rendered before any byte), as its caller saw it. */
  answeredWith?: string;
  status?: number;
  durationMs?: number;
  aborted = false;
  keyName?: string;
  /** Set by the key's accounting as the request ends (see {@link beforeEnd}). */
  accounting?: RequestAccounting;
  /**
   * The request's cost in the configured currency, summed over its upstream calls (tool
   * rounds), set by the spend module as the request ends; `costUnpriced` when some call had no
   * price (and cost 0).
   */
  cost?: number;
  costUnpriced?: boolean;
  /** The request's tokens by kind, set with {@link cost}. */
  tokensByKind?: TokensByKind;
  /** Each upstream call's usage is told to it (the spend meter). */
  usageObserver?: UsageObserver;
  /** Times routing moved it to the other tier for want of a healthy replica, or for load. */
  fallbacks = 0;
  spills = 0;
  private ended = false;
  private finisher?: () => void;

  readonly method: string;
  /** The API the request speaks (inference routes only). */
  readonly api: InferenceApi | undefined;

  constructor(
    private readonly request: FastifyRequest,
    private readonly reply: FastifyReply,
    readonly route: string,
    readonly operation: GenAiOperation | undefined,
    private readonly metrics: MetricsService,
    parent: Context,
    private readonly log?: RequestRecordSink,
  ) {
    const method = request.method;
    this.method = method;
    const api = APIS[route];
    this.api = api;
    this.span = tracer.startSpan(
      SpanNames.server(method, route),
      { kind: SpanKind.SERVER },
      parent,
    );
    this.recording = this.span.isRecording();
    this.traced = trace.isSpanContextValid(this.span.spanContext());
    // Untraced (no SDK and no caller's traceparent): nothing to hand down, no context copy.
    this.context = this.traced ? trace.setSpan(parent, this.span) : parent;
    // Few attributes, each a cost per request: routing details live on the route span, model
    // and tokens on the client spans, everything on the request's log line.
    if (this.recording) {
      this.span.setAttribute(Semconv.HttpRequestMethod, method);
      this.span.setAttribute(Semconv.HttpRoute, route);
      this.span.setAttribute(Tiergate.RequestId, request.id);
      if (api !== undefined) this.span.setAttribute(Tiergate.Api, api);
    }
    if (operation) metrics.requestsInFlight.inc({ operation, api: api ?? '' });
  }

  /** Input tokens of the request's upstream calls, summed. */
  get inputTokens(): number {
    return this.usage.prompt;
  }

  /** Output tokens of the request's upstream calls, summed. */
  get outputTokens(): number {
    return this.usage.completion;
  }

  /** Of the input tokens, those the upstream served from its prompt cache. */
  get cachedInputTokens(): number {
    return this.usage.cached ?? 0;
  }

  /** Of the output tokens, the reasoning ones. */
  get reasoningTokens(): number {
    return this.usage.reasoning ?? 0;
  }

  get requestId(): string {
    return this.request.id;
  }

  /** The trace id for log lines; undefined when the request is not traced. */
  get traceId(): string | undefined {
    const spanContext = this.span.spanContext();
    return trace.isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
  }

  /** Whether this request's spans are exported (its trace was sampled). */
  get sampled(): boolean {
    return (this.span.spanContext().traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
  }

  get spanId(): string | undefined {
    const spanContext = this.span.spanContext();
    return trace.isSpanContextValid(spanContext) ? spanContext.spanId : undefined;
  }

  /** Routing decided: the tier and model labels of everything this request records. */
  routed(route: RoutedRequest): void {
    this.tier = route.tier;
    this.model = route.model;
    this.upstreamModel = route.upstreamModel;
    this.reason = route.reason;
    if (route.stream !== undefined) this.stream = route.stream;
    this.countMove(route.reason);
  }

  /** The tool loop moved the remaining rounds to another tier. */
  rerouted(tier: string, reason: string): void {
    this.tier = tier;
    this.reason = reason;
    this.countMove(reason);
  }

  private countMove(reason: string): void {
    if (reason.startsWith('fallback:')) this.fallbacks++;
    else if (reason.startsWith('spill:')) this.spills++;
  }

  /**
   * One upstream call's usage: `gen_ai.client.token.usage` for that call's tier and model, and
   * the request's totals (summed over tool rounds) for its span and log line.
   */
  addUsage(usage: UsageLike | null | undefined, tier: string, upstreamModel: string): void {
    if (!usage) return;
    this.usage.add(usage);
    this.usageObserver?.observe(usage, tier, upstreamModel);
    const input = tokenCount(usage.prompt_tokens);
    const output = tokenCount(usage.completion_tokens);
    const operation = this.operation ?? 'chat';
    if (input !== undefined) {
      this.metrics.tokenUsage.observe(
        {
          gen_ai_operation_name: operation,
          gen_ai_request_model: upstreamModel,
          gen_ai_token_type: 'input',
          tier,
        },
        input,
      );
    }
    if (output !== undefined) {
      this.metrics.tokenUsage.observe(
        {
          gen_ai_operation_name: operation,
          gen_ai_request_model: upstreamModel,
          gen_ai_token_type: 'output',
          tier,
        },
        output,
      );
    }
  }

  /** The first content delta left for the caller; later calls are ignored. */
  firstToken(): void {
    if (this.firstTokenS !== undefined || this.ended) return;
    this.firstTokenS = (performance.now() - this.startedAt) / 1000;
    if (this.operation) {
      this.metrics.timeToFirstToken.observe(
        {
          gen_ai_operation_name: this.operation,
          gen_ai_request_model: this.model,
          tier: this.tier,
        },
        this.firstTokenS,
      );
    }
  }

  /**
   * Runs `finish` as the request ends, before its metrics and log line are written, so what it
   * records (the key's accounting) is part of them; several run in the order given. When the
   * request has ended already (the caller left while it was being admitted), `finish` runs at once.
   */
  beforeEnd(finish: () => void): void {
    if (this.ended) {
      finish();
      return;
    }
    const earlier = this.finisher;
    this.finisher =
      earlier === undefined
        ? finish
        : () => {
            earlier();
            finish();
          };
  }

  /** A failure after the first byte, sent in-band: the status stays 200, the request failed. */
  failedInBand(error: unknown): void {
    this.errorType ??= errorTypeOf(error);
  }

  /**
   * Ends the request's telemetry when its response closes: status, duration, span, request
   * metrics and the request's log line; once.
   */
  end(): void {
    if (this.ended) return;
    const finish = this.finisher;
    if (finish !== undefined) {
      this.finisher = undefined;
      finish();
    }
    this.ended = true;
    const { request, reply } = this;
    const durationS = (performance.now() - this.startedAt) / 1000;
    this.durationMs = Math.round(durationS * 1e4) / 10;
    this.aborted = !reply.raw.writableFinished;
    const statusCode = reply.raw.statusCode;
    // nginx's "client closed request": the caller left before the answer was complete.
    this.status = this.aborted ? 499 : statusCode;
    if (!this.aborted && statusCode >= 400) {
      this.answeredWith = request.answeredWith;
      if (statusCode >= 500) this.errorType ??= String(statusCode);
    }
    this.keyName = (request as { caller?: { keyName?: string } }).caller?.keyName;
    const operation = this.operation;
    if (operation) {
      const api = this.api ?? '';
      this.metrics.requestsInFlight.dec({ operation, api });
      this.metrics.requests.inc({
        operation,
        api,
        tier: this.tier,
        model: this.model,
        status: String(this.status),
      });
      this.metrics.serverDuration.observe(
        {
          gen_ai_operation_name: operation,
          api,
          gen_ai_request_model: this.model,
          tier: this.tier,
          error_type: this.errorType ?? '',
        },
        durationS,
      );
    }
    if (this.recording) this.finishSpan(statusCode);
    this.span.end();
    this.log?.write(this);
  }

  private finishSpan(statusCode: number): void {
    const span = this.span;
    span.setAttribute(Semconv.HttpResponseStatusCode, statusCode);
    if (this.tier !== '') span.setAttribute(Tiergate.Tier, this.tier);
    if (this.firstTokenS !== undefined) {
      span.setAttribute(Tiergate.TimeToFirstToken, this.firstTokenS);
    }
    if (this.keyName !== undefined) span.setAttribute(Tiergate.KeyName, this.keyName);
    if (this.cost !== undefined) span.setAttribute(Tiergate.Cost, this.cost);
    if (this.aborted) span.setAttribute(Tiergate.Aborted, true);
    else if (this.errorType !== undefined) {
      span.setAttribute(Semconv.ErrorType, this.errorType);
      // HTTP semconv: a 4xx is the caller's doing, not a failure of this server.
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
  }
}

/**
 * Gives every request on a traced route its {@link RequestTelemetry}: the server span starts
 * in `onRequest` (the caller's `traceparent` as parent) and ends on the response's `close`,
 * with the request's log line when `log` is given.
 *
 * The span's context is handed down explicitly (`request.telemetry.context`, as the parent of
 * the route, attempt and tool spans), never made active with `context.with`: on Node 20 an
 * active `AsyncLocalStorage` switches on promise hooks for every promise of the process, which
 * cost a fifth of the gateway's CPU per request (docs/performance.md).
 */
export function registerRequestTelemetry(
  fastify: FastifyInstance,
  metrics: MetricsService,
  log?: RequestRecordSink,
): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const route = request.routeOptions.url;
    if (route === undefined || UNTRACED_ROUTES.has(route)) {
      done();
      return;
    }
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const record = new RequestTelemetry(
      request,
      reply,
      route,
      OPERATIONS[route],
      metrics,
      parent,
      log,
    );
    request.telemetry = record;
    reply.raw.once('close', () => record.end());
    done();
  });
}

import {
  SpanStatusCode,
  TraceFlags,
  context,
  trace,
  type Context,
  type Span,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';
import { GatewayException } from '../common/errors';
import { isClientClosed } from '../common/http';
import { GenAi, Semconv, Tiergate, TRACER_NAME, type GenAiResult } from './telemetry.constants';

/**
 * The gateway's tracer. It resolves the global tracer provider at each span, so it is a cheap
 * no-op until `instrumentation.ts` (or a test) registers one, and follows whichever is
 * registered.
 */
export const tracer: Tracer = trace.getTracer(TRACER_NAME);

let parentBasedSampling = false;

/**
 * Declares that the process samples with a parent-based sampler (the gateway's default, and
 * every `parentbased_*` of `OTEL_TRACES_SAMPLER`): a child of a span that is not sampled is not
 * sampled either, so {@link startChildSpan} need not ask the SDK.
 */
export function assumeParentBasedSampling(on: boolean): void {
  parentBasedSampling = on;
}

/**
 * A span for `name` under `parent` (default: the active context). Under a parent that is not
 * sampled, with parent-based sampling, it is a non-recording stand-in carrying the parent's
 * context (which still goes upstream in `traceparent`, saying "not sampled") rather than an
 * SDK span that records nothing: most requests are not sampled, and this is their hot path.
 */
export function startChildSpan(
  name: string,
  options?: SpanOptions,
  parent: Context = context.active(),
): Span {
  if (parentBasedSampling) {
    const parentSpan = trace.getSpan(parent);
    if (parentSpan !== undefined && !parentSpan.isRecording()) {
      const spanContext = parentSpan.spanContext();
      if (
        trace.isSpanContextValid(spanContext) &&
        (spanContext.traceFlags & TraceFlags.SAMPLED) === 0
      ) {
        return trace.wrapSpanContext(spanContext);
      }
    }
  }
  return tracer.startSpan(name, options, parent);
}

/**
 * `error.type` of a failure: the gateway's error code (`upstream_timeout`, `overloaded`, …), the
 * class name of anything else; undefined for a caller that went away (a normal ending).
 */
export function errorTypeOf(error: unknown): string | undefined {
  if (isClientClosed(error)) return undefined;
  if (error instanceof GatewayException) return error.code;
  if (error instanceof Error) return error.name === 'AbortError' ? undefined : error.name;
  return '_OTHER';
}

/**
 * Marks `span` failed with `error` (status ERROR, `error.type`), or aborted when it was the
 * caller leaving (status left unset, as an abort is no error). Messages only, never bodies.
 */
export function recordFailure(span: Span, error: unknown, aborted: boolean): void {
  if (!span.isRecording()) return;
  const type = aborted ? undefined : errorTypeOf(error);
  if (type === undefined) {
    span.setAttribute(Tiergate.Aborted, true);
    return;
  }
  span.setAttribute(Semconv.ErrorType, type);
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}

/**
 * The GenAI response attributes of a finished upstream answer (chat completion, completion or
 * embeddings): response model and id, finish reasons, token usage. Reads a few fields; never
 * serialises the body.
 */
export function setResultAttributes(span: Span, result: GenAiResult): void {
  if (typeof result.model === 'string') span.setAttribute(GenAi.ResponseModel, result.model);
  const choices = result.choices;
  if (Array.isArray(choices) && choices.length > 0) {
    const reasons: string[] = [];
    for (const choice of choices) {
      const reason = (choice as { finish_reason?: unknown } | null)?.finish_reason;
      if (typeof reason === 'string') reasons.push(reason);
    }
    if (reasons.length > 0) span.setAttribute(GenAi.ResponseFinishReasons, reasons);
  }
  setUsageAttributes(span, result.usage);
}

export function setUsageAttributes(span: Span, usage: GenAiResult['usage']): void {
  if (!usage) return;
  if (typeof usage.prompt_tokens === 'number') {
    span.setAttribute(GenAi.UsageInputTokens, usage.prompt_tokens);
  }
  if (typeof usage.completion_tokens === 'number') {
    span.setAttribute(GenAi.UsageOutputTokens, usage.completion_tokens);
  }
}

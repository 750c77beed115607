import { SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { GatewayException } from '../common/errors';
import { isClientClosed } from '../common/http';
import { GenAi, Semconv, Tiergate, TRACER_NAME, type GenAiResult } from './telemetry.constants';

/**
 * The gateway's tracer. It resolves the global tracer provider at each span, so it is a cheap
 * no-op until `instrumentation.ts` (or a test) registers one, and follows whichever is
 * registered.
 */
export const tracer: Tracer = trace.getTracer(TRACER_NAME);

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

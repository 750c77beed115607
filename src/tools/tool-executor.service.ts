import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { SpanStatusCode, context as otelContext, trace, type Context } from '@opentelemetry/api';
import type { ToolCall } from '../common/openai';
import { scrubSecrets } from '../common/secrets';
import {
  GenAi,
  MetricsService,
  Semconv,
  SpanNames,
  TELEMETRY_OPTIONS,
  Tiergate,
  startChildSpan,
  type TelemetryOptions,
} from '../telemetry';
import type { ToolContext, ToolResult } from './gateway-tool.interface';
import { ToolRegistry, type RegisteredTool } from './tool-registry.service';
import { TOOLS_CONFIG, type ToolsSlice } from './tools.config';
import { MAX_TOOL_RESULT_CHARS } from './tools.constants';
import { ToolMessages } from './tools.messages';

/** Outcomes that are the tool's (or the model's) failure: `error.type` on the span. */
const FAILED: ReadonlySet<ToolCallStatus> = new Set([
  'invalid_arguments',
  'unknown_tool',
  'failed',
  'timed_out',
  'over_limit',
]);

/**
 * How one call ended; only `ok` ran to completion. `over_limit`: not run, beyond
 * `tools.max_calls_per_round` or `tools.max_calls_per_request`.
 */
export type ToolCallStatus =
  'ok' | 'invalid_arguments' | 'unknown_tool' | 'failed' | 'timed_out' | 'aborted' | 'over_limit';

/**
 * The calls one request may still run (`tools.max_calls_per_request`); one per request, shared
 * by all its rounds.
 */
export class ToolCallBudget {
  constructor(private left: number) {}

  /** Takes up to `wanted` calls; returns how many were granted. */
  take(wanted: number): number {
    const granted = Math.max(0, Math.min(wanted, this.left));
    this.left -= granted;
    return granted;
  }
}

export interface ToolCallOutcome {
  call: ToolCall;
  status: ToolCallStatus;
  /** The `tool` message content the model receives: the result, or `{"error": "…"}`. */
  content: string;
  durationMs: number;
}

/** The request-wide part of a tool's context; each call gets its own signal. */
export interface ExecutionContext {
  signal: AbortSignal;
  keyName?: string;
  requestId: string;
  /** The parent of the call's `execute_tool` span (default: the active context). */
  traceContext?: Context;
  /** The request's calls left (`tools.max_calls_per_request`); unbounded when absent. */
  budget?: ToolCallBudget;
}

/** The time limit of a call ran out (the reason of its abort signal). */
class ToolTimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`timed out after ${ms} ms`);
    this.name = 'ToolTimeoutError';
  }
}

/**
 * Runs tool calls: parses and validates the arguments against the tool's compiled schema,
 * executes with the call's own time limit and the request's abort signal, and turns anything
 * that goes wrong into an error result for the model. It never throws.
 */
@Injectable()
export class ToolExecutor {
  private readonly logger = new Logger('Tools');
  private readonly defaultTimeoutMs: number;
  private readonly maxCallsPerRound: number;
  private readonly captureContent: boolean;

  constructor(
    private readonly registry: ToolRegistry,
    @Inject(TOOLS_CONFIG.token) { tools }: ToolsSlice,
    @Optional() private readonly metrics?: MetricsService,
    @Optional() @Inject(TELEMETRY_OPTIONS) telemetry?: TelemetryOptions,
  ) {
    this.defaultTimeoutMs = tools.timeoutMs;
    // Unset only in hand-built test configurations.
    this.maxCallsPerRound = tools.maxCallsPerRound ?? Number.POSITIVE_INFINITY;
    this.captureContent = telemetry?.captureContent ?? false;
  }

  /**
   * Runs `calls` (one round) in parallel; outcomes come back in the order of `calls`. `onStart`
   * is told the name of each call that passed validation, as it starts. Only the first
   * `tools.max_calls_per_round` calls, and no more than the request's budget, run: the others
   * get an `over_limit` error result, so one turn of 150 calls cannot start 150 jobs.
   */
  executeAll(
    calls: readonly ToolCall[],
    context: ExecutionContext,
    onStart?: (name: string) => void,
  ): Promise<ToolCallOutcome[]> {
    const perRound = Math.min(calls.length, this.maxCallsPerRound);
    const granted = context.budget ? context.budget.take(perRound) : perRound;
    return Promise.all(
      calls.map((call, index) =>
        index < granted
          ? this.execute(call, context, onStart)
          : this.refuse(call, context, index < perRound),
      ),
    );
  }

  /**
   * Runs one call, traced as an `execute_tool {name}` span (the tool's own calls are its
   * children) and counted by tool and outcome.
   */
  async execute(
    call: ToolCall,
    context: ExecutionContext,
    onStart?: (name: string) => void,
  ): Promise<ToolCallOutcome> {
    const started = Date.now();
    const name = call.function.name;
    const registered = this.registry.get(name);
    const parent = context.traceContext ?? otelContext.active();
    const span = startChildSpan(
      SpanNames.tool(registered ? name : 'unregistered'),
      undefined,
      parent,
    );
    const spanContext = trace.setSpan(parent, span);
    if (span.isRecording()) {
      span.setAttributes({
        [GenAi.OperationName]: 'execute_tool',
        [GenAi.ToolName]: name,
        [GenAi.ToolType]: 'function',
      });
      if (call.id) span.setAttribute(GenAi.ToolCallId, call.id);
      if (this.captureContent) span.setAttribute(GenAi.ToolCallArguments, call.function.arguments);
    }
    const done = (status: ToolCallStatus, content: string): ToolCallOutcome => {
      const durationMs = Date.now() - started;
      if (status !== 'ok') {
        this.logger.warn(ToolMessages.callFailed(name, context.requestId, status, content));
      }
      if (span.isRecording()) {
        span.setAttribute(Tiergate.ToolOutcome, status);
        if (this.captureContent) span.setAttribute(GenAi.ToolCallResult, content);
        if (FAILED.has(status)) {
          span.setAttribute(Semconv.ErrorType, status);
          span.setStatus({ code: SpanStatusCode.ERROR, message: status });
        } else if (status === 'aborted') {
          span.setAttribute(Tiergate.Aborted, true);
        }
      }
      span.end();
      // Only registered names become labels: a model may call anything.
      const tool = registered ? name : 'unregistered';
      this.metrics?.toolCalls.inc({ tool, outcome: status });
      if (registered) this.metrics?.toolDuration.observe({ tool }, durationMs / 1000);
      return { call, status, content, durationMs };
    };
    if (!registered) return done('unknown_tool', errorResult(`Unknown tool ${name}.`));
    const args = parseArguments(call.function.arguments);
    if ('error' in args) return done('invalid_arguments', errorResult(args.error));
    if (!registered.validate(args.value)) {
      const detail = registered.validate.errors
        ?.map(
          (e) =>
            `${e.instancePath === '' ? 'arguments' : `arguments${e.instancePath}`} ${e.message ?? 'is invalid'}`,
        )
        .join('; ');
      return done('invalid_arguments', errorResult(ToolMessages.argumentsInvalid(detail ?? '')));
    }
    if (context.signal.aborted) return done('aborted', errorResult(ToolMessages.aborted()));
    onStart?.(name);
    return this.run(registered, args.value, context, done, spanContext);
  }

  /** A call beyond the round's or the request's limit: counted and logged, never run. */
  private refuse(
    call: ToolCall,
    context: ExecutionContext,
    requestLimit: boolean,
  ): Promise<ToolCallOutcome> {
    const name = call.function.name;
    const content = errorResult(
      requestLimit
        ? ToolMessages.tooManyCallsPerRequest()
        : ToolMessages.tooManyCallsPerRound(this.maxCallsPerRound),
    );
    this.logger.warn(ToolMessages.callFailed(name, context.requestId, 'over_limit', content));
    const tool = this.registry.get(name) ? name : 'unregistered';
    this.metrics?.toolCalls.inc({ tool, outcome: 'over_limit' });
    return Promise.resolve({ call, status: 'over_limit', content, durationMs: 0 });
  }

  private async run(
    registered: RegisteredTool,
    args: unknown,
    context: ExecutionContext,
    done: (status: ToolCallStatus, content: string) => ToolCallOutcome,
    spanContext: Context,
  ): Promise<ToolCallOutcome> {
    const timeoutMs = registered.timeoutMs ?? this.defaultTimeoutMs;
    const controller = new AbortController();
    const onRequestAbort = (): void => controller.abort(context.signal.reason);
    context.signal.addEventListener('abort', onRequestAbort, { once: true });
    const timer = setTimeout(() => controller.abort(new ToolTimeoutError(timeoutMs)), timeoutMs);
    // A tool that ignores its signal still cannot hold the loop: the race ends at the abort.
    const aborted = new Promise<never>((_resolve, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), {
        once: true,
      });
    });
    aborted.catch(() => undefined);
    const toolContext: ToolContext = {
      signal: controller.signal,
      requestId: context.requestId,
      ...(context.keyName === undefined ? {} : { keyName: context.keyName }),
    };
    try {
      const execute = () =>
        Promise.resolve().then(() => registered.tool.execute(args, toolContext));
      // The tool's own calls (http, undici) become children of its span when it is recorded.
      // Made active only then: an active context costs promise hooks for the whole process on
      // Node 20 (see registerRequestTelemetry).
      const result = await Promise.race([
        trace.getSpan(spanContext)?.isRecording()
          ? otelContext.with(spanContext, execute)
          : execute(),
        aborted,
      ]);
      const text = resultText(result);
      if (text === undefined)
        return done('failed', errorResult(ToolMessages.resultNotJson(registered.name)));
      return done('ok', text);
    } catch (error) {
      if (controller.signal.reason instanceof ToolTimeoutError && controller.signal.aborted) {
        return done('timed_out', errorResult(ToolMessages.timedOut(registered.name, timeoutMs)));
      }
      if (context.signal.aborted) return done('aborted', errorResult(ToolMessages.aborted()));
      const message =
        error instanceof Error && error.message !== ''
          ? error.message
          : ToolMessages.failed(registered.name);
      return done('failed', errorResult(scrubSecrets(message)));
    } finally {
      clearTimeout(timer);
      context.signal.removeEventListener('abort', onRequestAbort);
    }
  }
}

/** The `{"error": "…"}` result the model reads (docs/api.md §8: a failing tool does not fail the request). */
export function errorResult(message: string): string {
  return JSON.stringify({ error: message });
}

function parseArguments(text: string): { value: Record<string, unknown> } | { error: string } {
  // Some servers send "" for a call without arguments.
  if (text.trim() === '') return { value: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      error: ToolMessages.argumentsNotJson(error instanceof Error ? error.message : 'parse error'),
    };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { error: ToolMessages.argumentsNotObject() };
  }
  return { value: value as Record<string, unknown> };
}

function resultText(result: ToolResult | undefined): string | undefined {
  let text: string | undefined;
  if (typeof result === 'string') {
    text = result;
  } else {
    try {
      text = JSON.stringify(result ?? null);
    } catch {
      return undefined;
    }
  }
  if (text.length <= MAX_TOOL_RESULT_CHARS) return text;
  return (
    text.slice(0, MAX_TOOL_RESULT_CHARS) +
    ToolMessages.truncated(text.length - MAX_TOOL_RESULT_CHARS)
  );
}

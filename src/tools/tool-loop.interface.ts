import type { Context } from '@opentelemetry/api';
import type { Observable } from 'rxjs';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest } from '../common/openai';
import type { TierName } from '../config';

/** A parsed answer with the exact text it came from (re-serialised only if it was changed). */
export interface LoopCompletion {
  raw: string;
  value: ChatCompletion;
}

/** A parsed stream chunk with its exact text (re-serialised only if it was changed). */
export interface LoopChunk {
  raw: string;
  chunk: ChatCompletionChunk;
}

/**
 * One tier as the tool loop sees it: the chat front's own call path (upstream model id,
 * timeouts, reasoning normalisation) bound to a routing decision. The loop never talks to
 * upstream pools itself.
 */
export interface LoopModel {
  readonly tier: TierName;
  /** The `x-gateway-route-reason` of this route. */
  readonly reason: string;
  /** One whole completion, reasoning already normalised; `raw` is its text as the caller may get it. */
  complete(body: ChatCompletionRequest, signal: AbortSignal): Promise<LoopCompletion>;
  /**
   * One streamed completion as parsed chunks, each with its text, reasoning already normalised;
   * the upstream is always asked for usage. Unsubscribing aborts the upstream request.
   */
  stream(body: ChatCompletionRequest, signal: AbortSignal): Observable<LoopChunk>;
}

/** Progress the chat front may show the caller (SSE comments, route headers). */
export interface ToolLoopHooks {
  /** A registered tool call passed validation and starts running. */
  onToolStart?(name: string): void;
  /** The remaining rounds moved to another tier (ADR 0005: escalation). */
  onEscalated?(model: LoopModel): void;
  /** A round of registered tool calls was executed (usage accounting counts them). */
  onToolRound?(): void;
}

export interface ToolLoopRequest {
  /** The validated request body, exactly as the caller sent it. */
  body: ChatCompletionRequest;
  /** Where the request was routed. */
  model: LoopModel;
  /** The thinking tier for escalation; undefined (or returning undefined) means none. */
  escalate?: () => LoopModel | undefined;
  signal: AbortSignal;
  requestId: string;
  keyName?: string;
  /** The request's trace context: the parent of each `execute_tool` span. */
  traceContext?: Context;
  /**
   * The registered tools the caller's key may have run (`allowed_tools`); absent means all.
   * Any other tool is treated as the caller's own: not completed, not executed, handed back.
   */
  allowedTools?: ReadonlySet<string>;
  hooks?: ToolLoopHooks;
}

/** A finished non-streaming loop. */
export interface ToolLoopAnswer {
  /** The JSON text of the `chat.completion` for the caller. */
  body: string;
  /** Rounds in which the gateway executed tool calls (`x-gateway-tool-rounds`). */
  rounds: number;
  /** The route of the last model call (`x-gateway-tier`, `x-gateway-route-reason`). */
  model: LoopModel;
}

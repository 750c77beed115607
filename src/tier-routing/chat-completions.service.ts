import { Injectable } from '@nestjs/common';
import { map, type Observable } from 'rxjs';
import type { ChatCompletionChunk, ChatCompletionRequest } from '../common/openai';
import type { FlowGate } from '../common/sse';
import { callTimeouts, type UpstreamChunk } from '../providers';
import type { RequestTelemetry } from '../telemetry';
import type { LoopCompletion, LoopModel } from '../tools';
import { StreamReasoningNormalizer, normalizeCompletion } from './reasoning/reasoning-normalizer';
import { toPayloads, type StreamObserver } from './stream-payloads';
import type { RouteDecision } from './tier-router.service';
import { callerWantsUsage, streamingUpstreamBody } from './usage-request';

export interface CallContext {
  signal: AbortSignal;
  requestId: string;
  gate?: FlowGate;
  /** The request's telemetry: tokens and time to first token are told to it. */
  telemetry?: RequestTelemetry;
  /** Each upstream call's `usage`, for the key's accounting and token limit. */
  onUsage?: (usage: unknown) => void;
  /**
   * Each streamed chunk, so a stream that never reports usage is charged what it sent. A plain
   * content delta is told as a stand-in holding its content alone (reused: read it at once).
   */
  onStreamed?: (chunk: unknown) => void;
}

/**
 * Sends a routed chat request to its tier's pool and shapes the answer for the caller: the
 * upstream gets its own model id, reasoning is normalised, and nothing is re-serialised unless
 * it changed.
 */
@Injectable()
export class ChatCompletionsService {
  /** The completion for the caller, parsed, with its JSON text (re-serialised only if changed). */
  async complete(
    body: ChatCompletionRequest,
    route: RouteDecision,
    ctx: CallContext,
  ): Promise<LoopCompletion> {
    const upstreamBody: ChatCompletionRequest = {
      ...body,
      model: route.config.model,
      messages: route.truncated?.messages ?? body.messages,
    };
    const answer = await route.pool.chat(upstreamBody, {
      signal: ctx.signal,
      requestId: ctx.requestId,
      ...callTimeouts(route.config.timeouts),
      traceContext: ctx.telemetry?.context,
    });
    ctx.telemetry?.addUsage(answer.value.usage, route.tier, route.config.model);
    ctx.onUsage?.(answer.value.usage);
    return normalizeCompletion(answer.value, route.config.reasoning)
      ? { raw: JSON.stringify(answer.value), value: answer.value }
      : answer;
  }

  /**
   * The stream of `data:` payloads (chunk JSON) for the caller. The gateway always asks the
   * upstream for usage, and drops the usage chunk when the caller did not ask for it (docs/api.md §7).
   */
  stream(body: ChatCompletionRequest, route: RouteDecision, ctx: CallContext): Observable<string> {
    const upstreamBody = upstreamStreamBody(body, route);
    const telemetry = ctx.telemetry;
    const chunks = route.pool.chatStream(upstreamBody, {
      signal: ctx.signal,
      requestId: ctx.requestId,
      ...callTimeouts(route.config.timeouts),
      gate: ctx.gate,
      traceContext: telemetry?.context,
    });
    return toPayloads(
      chunks,
      callerWantsUsage(body),
      new StreamReasoningNormalizer(route.config.reasoning),
      telemetry || ctx.onUsage || ctx.onStreamed
        ? new StreamAccounting(route, telemetry, ctx.onUsage, ctx.onStreamed)
        : undefined,
    );
  }

  /**
   * The stream as parsed chunks, for the fronts that translate them (Responses, Messages):
   * reasoning normalised, the usage chunk always included, accounting as in {@link stream}.
   */
  chunks(
    body: ChatCompletionRequest,
    route: RouteDecision,
    ctx: CallContext,
  ): Observable<ChatCompletionChunk> {
    const upstreamBody = upstreamStreamBody(body, route);
    const normalizer = new StreamReasoningNormalizer(route.config.reasoning);
    const accounting = new StreamAccounting(route, ctx.telemetry, ctx.onUsage);
    const onStreamed = ctx.onStreamed;
    let first = true;
    return route.pool
      .chatStream(upstreamBody, {
        signal: ctx.signal,
        requestId: ctx.requestId,
        ...callTimeouts(route.config.timeouts),
        gate: ctx.gate,
        traceContext: ctx.telemetry?.context,
      })
      .pipe(
        map(({ chunk }) => {
          onStreamed?.(chunk);
          if (chunk.usage) accounting.usage(chunk);
          normalizer.apply(chunk);
          if (first) {
            first = false;
            accounting.first();
          }
          return chunk;
        }),
      );
  }

  /**
   * This call path bound to `route`, for the server-side tool loop: one model call per round,
   * answering parsed values (the loop owns the conversation, so `route.truncated` does not
   * apply to its later rounds).
   */
  loopModel(route: RouteDecision, ctx: Omit<CallContext, 'signal'>): LoopModel {
    const telemetry = ctx.telemetry;
    const options = (signal: AbortSignal) => ({
      signal,
      requestId: ctx.requestId,
      ...callTimeouts(route.config.timeouts),
      traceContext: telemetry?.context,
    });
    return {
      tier: route.tier,
      reason: route.reason,
      complete: async (body, signal) => {
        const upstreamBody: ChatCompletionRequest = { ...body, model: route.config.model };
        const answer = await route.pool.chat(upstreamBody, options(signal));
        telemetry?.addUsage(answer.value.usage, route.tier, route.config.model);
        ctx.onUsage?.(answer.value.usage);
        return normalizeCompletion(answer.value, route.config.reasoning)
          ? { raw: JSON.stringify(answer.value), value: answer.value }
          : answer;
      },
      stream: (body, signal) => {
        const normalizer = new StreamReasoningNormalizer(route.config.reasoning);
        const upstreamBody = streamingUpstreamBody(body, route.config.model);
        return route.pool.chatStream(upstreamBody, { ...options(signal), gate: ctx.gate }).pipe(
          map((received) => {
            const chunk = received.chunk;
            ctx.onStreamed?.(chunk);
            if (chunk.usage) {
              telemetry?.addUsage(chunk.usage, route.tier, route.config.model);
              ctx.onUsage?.(chunk.usage);
            }
            return normalizer.apply(chunk) ? { raw: JSON.stringify(chunk), chunk } : received;
          }),
        );
      },
    };
  }
}

/** The streamed body for `route`'s upstream: one copy of the caller's, its messages fitted. */
function upstreamStreamBody(
  body: ChatCompletionRequest,
  route: RouteDecision,
): ChatCompletionRequest {
  const upstreamBody = streamingUpstreamBody(body, route.config.model);
  if (route.truncated) upstreamBody.messages = route.truncated.messages;
  return upstreamBody;
}

/**
 * Tells a stream's chunks, first token and usage to the request's telemetry and the key's
 * accounting: one object per stream rather than a closure (or an operator) per callback.
 */
class StreamAccounting implements StreamObserver<ChatCompletionChunk> {
  /** What a plain content delta is told as: what the accounting counts of it is its text. */
  private contentOnly: { choices: [{ index: 0; delta: { content: string } }] } | undefined;

  constructor(
    private readonly route: RouteDecision,
    private readonly telemetry: RequestTelemetry | undefined,
    private readonly onUsage: ((usage: unknown) => void) | undefined,
    private readonly onStreamed?: (chunk: unknown) => void,
  ) {}

  chunk(item: UpstreamChunk<ChatCompletionChunk>): void {
    const onStreamed = this.onStreamed;
    if (onStreamed === undefined) return;
    const content = item.content;
    if (content === undefined) {
      onStreamed(item.chunk);
      return;
    }
    const standIn = (this.contentOnly ??= { choices: [{ index: 0, delta: { content } }] });
    standIn.choices[0].delta.content = content;
    onStreamed(standIn);
  }

  first(): void {
    this.telemetry?.firstToken();
  }

  usage(chunk: ChatCompletionChunk): void {
    this.telemetry?.addUsage(chunk.usage, this.route.tier, this.route.config.model);
    this.onUsage?.(chunk.usage);
  }
}

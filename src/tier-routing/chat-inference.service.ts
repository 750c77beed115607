import { Injectable } from '@nestjs/common';
import { Observable, catchError, map, throwError } from 'rxjs';
import { mayUseTier } from '../auth';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest } from '../common/openai';
import type { SseResponseWriter } from '../common/sse';
import { ToolRegistry } from '../tools';
import { ChatCompletionsService, type CallContext } from './chat-completions.service';
import type { InferenceExchange } from './inference-responder';
import { TierRouterService, type RouteDecision } from './tier-router.service';
import { ToolLoopResponder } from './tool-loop-responder';

/**
 * The seam every routed chat-shaped front shares (Chat Completions, Responses, Messages): given a
 * validated chat request and its {@link InferenceExchange}, it routes, confines the route to the
 * key's tiers, runs the server-side tool loop when the request offers a registered tool, falls
 * back to the other tier when the routed pool has no replica left, and accounts every call on the
 * key and the request's telemetry.
 *
 * Chat Completions answers with the upstream's text ({@link completeText}, {@link streamText}):
 * its fast path never parses what it can forward. The other fronts translate objects
 * ({@link complete}, {@link stream}): a parsed completion, or parsed chunks with reasoning
 * normalised (`reasoning_content`) and the usage chunk always included.
 *
 * @example
 * const completion = await inference.complete(exchange, chatRequest);
 * inference.stream(exchange, { ...chatRequest, stream: true }, writer).pipe(map(toMyEvents));
 */
@Injectable()
export class ChatInferenceService {
  constructor(
    private readonly router: TierRouterService,
    private readonly chat: ChatCompletionsService,
    private readonly registry: ToolRegistry,
    private readonly toolLoop: ToolLoopResponder,
  ) {}

  /** Routes `body` and confines the decision to the key's tiers (route headers, telemetry). */
  async route(exchange: InferenceExchange, body: ChatCompletionRequest): Promise<RouteDecision> {
    const routed = await this.router.route({
      model: body.model,
      messages: body.messages,
      tools: body.tools,
      reasoningEffort: body.reasoning_effort ?? undefined,
      maxTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
      traceContext: exchange.telemetry?.context,
    });
    const route = exchange.confine(routed, body.stream === true);
    this.registry.warnAboutUnknownNames(body.tools);
    return route;
  }

  /** The whole answer's JSON text, as the upstream sent it when nothing changed. */
  async completeText(
    exchange: InferenceExchange,
    body: ChatCompletionRequest,
    route: RouteDecision,
  ): Promise<string> {
    if (this.loops(exchange, body)) return this.toolLoop.complete(exchange, body, route);
    return (await this.completeWithFallback(exchange, body, route)).raw;
  }

  /** The stream's `data:` payloads (chunk JSON), the upstream's bytes where nothing changed. */
  streamText(
    exchange: InferenceExchange,
    body: ChatCompletionRequest,
    route: RouteDecision,
    writer: SseResponseWriter,
  ): Observable<string> {
    if (this.loops(exchange, body)) return this.toolLoop.stream(exchange, body, route, writer);
    const ctx = this.streamContext(exchange, writer);
    return this.chat
      .stream(body, route, ctx)
      .pipe(this.fallingBack(exchange, route, (moved) => this.chat.stream(body, moved, ctx)));
  }

  /**
   * Routes (unless a front routed already, `routed`) and answers `body` as a parsed completion
   * (reasoning in `reasoning_content`).
   */
  async complete(
    exchange: InferenceExchange,
    body: ChatCompletionRequest,
    routed?: RouteDecision,
  ): Promise<ChatCompletion> {
    const request = { ...body, stream: false };
    const route = routed ?? (await this.route(exchange, request));
    if (this.loops(exchange, request)) {
      return JSON.parse(await this.toolLoop.complete(exchange, request, route)) as ChatCompletion;
    }
    return (await this.completeWithFallback(exchange, request, route)).value;
  }

  /**
   * Routes and streams `body` as parsed chunks, the usage chunk included. Routing happens on
   * subscription, so a refusal before the first chunk still reaches the caller as a status.
   * `writer` is the front's response: its flow gate paces the upstream, and tool progress
   * comments go to it.
   */
  stream(
    exchange: InferenceExchange,
    body: ChatCompletionRequest,
    writer: SseResponseWriter,
    routed?: RouteDecision,
  ): Observable<ChatCompletionChunk> {
    const request: ChatCompletionRequest = {
      ...body,
      stream: true,
      stream_options: { ...body.stream_options, include_usage: true },
    };
    return new Observable<ChatCompletionChunk>((subscriber) => {
      let inner: { unsubscribe(): void } | undefined;
      let closed = false;
      (routed ? Promise.resolve(routed) : this.route(exchange, request)).then(
        (route) => {
          if (closed) return;
          inner = this.chunksOf(exchange, request, route, writer).subscribe(subscriber);
        },
        (error: unknown) => subscriber.error(error),
      );
      return () => {
        closed = true;
        inner?.unsubscribe();
      };
    });
  }

  private chunksOf(
    exchange: InferenceExchange,
    body: ChatCompletionRequest,
    route: RouteDecision,
    writer: SseResponseWriter,
  ): Observable<ChatCompletionChunk> {
    if (this.loops(exchange, body)) {
      // The loop answers payload text (its rounds keep the upstream's bytes for chat).
      return this.toolLoop
        .stream(exchange, body, route, writer)
        .pipe(map((payload) => JSON.parse(payload) as ChatCompletionChunk));
    }
    const ctx = this.streamContext(exchange, writer);
    return this.chat
      .chunks(body, route, ctx)
      .pipe(this.fallingBack(exchange, route, (moved) => this.chat.chunks(body, moved, ctx)));
  }

  /** `body` offers a registered tool the key may use: the gateway's tool loop answers it. */
  runsTools(exchange: InferenceExchange, body: ChatCompletionRequest): boolean {
    return this.loops(exchange, body);
  }

  private loops(exchange: InferenceExchange, body: ChatCompletionRequest): boolean {
    return this.toolLoop.applies(body, exchange.admission.caller.policy.allowedTools);
  }

  private completeWithFallback(
    exchange: InferenceExchange,
    body: ChatCompletionRequest,
    route: RouteDecision,
  ): ReturnType<ChatCompletionsService['complete']> {
    const { request, admission, telemetry, signal } = exchange;
    const ctx: CallContext = {
      signal,
      requestId: request.id,
      telemetry,
      onUsage: (usage: unknown) => admission.addUsage(usage),
    };
    return this.chat.complete(body, route, ctx).catch((error: unknown) => {
      const moved = this.fallback(exchange, route, error);
      if (moved === undefined) throw error;
      return this.chat.complete(body, moved, ctx);
    });
  }

  private streamContext(exchange: InferenceExchange, writer: SseResponseWriter): CallContext {
    const { request, admission, telemetry, signal } = exchange;
    return {
      signal,
      requestId: request.id,
      gate: writer.gate,
      telemetry,
      onUsage: (usage: unknown) => admission.addUsage(usage),
      onStreamed: (chunk: unknown) => admission.addStreamed(chunk),
    };
  }

  /** On a failure of the routed pool, the same stream from the other tier's. */
  private fallingBack<T>(
    exchange: InferenceExchange,
    route: RouteDecision,
    again: (moved: RouteDecision) => Observable<T>,
  ): (source: Observable<T>) => Observable<T> {
    return catchError((error: unknown) => {
      const moved = this.fallback(exchange, route, error);
      return moved ? again(moved) : throwError(() => error);
    });
  }

  /**
   * The routed pool may find it has no replica left only when called (its only replica refused
   * the connection): before anything reached the caller, the other tier takes it.
   */
  private fallback(
    exchange: InferenceExchange,
    route: RouteDecision,
    error: unknown,
  ): RouteDecision | undefined {
    const policy = exchange.admission.caller.policy;
    const moved = this.router.fallbackAfter(route, error, (tier) => mayUseTier(policy, tier));
    if (moved !== undefined) exchange.rerouted(moved, moved.config.model);
    return moved;
  }
}

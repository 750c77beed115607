import { Injectable } from '@nestjs/common';
import { mayUseTier, type KeyPolicy } from '../auth';
import type { Observable } from 'rxjs';
import type { ChatCompletionRequest } from '../common/openai';
import type { SseResponseWriter } from '../common/sse';
import { recordFirstToken } from '../telemetry';
import {
  ESCALATION_REASON,
  TOOL_ROUNDS_HEADER,
  ToolLoopService,
  type ToolLoopHooks,
  type ToolLoopRequest,
} from '../tools';
import { ChatCompletionsService } from './chat-completions.service';
import type { InferenceExchange } from './inference-responder';
import { ModelCatalogService } from './model-catalog.service';
import { TierRouterService, type RouteDecision } from './tier-router.service';

/**
 * The server-side tool loop (docs/api.md §8, ADR 0005) bound to an exchange, for chat requests
 * whose `tools` offer a registered tool. Streaming: `: tool <name> running` comments open the
 * response while tools run, so an escalation after that is told in-band.
 */
@Injectable()
export class ToolLoopResponder {
  constructor(
    private readonly router: TierRouterService,
    private readonly chat: ChatCompletionsService,
    private readonly tools: ToolLoopService,
    private readonly catalog: ModelCatalogService,
  ) {}

  /** Whether `body` runs the tool loop for a key allowed `allowedTools`. */
  applies(body: ChatCompletionRequest, allowedTools: KeyPolicy['allowedTools']): boolean {
    return this.tools.applies(body, allowedTools);
  }

  /**
   * The loop's whole answer (the JSON text of a `chat.completion`); the route headers and
   * `x-gateway-tool-rounds` are set on the reply.
   */
  async complete(
    exchange: InferenceExchange,
    body: ChatCompletionRequest,
    route: RouteDecision,
  ): Promise<string> {
    const answer = await this.tools.complete(this.loopRequest(exchange, body, route));
    exchange.rerouted(answer.model, this.modelOf(answer.model.tier, exchange.admission.model));
    exchange.reply.header(TOOL_ROUNDS_HEADER, String(answer.rounds));
    return answer.body;
  }

  /**
   * The loop's `data:` payloads. `: tool <name> running` comments go to `writer` (they open the
   * response, see {@link InferenceExchange.streamSse}), and an escalation after that is told in-band.
   */
  stream(
    exchange: InferenceExchange,
    body: ChatCompletionRequest,
    route: RouteDecision,
    writer: SseResponseWriter,
  ): Observable<string> {
    return recordFirstToken(
      this.tools.stream(this.loopRequest(exchange, body, route, writer)),
      exchange.telemetry,
    );
  }

  private loopRequest(
    exchange: InferenceExchange,
    body: ChatCompletionRequest,
    route: RouteDecision,
    writer?: SseResponseWriter,
  ): ToolLoopRequest {
    const { request, admission, telemetry, signal } = exchange;
    const policy = admission.caller.policy;
    const ctx = {
      requestId: request.id,
      gate: writer?.gate,
      telemetry,
      onUsage: (usage: unknown) => admission.addUsage(usage),
      onStreamed: (chunk: unknown) => admission.addStreamed(chunk),
    };
    return {
      body: { ...body, messages: route.truncated?.messages ?? body.messages },
      model: this.chat.loopModel(route, ctx),
      // A key that may not use thinking is never escalated onto it.
      escalate: mayUseTier(policy, 'thinking')
        ? () => {
            const thinking = this.router.routeTo('thinking', ESCALATION_REASON);
            return thinking && this.chat.loopModel(thinking, ctx);
          }
        : undefined,
      signal,
      requestId: request.id,
      ...(request.caller ? { keyName: request.caller.keyName } : {}),
      ...(telemetry ? { traceContext: telemetry.context } : {}),
      ...(policy.allowedTools ? { allowedTools: policy.allowedTools } : {}),
      hooks: {
        onToolRound: () => admission.addToolRound(),
        ...(writer && this.streamHooks(exchange, writer)),
      },
    };
  }

  /** Streaming progress: tool comments open the response; escalation is told in-band. */
  private streamHooks(exchange: InferenceExchange, writer: SseResponseWriter): ToolLoopHooks {
    const { reply, admission } = exchange;
    const open = (): void => {
      if (writer.opened) return;
      reply.hijack();
      writer.open(reply.getHeaders() as Record<string, string | number | string[]>);
    };
    return {
      onToolStart: (name) => {
        open();
        writer.writeComment(`tool ${name} running`);
      },
      onEscalated: (next) => {
        exchange.rerouted(next, this.modelOf(next.tier, admission.model));
        if (writer.opened) writer.writeComment(`route ${next.tier} ${next.reason}`);
      },
    };
  }

  /** The upstream model id of a tier, for the key's accounting. */
  private modelOf(tier: 'instant' | 'thinking', fallback: string): string {
    return this.catalog.tiers[tier]?.model ?? fallback;
  }
}

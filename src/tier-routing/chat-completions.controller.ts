import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { catchError, throwError } from 'rxjs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { confineRoute, mayUseTier } from '../auth';
import { clientAbortSignal } from '../common/http';
import { ChatCompletionRequestDto } from '../common/openai';
import { replyWithSse, SseResponseWriter } from '../common/sse';
import type { GatewayConfig } from '../config';
import { LimitsService, type Admission } from '../limits';
import { recordFirstToken } from '../telemetry';
import {
  ESCALATION_REASON,
  TOOL_ROUNDS_HEADER,
  ToolLoopService,
  ToolRegistry,
  type ToolLoopHooks,
  type ToolLoopRequest,
} from '../tools';
import { ChatCompletionsService } from './chat-completions.service';
import { estimatePromptTokens } from './context-fit';
import { inBandErrorRenderer } from './in-band-error';
import { admitAndServe } from './inference-admission';
import { ModelCatalogService } from './model-catalog.service';
import { setRouteHeaders } from './route-headers';
import { TierRouterService, type RouteDecision } from './tier-router.service';

@ApiTags('chat')
@ApiBearerAuth()
@Controller('v1')
export class ChatCompletionsController {
  private readonly heartbeatMs: number;

  constructor(
    private readonly router: TierRouterService,
    private readonly chat: ChatCompletionsService,
    private readonly tools: ToolLoopService,
    private readonly registry: ToolRegistry,
    private readonly limits: LimitsService,
    private readonly catalog: ModelCatalogService,
    config: ConfigService<GatewayConfig, true>,
  ) {
    this.heartbeatMs = config.get('streaming', { infer: true }).heartbeatMs;
  }

  @Post('chat/completions')
  @HttpCode(200)
  @ApiOperation({ summary: 'OpenAI Chat Completions, routed to the instant or thinking tier' })
  async create(
    @Body() body: ChatCompletionRequestDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const signal = clientAbortSignal(reply.raw);
    await admitAndServe(
      { limits: this.limits, catalog: this.catalog },
      { request, reply },
      {
        model: body.model,
        endpoint: 'chat',
        promptTokens: estimatePromptTokens(body.messages, body.tools),
        maxTokens: body.max_completion_tokens ?? body.max_tokens,
        choices: body.n,
        stream: body.stream === true,
      },
      (admission) => this.serve(body, request, reply, signal, admission),
    );
  }

  private async serve(
    body: ChatCompletionRequestDto,
    request: FastifyRequest,
    reply: FastifyReply,
    signal: AbortSignal,
    admission: Admission,
  ): Promise<void> {
    const policy = admission.caller.policy;
    const routed = await this.router.route({
      model: body.model,
      messages: body.messages,
      tools: body.tools,
      reasoningEffort: body.reasoning_effort,
      maxTokens: body.max_completion_tokens ?? body.max_tokens,
      traceContext: request.telemetry?.context,
    });
    const route = confineRoute(
      policy,
      routed,
      (tier, reason) => {
        const moved = this.router.routeTo(tier, reason);
        return moved && { ...moved, requested: routed.requested };
      },
      admission.requestedModel ?? this.catalog.defaultModel,
    );
    admission.routed(route.tier, route.config.model);
    setRouteHeaders(reply, route);
    const telemetry = request.telemetry;
    telemetry?.routed({
      tier: route.tier,
      reason: route.reason,
      model: route.requested ?? route.config.model,
      upstreamModel: route.config.model,
      stream: body.stream === true,
    });
    this.registry.warnAboutUnknownNames(body.tools);
    if (this.tools.applies(body, policy.allowedTools)) {
      await this.createWithTools(body, route, request, reply, signal, admission);
      return;
    }
    // The routed pool may find it has no replica left only when called (its only replica
    // refused the connection): before anything reached the caller, the other tier takes it.
    const fallback = (error: unknown): RouteDecision | undefined => {
      const moved = this.router.fallbackAfter(route, error, (tier) => mayUseTier(policy, tier));
      if (moved === undefined) return undefined;
      admission.routed(moved.tier, moved.config.model);
      setRouteHeaders(reply, moved);
      telemetry?.rerouted(moved.tier, moved.reason);
      return moved;
    };
    if (body.stream === true) {
      const writer = new SseResponseWriter(reply.raw, { heartbeatMs: this.heartbeatMs });
      const ctx = {
        signal,
        requestId: request.id,
        gate: writer.gate,
        telemetry,
        onUsage: (usage: unknown) => admission.addUsage(usage),
        onStreamed: (chunk: unknown) => admission.addStreamed(chunk),
      };
      const payloads = this.chat.stream(body, route, ctx).pipe(
        catchError((error: unknown) => {
          const moved = fallback(error);
          return moved ? this.chat.stream(body, moved, ctx) : throwError(() => error);
        }),
      );
      await replyWithSse(reply, writer, payloads, {
        heartbeatMs: this.heartbeatMs,
        renderError: inBandErrorRenderer(telemetry, admission),
      });
      return;
    }
    const ctx = {
      signal,
      requestId: request.id,
      telemetry,
      onUsage: (usage: unknown) => admission.addUsage(usage),
    };
    const payload = await this.chat.complete(body, route, ctx).catch((error: unknown) => {
      const moved = fallback(error);
      if (moved === undefined) throw error;
      return this.chat.complete(body, moved, ctx);
    });
    await reply.type('application/json; charset=utf-8').send(payload);
  }

  /**
   * The server-side tool loop (docs/api.md §8, ADR 0005), for requests whose `tools` offer a
   * registered tool. Streaming: `: tool <name> running` comments open the response while tools
   * run, so an escalation after that is told in-band; failures after the first byte go
   * in-band as well.
   */
  private async createWithTools(
    body: ChatCompletionRequestDto,
    route: RouteDecision,
    request: FastifyRequest,
    reply: FastifyReply,
    signal: AbortSignal,
    admission: Admission,
  ): Promise<void> {
    const policy = admission.caller.policy;
    const writer =
      body.stream === true
        ? new SseResponseWriter(reply.raw, { heartbeatMs: this.heartbeatMs })
        : undefined;
    const telemetry = request.telemetry;
    const ctx = {
      requestId: request.id,
      gate: writer?.gate,
      telemetry,
      onUsage: (usage: unknown) => admission.addUsage(usage),
      onStreamed: (chunk: unknown) => admission.addStreamed(chunk),
    };
    const accountTier = (tier: 'instant' | 'thinking'): void =>
      admission.routed(tier, this.catalog.tiers[tier]?.model ?? admission.model);
    const open = (): void => {
      if (!writer || writer.opened) return;
      reply.hijack();
      writer.open(reply.getHeaders() as Record<string, string | number | string[]>);
    };
    const loop: ToolLoopRequest = {
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
        ...(writer && this.streamHooks(writer, reply, open, accountTier)),
      },
    };
    if (!writer) {
      const answer = await this.tools.complete(loop);
      setRouteHeaders(reply, answer.model);
      telemetry?.rerouted(answer.model.tier, answer.model.reason);
      accountTier(answer.model.tier);
      reply.header(TOOL_ROUNDS_HEADER, String(answer.rounds));
      await reply.type('application/json; charset=utf-8').send(answer.body);
      return;
    }
    const renderError = inBandErrorRenderer(telemetry, admission);
    try {
      await replyWithSse(reply, writer, recordFirstToken(this.tools.stream(loop), telemetry), {
        heartbeatMs: this.heartbeatMs,
        renderError,
      });
    } catch (error) {
      // replyWithSse rejects when no payload was written yet; a tool comment may have opened
      // the response already, and then only an in-band error can reach the caller.
      if (!writer.opened) throw error;
      writer.writeError(renderError(error));
      writer.end();
    }
  }

  /** Streaming progress: tool comments open the response; escalation is told in-band. */
  private streamHooks(
    writer: SseResponseWriter,
    reply: FastifyReply,
    open: () => void,
    accountTier: (tier: 'instant' | 'thinking') => void,
  ): ToolLoopHooks {
    const telemetry = reply.request.telemetry;
    return {
      onToolStart: (name) => {
        open();
        writer.writeComment(`tool ${name} running`);
      },
      onEscalated: (next) => {
        setRouteHeaders(reply, next);
        telemetry?.rerouted(next.tier, next.reason);
        accountTier(next.tier);
        if (writer.opened) writer.writeComment(`route ${next.tier} ${next.reason}`);
      },
    };
  }
}

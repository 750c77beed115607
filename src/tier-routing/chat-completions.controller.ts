import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { catchError, throwError } from 'rxjs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { mayUseTier } from '../auth';
import { ChatCompletionRequestDto } from '../common/openai';
import { estimatePromptTokens } from '../common/tokens';
import { ToolRegistry } from '../tools';
import { ChatCompletionsService } from './chat-completions.service';
import { InferenceResponder, type InferenceExchange } from './inference-responder';
import { TierRouterService, type RouteDecision } from './tier-router.service';
import { ToolLoopResponder } from './tool-loop-responder';

@ApiTags('chat')
@ApiBearerAuth()
@Controller('v1')
export class ChatCompletionsController {
  constructor(
    private readonly router: TierRouterService,
    private readonly chat: ChatCompletionsService,
    private readonly registry: ToolRegistry,
    private readonly responder: InferenceResponder,
    private readonly toolLoop: ToolLoopResponder,
  ) {}

  @Post('chat/completions')
  @HttpCode(200)
  @ApiOperation({ summary: 'OpenAI Chat Completions, routed to the instant or thinking tier' })
  async create(
    @Body() body: ChatCompletionRequestDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.responder.respond(
      request,
      reply,
      {
        model: body.model,
        endpoint: 'chat',
        promptTokens: estimatePromptTokens(body.messages, body.tools),
        maxTokens: body.max_completion_tokens ?? body.max_tokens,
        choices: body.n,
        stream: body.stream === true,
      },
      (exchange) => this.serve(body, exchange),
    );
  }

  private async serve(body: ChatCompletionRequestDto, exchange: InferenceExchange): Promise<void> {
    const { request, admission, telemetry, signal } = exchange;
    const policy = admission.caller.policy;
    const routed = await this.router.route({
      model: body.model,
      messages: body.messages,
      tools: body.tools,
      reasoningEffort: body.reasoning_effort,
      maxTokens: body.max_completion_tokens ?? body.max_tokens,
      traceContext: telemetry?.context,
    });
    const route = exchange.confine(routed, body.stream === true);
    this.registry.warnAboutUnknownNames(body.tools);
    if (this.toolLoop.applies(body, policy.allowedTools)) {
      await this.toolLoop.respond(exchange, body, route);
      return;
    }
    // The routed pool may find it has no replica left only when called (its only replica
    // refused the connection): before anything reached the caller, the other tier takes it.
    const fallback = (error: unknown): RouteDecision | undefined => {
      const moved = this.router.fallbackAfter(route, error, (tier) => mayUseTier(policy, tier));
      if (moved !== undefined) exchange.rerouted(moved, moved.config.model);
      return moved;
    };
    if (body.stream === true) {
      const writer = exchange.sseWriter();
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
      await exchange.streamSse(writer, payloads);
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
    await exchange.sendJson(payload);
  }
}

import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { asGatewayException } from '../common/errors';
import { clientAbortSignal } from '../common/http';
import { ChatCompletionRequestDto } from '../common/openai';
import { replyWithSse, SseResponseWriter } from '../common/sse';
import type { GatewayConfig } from '../config';
import {
  ESCALATION_REASON,
  TOOL_ROUNDS_HEADER,
  ToolLoopService,
  type ToolLoopRequest,
} from '../tools';
import { ChatCompletionsService } from './chat-completions.service';
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
    const route = await this.router.route({
      model: body.model,
      messages: body.messages,
      tools: body.tools,
      reasoningEffort: body.reasoning_effort,
      maxTokens: body.max_completion_tokens ?? body.max_tokens,
    });
    setRouteHeaders(reply, route);
    if (this.tools.applies(body)) {
      await this.createWithTools(body, route, request, reply, signal);
      return;
    }
    if (body.stream === true) {
      const writer = new SseResponseWriter(reply.raw, { heartbeatMs: this.heartbeatMs });
      const payloads = this.chat.stream(body, route, {
        signal,
        requestId: request.id,
        gate: writer.gate,
      });
      await replyWithSse(reply, writer, payloads, {
        heartbeatMs: this.heartbeatMs,
        renderError: (error) => asGatewayException(error).toBody(),
      });
      return;
    }
    const payload = await this.chat.complete(body, route, { signal, requestId: request.id });
    await reply.type('application/json; charset=utf-8').send(payload);
  }

  /**
   * The server-side tool loop (SPEC §8, ADR 0005), for requests whose `tools` offer a
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
  ): Promise<void> {
    const writer =
      body.stream === true
        ? new SseResponseWriter(reply.raw, { heartbeatMs: this.heartbeatMs })
        : undefined;
    const ctx = { requestId: request.id, gate: writer?.gate };
    const open = (): void => {
      if (!writer || writer.opened) return;
      reply.hijack();
      writer.open(reply.getHeaders() as Record<string, string | number | string[]>);
    };
    const loop: ToolLoopRequest = {
      body: { ...body, messages: route.truncated?.messages ?? body.messages },
      model: this.chat.loopModel(route, ctx),
      escalate: () => {
        const thinking = this.router.routeTo('thinking', ESCALATION_REASON);
        return thinking && this.chat.loopModel(thinking, ctx);
      },
      signal,
      requestId: request.id,
      ...(request.caller ? { keyName: request.caller.keyName } : {}),
      hooks: writer && {
        onToolStart: (name) => {
          open();
          writer.writeComment(`tool ${name} running`);
        },
        onEscalated: (next) => {
          setRouteHeaders(reply, next);
          if (writer.opened) writer.writeComment(`route ${next.tier} ${next.reason}`);
        },
      },
    };
    if (!writer) {
      const answer = await this.tools.complete(loop);
      setRouteHeaders(reply, answer.model);
      reply.header(TOOL_ROUNDS_HEADER, String(answer.rounds));
      await reply.type('application/json; charset=utf-8').send(answer.body);
      return;
    }
    const renderError = (error: unknown) => asGatewayException(error).toBody();
    try {
      await replyWithSse(reply, writer, this.tools.stream(loop), {
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
}

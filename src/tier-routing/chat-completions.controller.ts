import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { asGatewayException } from '../common/errors';
import { clientAbortSignal } from '../common/http';
import { ChatCompletionRequestDto } from '../common/openai';
import { replyWithSse, SseResponseWriter } from '../common/sse';
import type { GatewayConfig } from '../config';
import { ChatCompletionsService } from './chat-completions.service';
import { setRouteHeaders } from './route-headers';
import { TierRouterService } from './tier-router.service';

@ApiTags('chat')
@ApiBearerAuth()
@Controller('v1')
export class ChatCompletionsController {
  private readonly heartbeatMs: number;

  constructor(
    private readonly router: TierRouterService,
    private readonly chat: ChatCompletionsService,
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
}

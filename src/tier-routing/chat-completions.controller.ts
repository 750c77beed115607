import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ChatCompletionRequestDto } from '../common/openai';
import { estimatePromptTokens } from '../common/tokens';
import { ChatInferenceService } from './chat-inference.service';
import { InferenceResponder, type InferenceExchange } from './inference-responder';

@ApiTags('chat')
@ApiBearerAuth()
@Controller('v1')
export class ChatCompletionsController {
  constructor(
    private readonly responder: InferenceResponder,
    private readonly inference: ChatInferenceService,
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
    const route = await this.inference.route(exchange, body);
    if (body.stream === true) {
      const writer = exchange.sseWriter();
      await exchange.streamSse(writer, this.inference.streamText(exchange, body, route, writer));
      return;
    }
    await exchange.sendJson(await this.inference.completeText(exchange, body, route));
  }
}

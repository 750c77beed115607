import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AcceptsApiKeyHeader, assertModelAllowed } from '../auth';
import type { ChatCompletionRequest } from '../common/openai';
import { estimatePromptTokens } from '../common/tokens';
import { LimitsService } from '../limits';
import {
  ChatInferenceService,
  InferenceResponder,
  ModelCatalogService,
  type InferenceExchange,
} from '../tier-routing';
import { ANTHROPIC_CONFIG, type AnthropicSlice } from './anthropic.config';
import { AnthropicSseWriter, inBandAnthropicError, toSseEvents } from './anthropic-sse';
import type { CountTokensRequest, MessagesRequest } from './anthropic.types';
import { countInputTokens } from './count-tokens';
import { toAnthropicMessage, type AnswerOptions } from './messages-answer.translator';
import { CountTokensBodyPipe, MessagesBodyPipe } from './messages-body.pipe';
import { showsThinking, toChatRequest } from './messages-request.translator';
import { toAnthropicEvents } from './messages-stream.operator';

/**
 * The Anthropic Messages API front (docs/messages-api.md): `POST /v1/messages` becomes a chat
 * request routed, limited, looped and traced like chat (the shared {@link ChatInferenceService}),
 * whose answer or chunks are translated back; and `POST /v1/messages/count_tokens`. Errors under
 * these routes leave in Anthropic's envelope (the exception filter's `ANTHROPIC_ERROR_ENVELOPE`;
 * in-band as `event: error`).
 */
@ApiTags('messages')
@ApiBearerAuth()
@ApiSecurity('x-api-key')
@Controller('v1/messages')
export class MessagesController {
  private readonly heartbeatMs: number;

  constructor(
    private readonly responder: InferenceResponder,
    private readonly inference: ChatInferenceService,
    private readonly catalog: ModelCatalogService,
    private readonly limits: LimitsService,
    @Inject(ANTHROPIC_CONFIG.token) config: AnthropicSlice,
  ) {
    this.heartbeatMs = config.heartbeatMs;
  }

  @Post()
  @AcceptsApiKeyHeader()
  @HttpCode(200)
  @ApiOperation({ summary: 'Anthropic Messages, routed to the instant or thinking tier' })
  @ApiBody({ schema: { type: 'object' } })
  async create(
    @Body(MessagesBodyPipe) body: MessagesRequest,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const chat = toChatRequest(body);
    await this.responder.respond(
      request,
      reply,
      {
        model: chat.model,
        endpoint: 'chat',
        promptTokens: estimatePromptTokens(chat.messages, chat.tools),
        maxTokens: chat.max_tokens,
        stream: chat.stream === true,
      },
      (exchange) => this.serve(chat, answerOptions(body), exchange),
    );
  }

  @Post('count_tokens')
  @AcceptsApiKeyHeader()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Anthropic Messages token count: the gateway’s token estimate of the prompt',
  })
  @ApiBody({ schema: { type: 'object' } })
  countTokens(
    @Body(CountTokensBodyPipe) body: CountTokensRequest,
    @Req() request: FastifyRequest,
  ): { input_tokens: number } {
    // The model must exist and be the key's to use, as for a real request; nothing is counted.
    const policy = this.limits.callerOf(request.caller).policy;
    const target = this.catalog.resolve(body.model, policy);
    assertModelAllowed(policy, body.model, target.kind === 'auto' ? 'auto' : target.tier);
    return { input_tokens: countInputTokens(body) };
  }

  private async serve(
    chat: ChatCompletionRequest,
    options: AnswerOptions,
    exchange: InferenceExchange,
  ): Promise<void> {
    if (chat.stream !== true) {
      const completion = await this.inference.complete(exchange, chat);
      await exchange.sendJson(toAnthropicMessage(completion, options));
      return;
    }
    const writer = new AnthropicSseWriter(exchange.reply.raw, { heartbeatMs: this.heartbeatMs });
    const events = this.inference
      .stream(exchange, chat, writer)
      .pipe(toAnthropicEvents(options), toSseEvents(), inBandAnthropicError(exchange, writer));
    await exchange.streamSse(writer, events, { done: false });
  }
}

function answerOptions(body: MessagesRequest): AnswerOptions {
  return {
    showThinking: showsThinking(body.thinking),
    ...(body.stop_sequences && { stopSequences: body.stop_sequences }),
  };
}

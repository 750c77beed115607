import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ChatCompletionRequestDto } from '../common/openai';
import { estimatePromptTokens } from '../common/tokens';
import { ChatInferenceService } from './chat-inference.service';
import { InferenceResponder, type InferenceExchange } from './inference-responder';

/**
 * `POST /v1/chat/completions` once its key and body are checked: admission, routing, then the
 * answer as the upstream's JSON or as SSE, through the shared {@link InferenceResponder}. Plain
 * calls, served by the route in `chat-completions.route.ts` rather than a Nest controller
 * (ADR 0015).
 */
@Injectable()
export class ChatCompletionsHandler {
  constructor(
    private readonly responder: InferenceResponder,
    private readonly inference: ChatInferenceService,
  ) {}

  /** Answers the validated `body` on `reply`; settles when the answer is written. */
  handle(
    body: ChatCompletionRequestDto,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<void> {
    return this.responder.respond(
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

  /** Returns the answer's promise rather than awaiting it: no frame held while it streams. */
  private async serve(body: ChatCompletionRequestDto, exchange: InferenceExchange): Promise<void> {
    const route = await this.inference.route(exchange, body);
    if (body.stream === true) {
      const writer = exchange.sseWriter();
      return exchange.streamSse(writer, this.inference.streamText(exchange, body, route, writer));
    }
    return exchange.sendJson(await this.inference.completeText(exchange, body, route));
  }
}

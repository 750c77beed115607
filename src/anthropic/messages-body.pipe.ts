import { Inject, Injectable, type PipeTransform } from '@nestjs/common';
import { ErrorCode, ErrorMessages, GatewayException } from '../common/errors';
import { checkRequestBounds, type RequestBounds } from '../common/openai';
import { ANTHROPIC_CONFIG, type AnthropicSlice } from './anthropic.config';
import type { CountTokensRequest, MessagesRequest } from './anthropic.types';
import { validateCountTokensRequest, validateMessagesRequest } from './messages-request.validator';

/**
 * The edge of the Anthropic front: the body's shape is bounded first (`limits.request`: depth,
 * messages, characters of text, tools; an assistant turn's `tool_use` blocks by
 * `tools.max_calls_per_round`), then validated into its typed form. Controllers and the
 * translation trust what leaves here.
 */
@Injectable()
abstract class AnthropicBodyPipe<T extends CountTokensRequest> implements PipeTransform {
  private readonly bounds: RequestBounds;

  constructor(@Inject(ANTHROPIC_CONFIG.token) config: AnthropicSlice) {
    this.bounds = { ...config.request, maxToolCalls: config.maxToolCalls };
  }

  transform(value: unknown): T {
    // Anthropic's turns carry tool calls as blocks, which the chat-shaped check does not see.
    checkRequestBounds(value, { ...this.bounds, maxToolCalls: undefined });
    const request = this.validate(value);
    const max = this.bounds.maxToolCalls;
    request.messages.forEach((message, index) => {
      if (message.role !== 'assistant' || typeof message.content === 'string') return;
      const calls = message.content.filter((block) => block.type === 'tool_use').length;
      if (max !== undefined && calls > max) {
        throw new GatewayException(
          ErrorCode.InvalidValue,
          ErrorMessages.tooManyToolCalls(calls, max),
          {
            param: `messages[${index}].content`,
          },
        );
      }
    });
    return request;
  }

  protected abstract validate(value: unknown): T;
}

/** `POST /v1/messages`. */
@Injectable()
export class MessagesBodyPipe extends AnthropicBodyPipe<MessagesRequest> {
  protected validate(value: unknown): MessagesRequest {
    return validateMessagesRequest(value);
  }
}

/** `POST /v1/messages/count_tokens`. */
@Injectable()
export class CountTokensBodyPipe extends AnthropicBodyPipe<CountTokensRequest> {
  protected validate(value: unknown): CountTokensRequest {
    return validateCountTokensRequest(value);
  }
}

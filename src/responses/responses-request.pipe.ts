import { Inject, Injectable, type PipeTransform } from '@nestjs/common';
import { checkRequestBounds } from '../common/openai';
import { RESPONSES_CONFIG, type ResponsesSlice } from './responses.config';
import { validateResponsesRequest } from './responses-request.schema';
import type { ResponsesRequest } from './responses.types';

/**
 * Validates a `POST /v1/responses` body once, at the edge: its nesting depth first (before
 * anything recursive touches it), then its schema and the fields the gateway refuses.
 */
@Injectable()
export class ResponsesRequestPipe implements PipeTransform<unknown, ResponsesRequest> {
  private readonly maxJsonDepth: number;

  constructor(@Inject(RESPONSES_CONFIG.token) config: ResponsesSlice) {
    this.maxJsonDepth = config.request.maxJsonDepth;
  }

  transform(value: unknown): ResponsesRequest {
    checkRequestBounds(value, {
      maxJsonDepth: this.maxJsonDepth,
      maxMessages: Number.POSITIVE_INFINITY,
      maxContentChars: Number.POSITIVE_INFINITY,
      maxTools: Number.POSITIVE_INFINITY,
    });
    return validateResponsesRequest(value);
  }
}

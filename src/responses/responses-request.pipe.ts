import { Injectable, type PipeTransform } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { checkRequestBounds } from '../common/openai';
import type { GatewayConfig } from '../config';
import { validateResponsesRequest } from './responses-request.schema';
import type { ResponsesRequest } from './responses.types';

/**
 * Validates a `POST /v1/responses` body once, at the edge: its nesting depth first (before
 * anything recursive touches it), then its schema and the fields the gateway refuses.
 */
@Injectable()
export class ResponsesRequestPipe implements PipeTransform<unknown, ResponsesRequest> {
  private readonly maxJsonDepth: number;

  constructor(config: ConfigService<GatewayConfig, true>) {
    this.maxJsonDepth = config.get('limits', { infer: true }).request.maxJsonDepth;
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

import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { assertModelAllowed } from '../auth';
import { LimitsService } from '../limits';
import { ModelCatalogService } from '../tier-routing';
import type { CountTokensRequest } from './anthropic.types';
import { countInputTokens } from './count-tokens';
import { CountTokensBodyPipe } from './messages-body.pipe';

/**
 * The Anthropic Messages API front (docs/messages-api.md): `POST /v1/messages` translated into
 * a chat request routed like chat, and `POST /v1/messages/count_tokens`. Errors under these
 * routes leave in Anthropic's envelope (the exception filter's `ANTHROPIC_ERROR_ENVELOPE`).
 */
@ApiTags('messages')
@ApiBearerAuth()
@ApiSecurity('x-api-key')
@Controller('v1/messages')
export class MessagesController {
  constructor(
    private readonly catalog: ModelCatalogService,
    private readonly limits: LimitsService,
  ) {}

  @Post('count_tokens')
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
}

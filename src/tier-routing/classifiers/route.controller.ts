import { Body, Controller, HttpCode, Inject, Optional, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ChatCompletionRequestDto } from '../../common/openai';
import { CascadeClassifier, type RouteExplanation } from './cascade.classifier';
import { EXPLICIT_MODEL_RESOLVER, type ExplicitModelResolver } from './classifiers.constants';

/** `POST /v1/route` answers this: the decision, and the request's explicit model if it had one. */
export interface RouteDebugResponse extends RouteExplanation {
  model: string | null;
}

/**
 * `POST /v1/route`: the routing decision for an OpenAI chat request body, with every step and
 * every feature's contribution, without calling any chat model. A debugging aid; it must sit
 * behind the gateway's authentication like every `/v1` route.
 */
@ApiTags('routing')
@ApiBearerAuth()
@Controller('v1')
export class RouteController {
  constructor(
    private readonly cascade: CascadeClassifier,
    @Optional()
    @Inject(EXPLICIT_MODEL_RESOLVER)
    private readonly resolveModel?: ExplicitModelResolver,
  ) {}

  @Post('route')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Explain the routing decision for a chat request, without calling a model',
  })
  async route(
    // The same DTO and edge validation as /v1/chat/completions: same body, same 400s.
    @Body() body: ChatCompletionRequestDto,
    @Req() request: FastifyRequest,
  ): Promise<RouteDebugResponse> {
    const model = body.model;
    const explanation = await this.cascade.explain({
      messages: body.messages,
      tools: body.tools,
      reasoningEffort: body.reasoning_effort,
      traceContext: request.telemetry?.context,
    });
    const explicit = this.resolveModel?.(model);
    if (!explicit) return { model: model ?? null, ...explanation };
    // The router decides an explicit model before any classifier; the classifiers' reading stays
    // in `steps` for comparison.
    return {
      ...explanation,
      model: model ?? null,
      tier: explicit.tier,
      reason: explicit.reason,
      score: null,
      steps: [
        { step: 'model', status: 'decided', tier: explicit.tier, note: explicit.reason },
        ...explanation.steps,
      ],
    };
  }
}

import { Body, Controller, HttpCode, Inject, Optional, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ChatCompletionRequestDto } from '../../common/openai';
import { CascadeClassifier, type RouteExplanation } from './cascade.classifier';
import type { TierName } from '../../config/gateway-config.interface';
import {
  EXPLICIT_MODEL_RESOLVER,
  ROUTE_ADMISSION,
  type ExplicitModelResolver,
  type RouteAdmission,
} from './classifiers.constants';

/** `POST /v1/route` answers this: the decision, and the request's explicit model if it had one. */
export interface RouteDebugResponse extends RouteExplanation {
  model: string | null;
}

/**
 * `POST /v1/route`: the routing decision for an OpenAI chat request body, with every step and
 * every feature's contribution, without calling any chat model. A debugging aid; it must sit
 * behind the gateway's authentication like every `/v1` route, and it is admitted and metered
 * like chat (the semantic step spends an embeddings call). A key that may not use every chat
 * tier is told only the route it would get, never how the classifiers weighed the others.
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
    @Optional()
    @Inject(ROUTE_ADMISSION)
    private readonly admit?: RouteAdmission,
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
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RouteDebugResponse> {
    const access = await this.admit?.(request, reply, body);
    const model = body.model;
    const explanation = await this.cascade.explain({
      messages: body.messages,
      tools: body.tools,
      reasoningEffort: body.reasoning_effort,
      traceContext: request.telemetry?.context,
    });
    const explicit = this.resolveModel?.(model);
    if (access && !CHAT_TIERS.every((tier) => access.mayUseTier(tier))) {
      return confined(explanation, model, explicit?.tier, access.mayUseTier);
    }
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

const CHAT_TIERS: readonly TierName[] = ['instant', 'thinking'];

/**
 * The answer for a key confined to one chat tier (admission already refused a key with none):
 * the tier it gets, as the chat front would move it (`key:<from>-><to>`), and nothing of the
 * classifiers' reading, which weighs a tier the key may not use.
 */
function confined(
  explanation: RouteExplanation,
  model: string | undefined,
  explicitTier: TierName | undefined,
  mayUseTier: (tier: TierName) => boolean,
): RouteDebugResponse {
  const decided = explicitTier ?? explanation.tier;
  const tier = mayUseTier(decided) ? decided : decided === 'instant' ? 'thinking' : 'instant';
  const reason = tier === decided ? `key:${tier}` : `key:${decided}->${tier}`;
  return {
    model: model ?? null,
    tier,
    reason,
    score: null,
    thinkingThreshold: explanation.thinkingThreshold,
    steps: [
      { step: 'key', status: 'decided', tier, note: `this key may use only the ${tier} tier` },
    ],
    features: [],
    conversation: explanation.conversation,
  };
}

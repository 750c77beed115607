import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { assertModelAllowed, isModelAllowed } from '../auth';
import { ErrorCode, ErrorMessages, GatewayException } from '../common/errors';
import { clientAbortSignal } from '../common/http';
import { EmbeddingRequestDto } from '../common/openai';
import type { EmbeddingsConfig } from '../config';
import { estimateInputTokens } from '../common/tokens';
import { LimitsService } from '../limits';
import { callTimeouts, UpstreamPoolsService } from '../providers';
import { admitRequest } from './inference-admission';
import { TIER_ROUTING_CONFIG, type TierRoutingSlice } from './tier-routing.config';

/** `POST /v1/embeddings`, sent to the embeddings pool with its own model id. */
@ApiTags('embeddings')
@ApiBearerAuth()
@Controller('v1')
export class EmbeddingsController {
  private readonly embeddings?: EmbeddingsConfig;

  constructor(
    private readonly pools: UpstreamPoolsService,
    private readonly limits: LimitsService,
    @Inject(TIER_ROUTING_CONFIG.token) config: TierRoutingSlice,
  ) {
    this.embeddings = config.embeddings;
  }

  @Post('embeddings')
  @HttpCode(200)
  @ApiOperation({ summary: 'OpenAI Embeddings, served by the embeddings pool' })
  async create(
    @Body() body: EmbeddingRequestDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const embeddings = this.embeddings;
    if (!embeddings) {
      throw new GatewayException(ErrorCode.ModelNotFound, ErrorMessages.noEmbeddingsModel(), {
        param: 'model',
      });
    }
    const policy = this.limits.callerOf(request.caller).policy;
    if (
      body.model !== undefined &&
      body.model !== embeddings.model &&
      body.model !== 'embeddings'
    ) {
      const names = ['embeddings', embeddings.model].filter((name) =>
        isModelAllowed(policy, name, 'embeddings'),
      );
      throw new GatewayException(
        ErrorCode.ModelNotFound,
        ErrorMessages.modelNotFound(body.model, names),
        { param: 'model' },
      );
    }
    const requested = body.model ?? 'embeddings';
    assertModelAllowed(policy, requested, 'embeddings');
    const admission = await admitRequest(this.limits, request, reply, {
      endpoint: 'embeddings',
      requestedModel: requested,
      promptTokens: estimateInputTokens(body.input),
      maxTokens: 0,
      stream: false,
    });
    admission.routed('embeddings', embeddings.model);
    const telemetry = request.telemetry;
    telemetry?.routed({
      tier: '',
      reason: 'embeddings',
      model: body.model ?? 'embeddings',
      upstreamModel: embeddings.model,
    });
    try {
      const answer = await this.pools.get(embeddings.pool).embeddings(
        { ...body, model: embeddings.model },
        {
          signal: clientAbortSignal(reply.raw),
          requestId: request.id,
          ...callTimeouts(embeddings.timeouts),
          traceContext: telemetry?.context,
        },
      );
      telemetry?.addUsage(answer.value.usage, '', embeddings.model);
      admission.addUsage(answer.value.usage);
      await reply.type('application/json; charset=utf-8').send(answer.raw);
    } catch (error) {
      admission.fail(error);
      throw error;
    }
  }
}

import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { confineRoute } from '../auth';
import { clientAbortSignal } from '../common/http';
import { CompletionRequestDto } from '../common/openai';
import { replyWithSse, SseResponseWriter } from '../common/sse';
import type { GatewayConfig } from '../config';
import { estimateInputTokens, LimitsService, type Admission } from '../limits';
import { callTimeouts } from '../providers';
import { tap } from 'rxjs';
import type { UsageLike } from '../telemetry';
import { inBandErrorRenderer } from './in-band-error';
import { admitAndServe } from './inference-admission';
import { ModelCatalogService } from './model-catalog.service';
import { setRouteHeaders } from './route-headers';
import { toPayloads } from './stream-payloads';
import { TierRouterService } from './tier-router.service';
import { callerWantsUsage, streamingUpstreamBody } from './usage-request';

/** `POST /v1/completions` (legacy): the same routing as chat; bodies pass through otherwise. */
@ApiTags('completions')
@ApiBearerAuth()
@Controller('v1')
export class CompletionsController {
  private readonly heartbeatMs: number;

  constructor(
    private readonly router: TierRouterService,
    private readonly limits: LimitsService,
    private readonly catalog: ModelCatalogService,
    config: ConfigService<GatewayConfig, true>,
  ) {
    this.heartbeatMs = config.get('streaming', { infer: true }).heartbeatMs;
  }

  @Post('completions')
  @HttpCode(200)
  @ApiOperation({ summary: 'Legacy OpenAI Completions, routed like chat' })
  async create(
    @Body() body: CompletionRequestDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const signal = clientAbortSignal(reply.raw);
    await admitAndServe(
      { limits: this.limits, catalog: this.catalog },
      { request, reply },
      {
        model: body.model,
        endpoint: 'completions',
        promptTokens: estimateInputTokens(body.prompt),
        maxTokens: body.max_tokens,
        choices: typeof body.n === 'number' ? body.n : undefined,
        stream: body.stream === true,
      },
      (admission) => this.serve(body, request, reply, signal, admission),
    );
  }

  private async serve(
    body: CompletionRequestDto,
    request: FastifyRequest,
    reply: FastifyReply,
    signal: AbortSignal,
    admission: Admission,
  ): Promise<void> {
    const prompt = body.prompt;
    const routed = await this.router.route({
      model: body.model,
      messages: [
        {
          role: 'user',
          content:
            typeof prompt === 'string'
              ? prompt
              : Array.isArray(prompt)
                ? prompt.filter((p) => typeof p === 'string').join('\n')
                : '',
        },
      ],
      reasoningEffort:
        typeof body.reasoning_effort === 'string' ? (body.reasoning_effort as never) : undefined,
      traceContext: request.telemetry?.context,
    });
    const route = confineRoute(
      admission.caller.policy,
      routed,
      (tier, reason) => {
        const moved = this.router.routeTo(tier, reason);
        return moved && { ...moved, requested: routed.requested };
      },
      admission.requestedModel ?? this.catalog.defaultModel,
    );
    admission.routed(route.tier, route.config.model);
    setRouteHeaders(reply, route);
    const telemetry = request.telemetry;
    telemetry?.routed({
      tier: route.tier,
      reason: route.reason,
      model: route.requested ?? route.config.model,
      upstreamModel: route.config.model,
      stream: body.stream === true,
    });
    const options = {
      signal,
      requestId: request.id,
      ...callTimeouts(route.config.timeouts),
      traceContext: telemetry?.context,
    };
    if (body.stream === true) {
      const upstreamBody = streamingUpstreamBody(body, route.config.model);
      const writer = new SseResponseWriter(reply.raw, { heartbeatMs: this.heartbeatMs });
      const chunks = route.pool
        .completionsStream(upstreamBody, { ...options, gate: writer.gate })
        .pipe(tap(({ chunk }) => admission.addStreamed(chunk)));
      const observed = toPayloads(chunks, callerWantsUsage(body), undefined, {
        ...(telemetry && { first: () => telemetry.firstToken() }),
        usage: (chunk) => {
          telemetry?.addUsage(chunk.usage, route.tier, route.config.model);
          admission.addUsage(chunk.usage);
        },
      });
      await replyWithSse(reply, writer, observed, {
        heartbeatMs: this.heartbeatMs,
        renderError: inBandErrorRenderer(telemetry, admission),
      });
      return;
    }
    const answer = await route.pool.completions({ ...body, model: route.config.model }, options);
    const usage = (answer.value as { usage?: UsageLike } | null)?.usage;
    telemetry?.addUsage(usage, route.tier, route.config.model);
    admission.addUsage(usage);
    await reply.type('application/json; charset=utf-8').send(answer.raw);
  }
}

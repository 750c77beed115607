import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { asGatewayException } from '../common/errors';
import { clientAbortSignal } from '../common/http';
import { CompletionRequestDto, type CompletionRequest } from '../common/openai';
import { replyWithSse, SseResponseWriter } from '../common/sse';
import type { GatewayConfig } from '../config';
import { callTimeouts } from '../providers';
import { setRouteHeaders } from './route-headers';
import { toPayloads } from './stream-payloads';
import { TierRouterService } from './tier-router.service';

/** `POST /v1/completions` (legacy): the same routing as chat; bodies pass through otherwise. */
@ApiTags('completions')
@ApiBearerAuth()
@Controller('v1')
export class CompletionsController {
  private readonly heartbeatMs: number;

  constructor(
    private readonly router: TierRouterService,
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
    const prompt = body.prompt;
    const route = await this.router.route({
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
    });
    setRouteHeaders(reply, route);
    const options = { signal, requestId: request.id, ...callTimeouts(route.config.timeouts) };
    if (body.stream === true) {
      const callerWantsUsage = body.stream_options?.include_usage === true;
      const upstreamBody: CompletionRequest = {
        ...body,
        model: route.config.model,
        stream_options: { ...body.stream_options, include_usage: true },
      };
      const writer = new SseResponseWriter(reply.raw, { heartbeatMs: this.heartbeatMs });
      const chunks = route.pool.completionsStream(upstreamBody, { ...options, gate: writer.gate });
      await replyWithSse(reply, writer, toPayloads(chunks, callerWantsUsage), {
        heartbeatMs: this.heartbeatMs,
        renderError: (error) => asGatewayException(error).toBody(),
      });
      return;
    }
    const answer = await route.pool.completions({ ...body, model: route.config.model }, options);
    await reply.type('application/json; charset=utf-8').send(answer.raw);
  }
}

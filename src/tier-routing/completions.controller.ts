import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { tap } from 'rxjs';
import { CompletionRequestDto } from '../common/openai';
import { estimateInputTokens } from '../common/tokens';
import { callTimeouts } from '../providers';
import type { UsageLike } from '../telemetry';
import { InferenceResponder, type InferenceExchange } from './inference-responder';
import { toPayloads } from './stream-payloads';
import { TierRouterService } from './tier-router.service';
import { callerWantsUsage, streamingUpstreamBody } from './usage-request';

/** `POST /v1/completions` (legacy): the same routing as chat; bodies pass through otherwise. */
@ApiTags('completions')
@ApiBearerAuth()
@Controller('v1')
export class CompletionsController {
  constructor(
    private readonly router: TierRouterService,
    private readonly responder: InferenceResponder,
  ) {}

  @Post('completions')
  @HttpCode(200)
  @ApiOperation({ summary: 'Legacy OpenAI Completions, routed like chat' })
  async create(
    @Body() body: CompletionRequestDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.responder.respond(
      request,
      reply,
      {
        model: body.model,
        endpoint: 'completions',
        promptTokens: estimateInputTokens(body.prompt),
        maxTokens: body.max_tokens,
        choices: typeof body.n === 'number' ? body.n : undefined,
        stream: body.stream === true,
      },
      (exchange) => this.serve(body, exchange),
    );
  }

  private async serve(body: CompletionRequestDto, exchange: InferenceExchange): Promise<void> {
    const { request, admission, telemetry, signal } = exchange;
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
      traceContext: telemetry?.context,
    });
    const route = exchange.confine(routed, body.stream === true);
    const options = {
      signal,
      requestId: request.id,
      ...callTimeouts(route.config.timeouts),
      traceContext: telemetry?.context,
    };
    if (body.stream === true) {
      const upstreamBody = streamingUpstreamBody(body, route.config.model);
      const writer = exchange.sseWriter();
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
      await exchange.streamSse(writer, observed);
      return;
    }
    const answer = await route.pool.completions({ ...body, model: route.config.model }, options);
    const usage = (answer.value as { usage?: UsageLike } | null)?.usage;
    telemetry?.addUsage(usage, route.tier, route.config.model);
    admission.addUsage(usage);
    await exchange.sendJson(answer.raw);
  }
}

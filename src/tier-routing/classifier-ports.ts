import { randomUUID } from 'node:crypto';
import type { GatewayConfig } from '../config';
import type { UpstreamPoolsService } from '../providers';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { assertModelAllowed, mayUseTier } from '../auth';
import type { LimitsService } from '../limits';
import { estimatePromptTokens } from '../common/tokens';
import { admitRequest } from './inference-admission';
import type { EmbeddingsPort, ExplicitModelResolver, RouteAdmission } from './classifiers';
import type { ModelCatalogService } from './model-catalog.service';

/**
 * The classifiers' ports bound to this gateway: the `semantic` step embeds through the
 * embeddings pool (absent when none is configured, so the step abstains), and `POST /v1/route`
 * resolves explicit model names exactly as the router does.
 */
export function embeddingsPortFor(
  pools: UpstreamPoolsService,
  config: Pick<GatewayConfig, 'embeddings' | 'routing'>,
): EmbeddingsPort | undefined {
  const embeddings = config.embeddings;
  if (!embeddings) return undefined;
  const pool = pools.get(embeddings.pool);
  return async (inputs, signal, traceContext) => {
    const answer = await pool.embeddings(
      { model: embeddings.model, input: inputs },
      {
        signal,
        timeoutMs: config.routing.semanticBudgetMs,
        requestId: `route-${randomUUID()}`,
        traceContext,
      },
    );
    return answer.value.data.map((item) => item.embedding as number[]);
  };
}

export function explicitModelResolverFor(catalog: ModelCatalogService): ExplicitModelResolver {
  return (model) => {
    const target = catalog.resolve(model);
    return target.kind === 'tier' ? { tier: target.tier, reason: target.reason } : null;
  };
}

/** `POST /v1/route` admitted like chat: permission, then limits, metered as a `route` request. */
export function routeAdmissionFor(
  limits: LimitsService,
  catalog: ModelCatalogService,
): RouteAdmission {
  return async (request: FastifyRequest, reply: FastifyReply, body) => {
    const policy = limits.callerOf(request.caller).policy;
    const requested = body.model ?? catalog.defaultModel;
    const target = catalog.resolve(body.model, policy);
    assertModelAllowed(policy, requested, target.kind === 'auto' ? 'auto' : target.tier);
    const admission = await admitRequest(limits, request, reply, {
      endpoint: 'route',
      requestedModel: requested,
      promptTokens: estimatePromptTokens(body.messages, body.tools),
      maxTokens: 0,
      stream: false,
    });
    admission.routed('route', 'none');
    return { mayUseTier: (tier) => mayUseTier(policy, tier) };
  };
}

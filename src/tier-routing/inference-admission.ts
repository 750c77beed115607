import type { FastifyReply, FastifyRequest } from 'fastify';
import { assertModelAllowed } from '../auth';
import type { Admission, AdmitOptions, LimitsService } from '../limits';
import type { ModelCatalogService } from './model-catalog.service';

/**
 * The start the routed inference fronts (chat, legacy completions) share: the key's permission
 * for the model it named (403, before anything is counted), then its limits (429, one atomic
 * step), then `serve`; whatever `serve` throws is recorded on the admission as the request's
 * failure before it reaches the exception filter.
 */
export async function admitAndServe(
  limits: LimitsService,
  catalog: ModelCatalogService,
  request: FastifyRequest,
  reply: FastifyReply,
  model: string | undefined,
  options: Omit<AdmitOptions, 'requestedModel'>,
  serve: (admission: Admission) => Promise<void>,
): Promise<void> {
  const requested = model ?? catalog.defaultModel;
  const policy = limits.callerOf(request).policy;
  const target = catalog.resolve(model, policy);
  assertModelAllowed(policy, requested, target.kind === 'auto' ? 'auto' : target.tier);
  const admission = await limits.admit(request, reply, { ...options, requestedModel: requested });
  try {
    await serve(admission);
  } catch (error) {
    admission.fail(error);
    throw error;
  }
}

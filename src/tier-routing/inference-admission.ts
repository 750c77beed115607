import type { FastifyReply, FastifyRequest } from 'fastify';
import { assertModelAllowed } from '../auth';
import type { Admission, AdmissionGrant, AdmitOptions, LimitsService } from '../limits';
import type { ModelCatalogService } from './model-catalog.service';

/**
 * Admits a request against its key's limits and applies the answer to the reply: the
 * rate-limit headers go on it (so a stream carries them from its first byte), and the grant is
 * settled as the response closes, whatever closed it: with the request's telemetry, just
 * before its log line, which then carries the accounting (one line per request).
 *
 * @throws GatewayException 429 or 503 when the limits refuse (see {@link LimitsService.admit}).
 */
export async function admitRequest(
  limits: LimitsService,
  request: FastifyRequest,
  reply: FastifyReply,
  options: AdmitOptions,
): Promise<Admission> {
  const grant = await limits.admit(limits.callerOf(request.caller), options);
  applyGrant(grant, request, reply);
  return grant.admission;
}

/** Sets the grant's headers on `reply` and settles it once the response closed. */
export function applyGrant(
  grant: AdmissionGrant,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  reply.headers(grant.headers);
  const raw = reply.raw;
  const telemetry = request.telemetry;
  const spend = grant.spend;
  if (spend) {
    // The `x-gateway-cost` hook reads it; the telemetry tells it each call's usage.
    request.spend = spend;
    if (telemetry) telemetry.usageObserver = spend;
  }
  if (telemetry) {
    telemetry.beforeEnd(() => {
      telemetry.accounting = grant.settle(raw);
      const spent = spend?.settled;
      if (spent) {
        telemetry.cost = spent.cost;
        telemetry.costUnpriced = spent.unpriced;
        telemetry.tokensByKind = spent.tokens;
      }
    });
  } else if (raw.closed) {
    setImmediate(() => grant.settle(raw));
  } else {
    raw.once('close', () => grant.settle(raw));
  }
}

/** What a routed inference front admits: the model it named, and what admission reserves for. */
export interface InferenceAdmit extends Omit<AdmitOptions, 'requestedModel'> {
  model: string | undefined;
}

/**
 * The start the routed inference fronts (chat, legacy completions) share: the key's permission
 * for the model it named (403, before anything is counted), then its limits (429, one atomic
 * step), then `serve`; whatever `serve` throws is recorded on the admission as the request's
 * failure before it reaches the exception filter.
 */
export async function admitAndServe(
  deps: { limits: LimitsService; catalog: ModelCatalogService },
  exchange: { request: FastifyRequest; reply: FastifyReply },
  { model, ...options }: InferenceAdmit,
  serve: (admission: Admission) => Promise<void>,
): Promise<void> {
  const { limits, catalog } = deps;
  const { request, reply } = exchange;
  const requested = model ?? catalog.defaultModel;
  const caller = limits.callerOf(request.caller);
  const target = catalog.resolve(model, caller.policy);
  assertModelAllowed(caller.policy, requested, target.kind === 'auto' ? 'auto' : target.tier);
  // admitRequest's two steps, inline: one async frame fewer on every routed request (ADR 0015).
  const grant = await limits.admit(caller, { ...options, requestedModel: requested });
  applyGrant(grant, request, reply);
  const admission = grant.admission;
  const failed = (error: unknown): never => {
    admission.fail(error);
    throw error;
  };
  // Returned, not awaited: this frame ends here rather than staying suspended for as long as
  // the answer streams (ADR 0015).
  let served: Promise<void>;
  try {
    served = serve(admission);
  } catch (error) {
    return failed(error);
  }
  return served.then(undefined, failed);
}

import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { confineRoute } from '../auth';
import { clientAbortSignal } from '../common/http';
import type { OpenAiErrorBody } from '../common/openai';
import { replyWithSse, SseResponseWriter, type SseEvent } from '../common/sse';
import { LimitsService, type Admission } from '../limits';
import type { RequestTelemetry } from '../telemetry';
import { inBandErrorRenderer } from './in-band-error';
import { admitAndServe, type InferenceAdmit } from './inference-admission';
import { ModelCatalogService } from './model-catalog.service';
import { setRouteHeaders } from './route-headers';
import { TierRouterService, type RouteDecision } from './tier-router.service';
import { TIER_ROUTING_CONFIG, type TierRoutingSlice } from './tier-routing.config';

/**
 * One routed inference request being answered (chat, legacy completions, responses, messages):
 * the steps the fronts share, so each controller says only what is its own (its body, its
 * upstream call or its translation).
 */
export class InferenceExchange {
  readonly telemetry: RequestTelemetry | undefined;
  /** The renderer of an error that ends the stream once it is open (recorded, then in-band). */
  readonly renderError: (error: unknown) => OpenAiErrorBody;

  constructor(
    readonly request: FastifyRequest,
    readonly reply: FastifyReply,
    /** Aborts when the caller leaves. */
    readonly signal: AbortSignal,
    readonly admission: Admission,
    private readonly router: TierRouterService,
    private readonly catalog: ModelCatalogService,
    private readonly heartbeatMs: number,
  ) {
    this.telemetry = request.telemetry;
    this.renderError = inBandErrorRenderer(this.telemetry, admission);
  }

  /**
   * Confines the routed decision to the tiers the key may use, and records where it went: on
   * the admission, in the route headers and on the request's telemetry.
   */
  confine(routed: RouteDecision, stream: boolean): RouteDecision {
    const route = confineRoute(
      this.admission.caller.policy,
      routed,
      (tier, reason) => {
        const moved = this.router.routeTo(tier, reason);
        return moved && { ...moved, requested: routed.requested };
      },
      this.admission.requestedModel ?? this.catalog.defaultModel,
    );
    this.admission.routed(route.tier, route.config.model);
    setRouteHeaders(this.reply, route);
    this.telemetry?.routed({
      tier: route.tier,
      reason: route.reason,
      model: route.requested ?? route.config.model,
      upstreamModel: route.config.model,
      stream,
    });
    return route;
  }

  /** The request moved to another tier (fallback, escalation) before its answer went out. */
  rerouted(route: Pick<RouteDecision, 'tier' | 'reason' | 'truncated'>, model: string): void {
    this.admission.routed(route.tier, model);
    setRouteHeaders(this.reply, route);
    this.telemetry?.rerouted(route.tier, route.reason);
  }

  /** The writer of a streamed answer (not yet opened). */
  sseWriter(): SseResponseWriter {
    return new SseResponseWriter(this.reply.raw, { heartbeatMs: this.heartbeatMs });
  }

  /**
   * Streams `payloads` as SSE; a failure after the first byte goes in-band. A tool comment may
   * have opened the response before any payload (the SSE reply then rejects as if nothing was
   * sent): only an in-band error can reach the caller then too.
   */
  async streamSse(
    writer: SseResponseWriter,
    payloads: Observable<string | SseEvent>,
    options: { done?: boolean } = {},
  ): Promise<void> {
    try {
      await replyWithSse(this.reply, writer, payloads, {
        heartbeatMs: this.heartbeatMs,
        renderError: this.renderError,
        ...(options.done === false && { done: false }),
      });
    } catch (error) {
      if (!writer.opened) throw error;
      writer.writeError(this.renderError(error));
      writer.end();
    }
  }

  /** Sends a whole JSON answer (an object, or the upstream's bytes as they came). */
  async sendJson(payload: unknown): Promise<void> {
    await this.reply.type('application/json; charset=utf-8').send(payload);
  }
}

/**
 * The responder both routed inference fronts (chat, legacy completions) answer through:
 * permission and limits (see {@link admitAndServe}), then the front's own `serve` with an
 * {@link InferenceExchange} that confines the route, sets the route headers, records
 * telemetry and the key's accounting, and writes the answer (JSON or SSE).
 */
@Injectable()
export class InferenceResponder {
  private readonly heartbeatMs: number;

  constructor(
    private readonly router: TierRouterService,
    private readonly limits: LimitsService,
    private readonly catalog: ModelCatalogService,
    @Inject(TIER_ROUTING_CONFIG.token) config: TierRoutingSlice,
  ) {
    this.heartbeatMs = config.streaming.heartbeatMs;
  }

  /**
   * Not itself `async`: it returns {@link admitAndServe}'s promise, so an open stream holds one
   * suspended frame fewer (ADR 0015). Nothing here throws before that call.
   */
  respond(
    request: FastifyRequest,
    reply: FastifyReply,
    admit: InferenceAdmit,
    serve: (exchange: InferenceExchange) => Promise<void>,
  ): Promise<void> {
    const signal = clientAbortSignal(reply.raw);
    return admitAndServe(
      { limits: this.limits, catalog: this.catalog },
      { request, reply },
      admit,
      (admission) =>
        serve(
          new InferenceExchange(
            request,
            reply,
            signal,
            admission,
            this.router,
            this.catalog,
            this.heartbeatMs,
          ),
        ),
    );
  }
}

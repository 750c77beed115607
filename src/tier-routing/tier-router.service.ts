import { Inject, Injectable } from '@nestjs/common';
import { context, trace, type Context, type Span } from '@opentelemetry/api';
import { ErrorCode, ErrorMessages, GatewayException } from '../common/errors';
import type { ChatMessage, ReasoningEffort, ToolDefinition } from '../common/openai';
import type { TierConfig, TierName, TruncatePolicy } from '../config';
import { UpstreamPoolsService, type UpstreamPool } from '../providers';
import {
  GenAi,
  MetricsService,
  SpanNames,
  Tiergate,
  reasonStep,
  recordFailure,
  startChildSpan,
} from '../telemetry';
import {
  TIER_CLASSIFIER,
  type ClassificationInput,
  type TierClassifier,
} from './classifiers/tier-classifier.interface';
import { estimatePromptTokens, estimateTextTokens } from '../common/tokens';
import { truncateOldest } from './context-fit';
import { ModelCatalogService } from './model-catalog.service';
import { OTHER_TIER, placeRequest, tierService } from './tier-availability';
import { TIER_ROUTING_CONFIG, type TierRoutingSlice } from './tier-routing.config';

export interface RouteRequest {
  model?: string;
  messages: readonly ChatMessage[];
  tools?: readonly ToolDefinition[];
  reasoningEffort?: ReasoningEffort | null;
  /** The completion budget the caller asked for (`max_completion_tokens` or `max_tokens`). */
  maxTokens?: number | null;
  /** The request's trace context: the parent of the route span (default: the active one). */
  traceContext?: Context;
}

/** Where a request goes and why; the reason is the `x-gateway-route-reason` header. */
export interface RouteDecision {
  tier: TierName;
  reason: string;
  score?: number;
  /** The public model name the caller asked for (`auto`, an alias, …), default applied. */
  requested?: string;
  config: TierConfig;
  pool: UpstreamPool;
  /** Set when the alias's `truncate: oldest` policy dropped turns to fit the context window. */
  truncated?: { messages: ChatMessage[]; dropped: number };
}

/**
 * What the classifier sees of a routed request. The trace context of its own calls (the route
 * span's, for the `semantic` step's embeddings) is made when a step first reads it: most
 * decisions never do, and making it copies the request's context map (issue 17 (f)).
 */
class ClassifiedRequest implements ClassificationInput {
  readonly messages: readonly ChatMessage[];
  readonly tools?: readonly ToolDefinition[];
  readonly reasoningEffort?: ReasoningEffort | null;
  private context?: Context;

  constructor(
    request: RouteRequest,
    private readonly parent: Context,
    private readonly span: Span,
  ) {
    this.messages = request.messages;
    this.tools = request.tools;
    this.reasoningEffort = request.reasoningEffort;
  }

  get traceContext(): Context {
    return (this.context ??= trace.setSpan(this.parent, this.span));
  }
}

/** Resolves a request to a tier: explicit model first, then the classifier for `auto`. */
@Injectable()
export class TierRouterService {
  private readonly defaultTier: TierName;

  constructor(
    private readonly catalog: ModelCatalogService,
    private readonly pools: UpstreamPoolsService,
    @Inject(TIER_CLASSIFIER) private readonly classifier: TierClassifier,
    private readonly metrics: MetricsService,
    @Inject(TIER_ROUTING_CONFIG.token) config: TierRoutingSlice,
  ) {
    this.defaultTier = config.routing.defaultTier;
  }

  /**
   * The tier decision, traced as a `route {model}` span (tier, deciding step, score) whose
   * children are any calls the classifier makes.
   */
  async route(request: RouteRequest): Promise<RouteDecision> {
    const requested = request.model ?? this.catalog.defaultModel;
    // Only known names name spans: a caller's typo must not become a span name.
    const parent = request.traceContext ?? context.active();
    const span = startChildSpan(
      this.catalog.has(requested) ? SpanNames.route(requested) : SpanNames.route('unknown'),
      undefined,
      parent,
    );
    try {
      // The route span's context goes to the classifier explicitly (not made active): see
      // registerRequestTelemetry for why.
      const decision = await this.resolveRoute(request, parent, span);
      decision.requested = requested;
      if (span.isRecording()) {
        // The reason header is the step and the score: `classifier:learned` + 0.91.
        span.setAttribute(GenAi.RequestModel, requested);
        span.setAttribute(Tiergate.Tier, decision.tier);
        span.setAttribute(Tiergate.RouteStep, reasonStep(decision.reason));
        if (decision.score !== undefined) span.setAttribute(Tiergate.RouteScore, decision.score);
      }
      return decision;
    } catch (error) {
      recordFailure(span, error, false);
      throw error;
    } finally {
      span.end();
    }
  }

  private async resolveRoute(
    request: RouteRequest,
    parent: Context,
    span: Span,
  ): Promise<RouteDecision> {
    const target = this.catalog.resolve(request.model);
    const decision = this.withCapacity(
      this.fitContext(
        await this.choose(request, target, parent, span),
        request,
        target.alias?.truncate ?? 'none',
      ),
      target.kind === 'auto',
    );
    this.metrics.countDecision(decision.tier, decision.reason);
    return decision;
  }

  /**
   * Tier fallback and spill (ADR 0006): a tier whose pool has no healthy replica sends the
   * request to the other tier when its `fallback` allows and the other can serve
   * (`fallback:thinking->instant`); a saturated pool (every replica at its limit, the wait
   * queue full) sends `auto` traffic to the other tier when its `spill` allows
   * (`spill:instant->thinking`). A tier with nothing serving at all and nowhere to go is 503
   * `tier_unavailable`; one whose replicas are all ejected still gets its requests. The rule is
   * {@link placeRequest}, the one readiness uses too.
   */
  private withCapacity(decision: RouteDecision, auto: boolean): RouteDecision {
    const tier = decision.tier;
    const placement = placeRequest(tier, this.catalog.tiers, (name) => this.pools.get(name), auto);
    switch (placement) {
      case 'direct':
      case 'ejected':
        return decision;
      case 'fallback':
      case 'spill': {
        const other = OTHER_TIER[tier];
        const config = this.catalog.tiers[other] as TierConfig;
        return {
          tier: other,
          reason: `${placement}:${tier}->${other}`,
          config,
          pool: this.pools.get(config.pool),
        };
      }
      case 'none':
        throw new GatewayException(ErrorCode.TierUnavailable, ErrorMessages.tierUnavailable(tier), {
          headers: { 'retry-after': String(decision.pool.retryAfterSeconds) },
        });
    }
  }

  private async choose(
    request: RouteRequest,
    target: ReturnType<ModelCatalogService['resolve']>,
    parent: Context,
    span: Span,
  ): Promise<RouteDecision> {
    if (target.kind === 'tier') return this.decide(target.tier, target.reason);
    const answer = this.classifier.classify(new ClassifiedRequest(request, parent, span));
    // A synchronous verdict (every step but `semantic`) is not awaited: no microtask turn.
    const verdict = (answer instanceof Promise ? await answer : answer) ?? {
      tier: this.defaultTier,
      reason: 'default',
    };
    if (this.catalog.tiers[verdict.tier] === undefined) {
      // Only one tier is configured: `auto` can only go there, and says so.
      const other = OTHER_TIER[verdict.tier];
      return this.decide(other, `fallback:${verdict.tier}->${other}`);
    }
    return this.decide(verdict.tier, verdict.reason, verdict.score);
  }

  /**
   * Context fit: a request whose estimated prompt plus completion budget exceeds the chosen
   * tier's window goes to the other tier when it fits there; otherwise the alias's `truncate`
   * policy may drop the oldest turns; otherwise OpenAI's 400 `context_length_exceeded`. Nothing
   * is truncated silently. A tier's window is its configured `context_window`, else the one
   * its replicas report in `/v1/models`: a discovered window moves or truncates a request, but
   * leaves the refusal to the upstream's own 400 (its exact count, its words); a tier with
   * neither is not checked.
   */
  private fitContext(
    decision: RouteDecision,
    request: RouteRequest,
    truncate: TruncatePolicy,
  ): RouteDecision {
    const configured = decision.config.contextWindow;
    const window = configured ?? this.discoveredWindowOf(decision.config);
    if (window === undefined) return decision;
    const reserve = request.maxTokens ?? 0;
    const prompt = estimatePromptTokens(request.messages, request.tools);
    if (prompt + reserve <= window) return decision;
    const other = OTHER_TIER[decision.tier];
    const otherConfig = this.catalog.tiers[other];
    const otherWindow =
      otherConfig && (otherConfig.contextWindow ?? this.discoveredWindowOf(otherConfig));
    if (otherWindow !== undefined && prompt + reserve <= otherWindow) {
      return this.decide(other, `context:${decision.tier}->${other}`);
    }
    if (truncate === 'oldest') {
      const toolTokens = request.tools
        ? request.tools.reduce((n, t) => n + estimateTextTokens(JSON.stringify(t.function)), 0)
        : 0;
      const fitted = truncateOldest(request.messages, window - reserve - toolTokens);
      if (fitted) return { ...decision, truncated: fitted };
    }
    // A discovered window moves and truncates, but the refusal is the upstream's own (with its
    // exact count): the gateway's is an estimate, the operator's configured window a promise.
    if (configured === undefined) return decision;
    throw new GatewayException(
      ErrorCode.ContextLengthExceeded,
      ErrorMessages.contextLengthExceeded(window, prompt, reserve),
      { param: 'messages' },
    );
  }

  /** The window a tier's replicas report in `/v1/models` (model discovery). */
  private discoveredWindowOf(tier: TierConfig): number | undefined {
    return this.pools.get(tier.pool).contextWindow(tier.model);
  }

  /**
   * A decision for a given tier with a given reason (the tool loop's escalation,
   * `escalated:tools`); undefined when that tier is not configured.
   */
  routeTo(tier: TierName, reason: string): RouteDecision | undefined {
    if (!this.catalog.tiers[tier]) return undefined;
    const decision = this.decide(tier, reason);
    this.metrics.countDecision(decision.tier, decision.reason);
    return decision;
  }

  /**
   * Fallback at call time (ADR 0006 amendment): the routed tier's pool turned out to have no
   * replica left (its only replica refused the connection, say) before anything reached the
   * caller. The other tier's decision when the tier's `fallback` allows it, the other tier can
   * serve and `allowed` accepts it; otherwise undefined, and the caller gets the pool's 503.
   */
  fallbackAfter(
    route: RouteDecision,
    error: unknown,
    allowed: (tier: TierName) => boolean,
  ): RouteDecision | undefined {
    if (!(error instanceof GatewayException) || error.code !== ErrorCode.TierUnavailable) {
      return undefined;
    }
    const other = OTHER_TIER[route.tier];
    const service = tierService(route.tier, this.catalog.tiers, (name) => this.pools.get(name));
    if (service !== 'fallback' || !allowed(other)) return undefined;
    return this.routeTo(other, `fallback:${route.tier}->${other}`);
  }

  private decide(tier: TierName, reason: string, score?: number): RouteDecision {
    const config = this.catalog.tiers[tier];
    if (!config)
      throw new GatewayException(ErrorCode.TierUnavailable, ErrorMessages.tierUnavailable(tier));
    return { tier, reason, score, config, pool: this.pools.get(config.pool) };
  }
}

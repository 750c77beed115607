import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { replicaIdOf, UpstreamPoolsService, type AttemptRecord } from '../providers';
import {
  reasonStep,
  RequestRecordSinks,
  type RequestRecordSink,
  type RequestTelemetry,
} from '../telemetry';
import { AnalyticsAggregator } from './analytics-aggregator';
import type { GroupFigures } from './analytics-fields';
import { ANALYTICS_CONFIG, type AnalyticsSlice } from './analytics.config';
import { AnalyticsMessages } from './analytics.messages';
import { analyticsReport, type AnalyticsReport } from './analytics-report';
import type { AnalyticsStore, GroupDimension } from './analytics-store.interface';
import type { AnalyticsWindow } from './analytics-windows';
import {
  ANALYTICS_OPTIONS,
  ANALYTICS_STORE,
  KEY_BUDGETS,
  PROVIDER_PRICING,
  type AnalyticsOptions,
  type BudgetStatus,
  type KeyBudgets,
  type ProviderPricing,
} from './analytics.constants';

/** Deltas kept for a retry while the store is unreachable; older ones are dropped (logged). */
const MAX_UNFLUSHED_DELTAS = 20_000;

/**
 * Analytics of requests and upstream attempts (issue 15, C5). Each ended request's telemetry
 * record (a sink beside the log line) and each ended attempt add a few counters in memory
 * ({@link AnalyticsAggregator}); every `flushIntervalMs` they go to the store in one batch, so
 * the hot path never waits on I/O. Reads flush this process's figures first.
 */
@Injectable()
export class AnalyticsService implements RequestRecordSink, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Analytics');
  private readonly aggregator: AnalyticsAggregator;
  private readonly poolOfTier = new Map<string, string>();
  private readonly embeddingsPool: string | undefined;
  /** Replica label → `<pool>/<id>`, computed once per replica. */
  private readonly replicaKeys = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private unflushed: ReturnType<AnalyticsAggregator['drain']> = [];
  private flushing: Promise<void> | undefined;
  private failing = false;

  constructor(
    @Inject(ANALYTICS_OPTIONS) private readonly options: AnalyticsOptions,
    @Inject(ANALYTICS_STORE) private readonly store: AnalyticsStore,
    private readonly pools: UpstreamPoolsService,
    private readonly sinks: RequestRecordSinks,
    @Inject(ANALYTICS_CONFIG.token) config: AnalyticsSlice,
    @Optional() @Inject(PROVIDER_PRICING) private readonly pricing?: ProviderPricing,
    @Optional() @Inject(KEY_BUDGETS) private readonly budgets?: KeyBudgets,
  ) {
    this.aggregator = new AnalyticsAggregator(() => this.now());
    for (const [name, tier] of Object.entries(config.tiers)) {
      if (tier) this.poolOfTier.set(name, tier.pool);
    }
    this.embeddingsPool = config.embeddings?.pool;
  }

  /** The clock (a seam for specs). */
  protected now(): number {
    return Date.now();
  }

  get scope(): 'process' | 'cluster' {
    return this.store.scope;
  }

  get currency(): string {
    return this.pricing?.currency ?? this.options.currency;
  }

  onModuleInit(): void {
    if (!this.options.enabled) return;
    this.sinks.add(this);
    this.pools.observeAttempts((attempt) => this.recordAttempt(attempt));
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    await this.store.close();
  }

  /** A request ended (the sink beside its log line): inference requests only. */
  write(record: RequestTelemetry): void {
    const operation = record.operation;
    if (operation === undefined) return;
    const embeddings = operation === 'embeddings';
    const tier = embeddings ? 'embeddings' : record.tier || 'none';
    const status = record.status ?? 0;
    // An error answer counts by the code its caller saw; a failure after the first byte (status
    // 200) by the in-band error's.
    const errorCode =
      record.aborted || status < 400
        ? record.errorType
        : (record.answeredWith ??
          record.accounting?.errorCode ??
          record.errorType ??
          `http_${status}`);
    this.aggregator.recordRequest({
      key: record.keyName ?? 'none',
      tier,
      model: record.upstreamModel ?? (record.model || 'none'),
      pool: (embeddings ? this.embeddingsPool : this.poolOfTier.get(record.tier)) ?? 'none',
      errorCode,
      input: record.inputTokens,
      cachedInput: record.cachedInputTokens,
      output: record.outputTokens,
      reasoning: record.reasoningTokens,
      cost: record.cost ?? 0,
      latencyMs: record.durationMs ?? 0,
      ttftMs: record.firstTokenS === undefined ? undefined : record.firstTokenS * 1000,
      fallback: record.fallbacks > 0,
      spill: record.spills > 0,
      auto:
        record.model === 'auto' && record.tier !== ''
          ? { tier: record.tier, step: reasonStep(record.reason ?? 'default') }
          : undefined,
    });
  }

  private recordAttempt(attempt: AttemptRecord): void {
    const usage = attempt.usage as
      | {
          prompt_tokens?: unknown;
          completion_tokens?: unknown;
          prompt_tokens_details?: { cached_tokens?: unknown } | null;
          completion_tokens_details?: { reasoning_tokens?: unknown } | null;
        }
      | null
      | undefined;
    let key = this.replicaKeys.get(attempt.upstream);
    if (key === undefined) {
      key = `${attempt.pool}/${replicaIdOf(attempt.upstream)}`;
      this.replicaKeys.set(attempt.upstream, key);
    }
    const input = count(usage?.prompt_tokens);
    const cachedInput = count(usage?.prompt_tokens_details?.cached_tokens);
    const output = count(usage?.completion_tokens);
    const reasoning = count(usage?.completion_tokens_details?.reasoning_tokens);
    const price = this.pricing?.priceOf(attempt.pool, attempt.model);
    this.aggregator.recordAttempt({
      replica: key,
      errorCode: attempt.errorType,
      input,
      cachedInput,
      output,
      reasoning,
      // The request's cost is spend's (C4); an attempt's is its usage at the same prices.
      cost:
        price === undefined
          ? 0
          : (Math.max(0, input - cachedInput) * price.input +
              cachedInput * price.cachedInput +
              Math.max(0, output - reasoning) * price.output +
              reasoning * price.reasoning) /
            1e6,
      latencyMs: attempt.durationMs,
      ttftMs: attempt.firstChunkMs,
    });
  }

  /**
   * Sends what is pending to the store (one batch); while the store fails, the deltas wait
   * for the next flush, up to a bound.
   */
  flush(): Promise<void> {
    // One flush at a time: a read during a flush waits for it, then flushes what came since.
    const run = async (): Promise<void> => {
      const deltas = [...this.unflushed, ...this.aggregator.drain()];
      this.unflushed = [];
      if (deltas.length === 0) return;
      try {
        await this.store.apply(deltas);
        if (this.failing) this.logger.log(AnalyticsMessages.storeRecovered());
        this.failing = false;
      } catch (error) {
        if (!this.failing)
          this.logger.warn(AnalyticsMessages.storeFailed((error as Error).message));
        this.failing = true;
        const dropped = Math.max(0, deltas.length - MAX_UNFLUSHED_DELTAS);
        if (dropped > 0) this.logger.warn(AnalyticsMessages.dropped(dropped));
        this.unflushed = deltas.slice(dropped);
      }
    };
    const next = (this.flushing ?? Promise.resolve()).then(run);
    this.flushing = next;
    return next;
  }

  /** `GET /v1/analytics`: this process's pending figures flushed first. */
  async report(window: AnalyticsWindow, by: GroupDimension): Promise<AnalyticsReport> {
    await this.flush();
    const report = await analyticsReport(this.store, window, by, this.now(), this.currency);
    if (by === 'key') {
      await Promise.all(
        report.groups.map(async (group) => {
          group.budget = budgetJson(await this.budgets?.statusOf(group.key));
        }),
      );
    }
    return report;
  }

  /** The last 5 minutes of each replica (`<pool>/<id>`), for `GET /v1/providers`. */
  async replicaPerformance(): Promise<Map<string, GroupFigures>> {
    const report = await this.report('5m', 'replica');
    return new Map(report.groups.map((group) => [group.key, group]));
  }
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

/** C4's `BudgetStatus` in the API's snake_case; null when no budget applies (or none is bound). */
function budgetJson(status: BudgetStatus | undefined): Record<string, unknown> | null {
  if (status === undefined) return null;
  return {
    period: status.period,
    period_start: status.periodStart,
    resets_at: status.resetsAt,
    amount: status.amount,
    spent: status.spent,
    remaining: status.remaining,
    mode: status.mode,
  };
}

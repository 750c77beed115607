import { Logger } from '@nestjs/common';
import { ErrorCode, GatewayException } from '../common/errors';
import type { RedisFailureMode } from '../config';
import { periodLabel, periodWindow, resetsAt, type PeriodWindow } from './budget-period';
import { formatAmount, fromNanos, toNanos } from './money';
import type { BudgetConfig, BudgetsOptions } from './spend.options';
import { SpendMessages } from './spend.messages';
import type { SpendScope, SpendStep, SpendStore } from './spend-store.interface';

/** A key's budget in its current period (C4), amounts in the configured currency. */
export interface BudgetStatus {
  period: string;
  periodStart: string;
  resetsAt: string;
  amount: number;
  spent: number;
  remaining: number;
  mode: 'soft' | 'hard';
}

/** `GET /v1/usage`'s `spend` object (C4). */
export interface SpendReport {
  currency: string;
  period: string;
  period_start: string;
  resets_at: string;
  spent: number;
  budget: number | null;
  remaining: number | null;
  mode: 'soft' | 'hard' | null;
}

/** An amount charged at admission, to be corrected to the request's real cost. */
export interface BudgetReservation {
  readonly scope: SpendScope;
  readonly nanos: number;
  readonly budget: BudgetConfig;
}

/** What admission answers: the reservation (absent when nothing was reserved) and the headers to set. */
export interface BudgetAdmission {
  reservation?: BudgetReservation;
  headers: Record<string, string>;
}

/** Headers of a budget's answer. */
export const BUDGET_WARNING_HEADER = 'x-gateway-budget-warning';
export const BUDGET_RESET_HEADER = 'x-gateway-budget-reset';

/**
 * Budgets per key (or the default) over a UTC period or a rolling window, kept in a
 * {@link SpendStore}. A request reserves its worst-case cost at admission, in one atomic
 * check-and-add, so requests on every replica never share the same remainder; when it ends, the
 * reservation is corrected to what it really cost (ADR 0014). A `hard` budget refuses a request
 * whose reservation does not fit (429 `insufficient_quota`); `soft` and `hard` alike warn at
 * their thresholds (a response header, and a log line when spend crosses one).
 */
export class BudgetService {
  private readonly logger = new Logger('Spend');

  constructor(
    private readonly options: BudgetsOptions,
    readonly currency: string,
    private readonly store: SpendStore,
    private readonly onError: RedisFailureMode,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether spend is shared by every replica (Redis) or this process's own. */
  get shared(): boolean {
    return this.store.kind === 'redis';
  }

  budgetOf(keyName: string): BudgetConfig {
    return this.options.keys[keyName] ?? this.options.default;
  }

  /**
   * Reserves `nanos` for a request of `keyName`; nothing to reserve (no amount, or a request that
   * cannot cost anything) asks nothing of the store.
   *
   * @throws GatewayException 429 `insufficient_quota` when a hard budget cannot hold it; 503
   *   `overloaded` when the store is unreachable and `limits.redis.on_error` is `closed`.
   */
  async reserve(keyName: string, nanos: number): Promise<BudgetAdmission> {
    const budget = this.budgetOf(keyName);
    if (budget.amount === undefined || nanos <= 0) return { headers: {} };
    const window = periodWindow(budget, this.now());
    const scope = scopeOf(keyName, window);
    const amount = toNanos(budget.amount);
    const step = await this.guard(() =>
      this.store.charge({
        ...scope,
        amount: nanos,
        ...(budget.mode === 'hard' ? { limit: amount } : {}),
      }),
    );
    if (step === undefined) return { headers: {} };
    if (!step.admitted) throw this.refusal(budget, window, step, nanos);
    this.logCrossings(keyName, budget, step);
    const reservation = { scope, nanos, budget };
    const warning = this.warning(budget, window, step);
    return { reservation, headers: warning ? { [BUDGET_WARNING_HEADER]: warning } : {} };
  }

  /**
   * Corrects `reservation` to `costNanos`, or, without one, adds the cost to the key's spend of
   * the current period. Never throws (a store failure is logged by the store).
   */
  async settle(
    keyName: string,
    reservation: BudgetReservation | undefined,
    costNanos: number,
  ): Promise<void> {
    try {
      if (reservation) {
        const delta = costNanos - reservation.nanos;
        if (delta === 0) return;
        const budget = reservation.budget;
        const window = periodWindow(budget, this.now());
        const step = await this.store.adjust({ ...reservation.scope, first: window.first, delta });
        this.logCrossings(keyName, budget, step);
        return;
      }
      if (costNanos <= 0) return;
      const budget = this.budgetOf(keyName);
      const step = await this.store.charge({
        ...scopeOf(keyName, periodWindow(budget, this.now())),
        amount: costNanos,
      });
      this.logCrossings(keyName, budget, step);
    } catch {
      // The store said why (once per outage); the spend of this request is lost.
    }
  }

  /** The key's budget now (C4), or undefined when it has none. */
  async statusOf(keyName: string): Promise<BudgetStatus | undefined> {
    const report = await this.reportOf(keyName);
    if (report.budget === null || report.mode === null || report.remaining === null)
      return undefined;
    return {
      period: report.period,
      periodStart: report.period_start,
      resetsAt: report.resets_at,
      amount: report.budget,
      spent: report.spent,
      remaining: report.remaining,
      mode: report.mode,
    };
  }

  /**
   * The key's spend in its current period, with its budget (`GET /v1/usage`).
   *
   * @throws GatewayException 503 `overloaded` when the store cannot be read.
   */
  async reportOf(keyName: string): Promise<SpendReport> {
    const budget = this.budgetOf(keyName);
    const window = periodWindow(budget, this.now());
    let total;
    try {
      total = await this.store.peek({ key: keyName, period: window.name, first: window.first });
    } catch {
      throw new GatewayException(ErrorCode.Overloaded, SpendMessages.spendUnavailable(), {
        headers: { 'retry-after': '1' },
      });
    }
    const amount = budget.amount;
    return {
      currency: this.currency,
      period: periodLabel(budget),
      period_start: new Date(window.start).toISOString(),
      resets_at: new Date(resetsAt(window, total.oldest)).toISOString(),
      spent: fromNanos(total.spent),
      budget: amount ?? null,
      remaining:
        amount === undefined ? null : Math.max(0, fromNanos(toNanos(amount) - total.spent)),
      mode: amount === undefined ? null : budget.mode,
    };
  }

  /** Runs a store step; an unreachable store either lets the request through or refuses it. */
  private async guard(step: () => Promise<SpendStep>): Promise<SpendStep | undefined> {
    try {
      return await step();
    } catch {
      if (this.onError === 'open') return undefined;
      throw new GatewayException(ErrorCode.Overloaded, SpendMessages.spendUnavailable(), {
        headers: { 'retry-after': '1' },
      });
    }
  }

  private refusal(
    budget: BudgetConfig,
    window: PeriodWindow,
    step: SpendStep,
    nanos: number,
  ): GatewayException {
    const reset = resetsAt(window, step.oldest);
    const resetIso = new Date(reset).toISOString();
    return new GatewayException(
      ErrorCode.InsufficientQuota,
      SpendMessages.budgetExhausted(
        String(budget.amount),
        this.currency,
        periodLabel(budget),
        formatAmount(step.before),
        formatAmount(nanos),
        resetIso,
      ),
      {
        headers: {
          'retry-after': String(Math.max(1, Math.ceil((reset - this.now()) / 1000))),
          [BUDGET_RESET_HEADER]: resetIso,
          // The official clients retry a 429 unless told not to: waiting cannot help before the reset.
          'x-should-retry': 'false',
        },
      },
    );
  }

  /** The warning header when spend (this reservation included) reached a threshold. */
  private warning(budget: BudgetConfig, window: PeriodWindow, step: SpendStep): string | undefined {
    const amount = toNanos(budget.amount ?? 0);
    let reached: number | undefined;
    for (const threshold of budget.warnAt)
      if (step.after >= threshold * amount) reached = threshold;
    if (reached === undefined) return undefined;
    return SpendMessages.budgetWarningHeader(
      reached,
      formatAmount(step.after),
      String(budget.amount),
      this.currency,
      new Date(resetsAt(window, step.oldest)).toISOString(),
    );
  }

  /** One log line for each threshold the step moved spend across, upwards. */
  private logCrossings(keyName: string, budget: BudgetConfig, step: SpendStep): void {
    if (budget.amount === undefined || step.after <= step.before) return;
    const amount = toNanos(budget.amount);
    for (const threshold of budget.warnAt) {
      const mark = threshold * amount;
      if (step.before < mark && step.after >= mark) {
        this.logger.warn(
          SpendMessages.budgetThreshold(
            keyName,
            threshold,
            formatAmount(step.after),
            String(budget.amount),
            this.currency,
            periodLabel(budget),
          ),
        );
      }
    }
  }
}

function scopeOf(keyName: string, window: PeriodWindow): SpendScope {
  return {
    key: keyName,
    period: window.name,
    bucket: window.bucket,
    first: window.first,
    // Kept a period (or a window) past its end, so a late settlement still finds it.
    ttlMs: window.bucket - window.first + 2 * window.bucketMs,
  };
}

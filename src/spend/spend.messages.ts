import type { RedisFailureMode } from '../config';

/** Texts of the spend module: log lines and the budget refusal. Names and amounts, never secrets. */
export const SpendMessages = {
  redisFailing: (reason: string, mode: RedisFailureMode) =>
    `Redis (spend) unreachable: ${reason}; ` +
    (mode === 'open'
      ? 'admitting requests without budgets until it is back (limits.redis.on_error: open)'
      : 'refusing budgeted requests with 503 until it is back (limits.redis.on_error: closed)'),
  redisRecovered: () => 'Redis (spend) reachable again; budgets are enforced',
  budgetExhausted: (
    amount: string,
    currency: string,
    period: string,
    spent: string,
    needed: string,
    resetsAt: string,
  ) =>
    `You exceeded your current quota: this API key's budget of ${amount} ${currency} per ${period} ` +
    `has ${spent} ${currency} spent or reserved, and this request may cost up to ${needed} ${currency}. ` +
    `The budget resets at ${resetsAt}.`,
  budgetThreshold: (
    key: string,
    threshold: number,
    spent: string,
    amount: string,
    currency: string,
    period: string,
  ) =>
    `API key '${key}' has spent ${spent} of its ${amount} ${currency} budget per ${period} ` +
    `(warning threshold ${Math.round(threshold * 100)} %)`,
  budgetWarningHeader: (
    threshold: number,
    spent: string,
    amount: string,
    currency: string,
    resetsAt: string,
  ) =>
    `threshold=${threshold}; spent=${spent}; budget=${amount}; currency=${currency}; resets_at=${resetsAt}`,
  spendUnavailable: () =>
    'The gateway cannot check budgets right now (shared state unreachable); retry shortly.',
} as const;

import { Injectable } from '@nestjs/common';
import { FastCounter, MetricsService } from '../telemetry';

import type { LimitName } from './limits.constants';

/** One finished request, as the counters and the usage log line see it. */
export interface UsageRecord {
  key: string;
  tier: string;
  model: string;
  outcome: 'ok' | 'error' | 'aborted';
  /** The gateway's error code when `outcome` is `error`. */
  errorCode?: string;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  toolRounds: number;
}

const LABELS = ['key', 'tier', 'model'] as const;

/**
 * Per-key accounting as Prometheus counters, on the application's registry. Labels are the
 * key's *name* (never its secret), the tier and the tier's own model id: all bounded by the
 * configuration.
 */
@Injectable()
export class UsageMetrics {
  private readonly requests: FastCounter<(typeof LABELS)[number] | 'outcome'>;
  private readonly promptTokens: FastCounter<(typeof LABELS)[number]>;
  private readonly completionTokens: FastCounter<(typeof LABELS)[number]>;
  private readonly reasoningTokens: FastCounter<(typeof LABELS)[number]>;
  private readonly toolRounds: FastCounter<(typeof LABELS)[number]>;
  private readonly errors: FastCounter<(typeof LABELS)[number] | 'code'>;

  constructor(private readonly metrics: MetricsService) {
    const registers = [metrics.registry];
    this.requests = new FastCounter({
      name: 'tiergate_key_requests_total',
      help: 'Admitted requests per API key name, tier and model, by outcome (ok, error, aborted).',
      labelNames: [...LABELS, 'outcome'],
      registers,
    });
    this.promptTokens = new FastCounter({
      name: 'tiergate_key_prompt_tokens_total',
      help: 'Prompt tokens the upstreams reported, per API key name, tier and model.',
      labelNames: LABELS,
      registers,
    });
    this.completionTokens = new FastCounter({
      name: 'tiergate_key_completion_tokens_total',
      help: 'Completion tokens (reasoning included) the upstreams reported, per API key name, tier and model.',
      labelNames: LABELS,
      registers,
    });
    this.reasoningTokens = new FastCounter({
      name: 'tiergate_key_reasoning_tokens_total',
      help: 'Reasoning tokens the upstreams reported, per API key name, tier and model.',
      labelNames: LABELS,
      registers,
    });
    this.toolRounds = new FastCounter({
      name: 'tiergate_key_tool_rounds_total',
      help: 'Rounds of server-side tool execution, per API key name, tier and model.',
      labelNames: LABELS,
      registers,
    });
    this.errors = new FastCounter({
      name: 'tiergate_key_errors_total',
      help: 'Admitted requests that ended in an error, per API key name, tier, model and error code.',
      labelNames: [...LABELS, 'code'],
      registers,
    });
  }

  record(entry: UsageRecord): void {
    const { key, tier, model } = entry;
    const labels = { key, tier, model };
    this.requests.inc({ key, tier, model, outcome: entry.outcome });
    if (entry.promptTokens > 0) this.promptTokens.inc(labels, entry.promptTokens);
    if (entry.completionTokens > 0) this.completionTokens.inc(labels, entry.completionTokens);
    if (entry.reasoningTokens > 0) this.reasoningTokens.inc(labels, entry.reasoningTokens);
    if (entry.toolRounds > 0) this.toolRounds.inc(labels, entry.toolRounds);
    if (entry.outcome === 'error')
      this.errors.inc({ key, tier, model, code: entry.errorCode ?? 'unknown' });
  }

  /** `tiergate_rate_limited_total{key, kind}` (the telemetry module's counter). */
  rateLimited(key: string, limit: LimitName): void {
    this.metrics.countRateLimited(key, limit);
  }
}

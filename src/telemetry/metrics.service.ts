import { Injectable } from '@nestjs/common';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { FastCounter, FastGauge, FastHistogram } from './fast-metrics';
import { Buckets, MetricNames } from './telemetry.constants';

/** Why a caller was refused by its key's limits. */
export type RateLimitKind = 'rpm' | 'tpm' | 'concurrency' | (string & {});

/**
 * The gateway's Prometheus registry, one per application (not prom-client's global one, so
 * several apps in one process, as in the e2e tests, do not collide). Feature modules register
 * their own instruments here; the request, token, tool and rate-limit instruments live here so
 * every module records into the same series.
 *
 * The instruments updated on every request are {@link FastCounter}s and friends: prom-client's
 * text format through the same registry, without prom-client's per-update label hashing.
 *
 * Label values are bounded by configuration: tiers, public model names and upstream model ids
 * from the catalog, pool and replica names, registered tool names, key names. Nothing a caller
 * types freely becomes a label.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  /** Routing decisions by tier and deciding step (the reason without its score). */
  readonly routeDecisions = new FastCounter({
    name: MetricNames.RouteDecisions,
    help: 'Routing decisions by tier and by the step that decided (model, alias, hint, classifier, default, fallback, context).',
    labelNames: ['tier', 'reason'] as const,
    registers: [this.registry],
  });

  /** Inference requests by operation, API, tier, public model and HTTP status (499: the caller left). */
  readonly requests = new FastCounter({
    name: MetricNames.Requests,
    help: 'Inference requests (chat, text_completion, embeddings) by API (chat, completions, embeddings, responses, messages), tier, requested model and status; 499 when the caller went away first.',
    labelNames: ['operation', 'api', 'tier', 'model', 'status'] as const,
    registers: [this.registry],
  });

  /** Inference requests being answered now, streams included. */
  readonly requestsInFlight = new FastGauge({
    name: MetricNames.RequestsInFlight,
    help: 'Inference requests being answered now (open streams included), by operation and API.',
    labelNames: ['operation', 'api'] as const,
    registers: [this.registry],
  });

  /** Whole requests as the caller sees them: to the last byte of the answer or stream. */
  readonly serverDuration = new FastHistogram({
    name: MetricNames.ServerRequestDuration,
    help: 'GenAI server request duration (gen_ai.server.request.duration): arrival to the last byte of the answer or stream, in seconds.',
    labelNames: [
      'gen_ai_operation_name',
      'api',
      'gen_ai_request_model',
      'tier',
      'error_type',
    ] as const,
    buckets: [...Buckets.durationS],
    registers: [this.registry],
  });

  /** Streams: arrival to the first content delta sent to the caller. */
  readonly timeToFirstToken = new FastHistogram({
    name: MetricNames.ServerTimeToFirstToken,
    help: 'GenAI time to first token (gen_ai.server.time_to_first_token) of streamed answers: arrival to the first content delta, in seconds.',
    labelNames: ['gen_ai_operation_name', 'gen_ai_request_model', 'tier'] as const,
    buckets: [...Buckets.timeToFirstTokenS],
    registers: [this.registry],
  });

  /** Tokens per upstream call, by direction (input, output). */
  readonly tokenUsage = new FastHistogram({
    name: MetricNames.ClientTokenUsage,
    help: 'GenAI token usage (gen_ai.client.token.usage) per upstream call, by gen_ai_token_type (input, output) and tier.',
    labelNames: [
      'gen_ai_operation_name',
      'gen_ai_request_model',
      'gen_ai_token_type',
      'tier',
    ] as const,
    buckets: [...Buckets.tokens],
    registers: [this.registry],
  });

  /** Each upstream attempt, retries included, to its last byte. */
  readonly clientDuration = new FastHistogram({
    name: MetricNames.ClientOperationDuration,
    help: 'GenAI client operation duration (gen_ai.client.operation.duration) per upstream attempt, retries included, in seconds.',
    labelNames: [
      'gen_ai_operation_name',
      'gen_ai_request_model',
      'pool',
      'upstream',
      'error_type',
    ] as const,
    buckets: [...Buckets.durationS],
    registers: [this.registry],
  });

  /** Streamed upstream attempts: the request sent to the first content delta received. */
  readonly clientTimeToFirstChunk = new FastHistogram({
    name: MetricNames.ClientTimeToFirstChunk,
    help: 'GenAI client time to first chunk (gen_ai.client.operation.time_to_first_chunk) per streamed upstream attempt: to the first content delta, in seconds.',
    labelNames: ['gen_ai_operation_name', 'gen_ai_request_model', 'pool', 'upstream'] as const,
    buckets: [...Buckets.timeToFirstTokenS],
    registers: [this.registry],
  });

  readonly toolCalls = new FastCounter({
    name: MetricNames.ToolCalls,
    help: 'Server-side tool calls by tool and outcome (ok, invalid_arguments, unknown_tool, failed, timed_out, aborted, over_limit).',
    labelNames: ['tool', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly toolDuration = new FastHistogram({
    name: MetricNames.ToolCallDuration,
    help: 'Duration of server-side tool calls that ran, in seconds.',
    labelNames: ['tool'] as const,
    buckets: [...Buckets.toolDurationS],
    registers: [this.registry],
  });

  /**
   * Requests refused by a key's limits (429). The limits module counts here:
   * `metrics.countRateLimited(keyName, 'rpm')`.
   */
  readonly rateLimited = new FastCounter({
    name: MetricNames.RateLimited,
    help: 'Requests refused with 429 by a per-key limit, by key name and limit (rpm, tpm, concurrency).',
    labelNames: ['key', 'kind'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'tiergate_' });
  }

  /** Counts a decision; the score is dropped from the reason to keep label cardinality bounded. */
  countDecision(tier: string, reason: string): void {
    this.routeDecisions.inc({ tier, reason: reasonStep(reason) });
  }

  /** A request refused with 429 by `key`'s `kind` limit. */
  countRateLimited(key: string, kind: RateLimitKind): void {
    this.rateLimited.inc({ key, kind });
  }

  contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}

/** `classifier:learned:0.91` → `classifier:learned`; other reasons are already bounded. */
export function reasonStep(reason: string): string {
  const last = reason.lastIndexOf(':');
  if (last === -1) return reason;
  const tail = reason.slice(last + 1);
  return tail !== '' && !Number.isNaN(Number(tail)) ? reason.slice(0, last) : reason;
}

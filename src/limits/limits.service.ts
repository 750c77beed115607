import { Inject, Injectable, Optional } from '@nestjs/common';
import { ApiKeyService, type CallerIdentity } from '../auth';
import { asGatewayException, ErrorCode, ErrorMessages, GatewayException } from '../common/errors';
import { isClientClosed } from '../common/http';
import type { RequestAccounting } from '../common/usage';
import type { LimitsConfig, RateLimitsConfig } from '../config';
import { SpendService, type SpendTicket } from '../spend';
import { Admission, type AdmissionGrant, type Endpoint, type ResponseEnd } from './admission';
import type { AdmitResult, LimitStore, StoreLimits, WindowCounts } from './limit-store.interface';
import { LIMITS_CONFIG, type LimitsSlice } from './limits.config';
import { CONCURRENCY_RETRY_AFTER_MS, LIMIT_STORE, WINDOW_MS } from './limits.constants';
import { formatDuration, rateLimitHeaders, retryAfterSeconds } from './rate-limit-headers';
import { msUntilFits, msUntilReset, remainingOf, usedOf } from './sliding-window';
import { UsageMetrics } from './usage-metrics';

export interface AdmitOptions {
  endpoint: Endpoint;
  /** The public model name asked for (after the default applied), for the usage log. */
  requestedModel?: string;
  /** Estimated prompt tokens. */
  promptTokens: number;
  /** `max_completion_tokens` / `max_tokens`; unset means `limits.reserve_completion_tokens`. */
  maxTokens?: number | null;
  /** `n`: each choice may use the whole completion budget. */
  choices?: number | null;
  stream: boolean;
}

/** `GET /v1/usage`: one limited dimension of the caller's current window. */
export interface UsageDimension {
  limit: number | null;
  used: number;
  remaining: number | null;
  reset_seconds: number;
}

export interface UsageReport {
  object: 'usage';
  key: string;
  window_seconds: number;
  /** Whether every replica shares this window (Redis) or it is this process's own. */
  shared: boolean;
  requests: UsageDimension;
  tokens: UsageDimension;
  concurrent_requests: { limit: number | null; in_flight: number };
}

/**
 * Per-key rate limits and usage accounting (the limits issue). The chat, completions and
 * embeddings fronts make one call at "admit", before routing: requests, reserved tokens and a
 * concurrency slot are checked and taken in one atomic step. The answer is a value, an
 * {@link AdmissionGrant}: the OpenAI rate-limit headers for the front to set on its reply (so a
 * stream carries them from its first byte) and a `settle` handle the front calls once, when the
 * response closes, whatever ended it: the token reservation becomes the reported usage, the
 * slot is freed, the counters move and the accounting for the request's log line is returned
 * (no prompt content, never the secret). Nothing here knows the HTTP framework.
 */
@Injectable()
export class LimitsService {
  private readonly settings: LimitsConfig;

  constructor(
    @Inject(LIMIT_STORE) private readonly store: LimitStore,
    private readonly keys: ApiKeyService,
    private readonly metrics: UsageMetrics,
    @Inject(LIMITS_CONFIG.token) config: LimitsSlice,
    /** Budgets: checked first, so a refused budget counts nothing against the rate limits. */
    @Optional() private readonly spend?: SpendService,
  ) {
    this.settings = config.limits;
  }

  /** The caller of a request: its key, or the shared anonymous identity when auth is off. */
  callerOf(caller: CallerIdentity | undefined): CallerIdentity {
    return caller ?? this.keys.anonymous;
  }

  /**
   * Checks and reserves for `caller`; answers the rate-limit headers to set and the handle
   * that settles the request.
   *
   * @throws GatewayException 429 `rate_limit_exceeded` (with `retry-after` and the headers) when
   *   a limit refuses the request; 429 `insufficient_quota` when the key's hard budget cannot
   *   hold it; 503 `overloaded` when a store is unreachable and `limits.redis.on_error` is
   *   `closed`.
   */
  async admit(caller: CallerIdentity, options: AdmitOptions): Promise<AdmissionGrant> {
    const spend = await this.spend?.admit(caller.keyName, {
      endpoint: options.endpoint,
      requestedModel: options.requestedModel,
      promptTokens: Math.ceil(options.promptTokens),
      completionTokens: options.maxTokens ?? this.settings.reserveCompletionTokens,
      choices: options.choices ?? 1,
    });
    try {
      return await this.admitLimits(caller, options, spend);
    } catch (error) {
      // Refused by a rate limit: the budget reservation is given back.
      spend?.settle({
        outcome: 'error',
        usageReported: false,
        promptTokens: 0,
        streamedTokens: 0,
        tier: '',
        model: '',
      });
      throw error;
    }
  }

  private async admitLimits(
    caller: CallerIdentity,
    options: AdmitOptions,
    spend: SpendTicket | undefined,
  ): Promise<AdmissionGrant> {
    const limits = caller.policy.limits;
    const tokens = this.reservation(options, limits);
    const leaseId = this.store.newLeaseId();
    let result: AdmitResult | undefined;
    try {
      result = await this.store.admit({
        key: caller.keyName,
        limits: storeLimits(limits),
        tokens,
        leaseId,
      });
    } catch {
      // The store has said why (once per outage); what remains is the configured answer.
      if (this.settings.redis.onError === 'closed') {
        throw new GatewayException(ErrorCode.Overloaded, ErrorMessages.limitsUnavailable(), {
          headers: { 'retry-after': '1' },
        });
      }
    }
    if (result && !result.admitted) throw this.refusal(caller, tokens, result);
    const admission = new Admission(
      caller,
      options.endpoint,
      options.requestedModel,
      options.stream,
      result && { window: result.state.window, leaseId, tokens },
      Math.ceil(options.promptTokens),
    );
    const headers = result ? rateLimitHeaders(limits, result.state) : {};
    return {
      decision: result ? 'admitted' : 'unmetered',
      admission,
      headers: spend ? { ...headers, ...spend.headers } : headers,
      ...(spend ? { spend } : {}),
      settle: (response) => this.settle(admission, response, spend),
    };
  }

  /** The caller's current window and limits (`GET /v1/usage`). */
  async report(caller: CallerIdentity): Promise<UsageReport> {
    let state;
    try {
      state = await this.store.peek(caller.keyName);
    } catch {
      throw new GatewayException(ErrorCode.Overloaded, ErrorMessages.limitsUnavailable(), {
        headers: { 'retry-after': '1' },
      });
    }
    const limits = caller.policy.limits;
    const dimension = (limit: number | undefined, counts: WindowCounts): UsageDimension => ({
      limit: limit ?? null,
      used: usedOf(counts, state.elapsedMs),
      remaining: limit === undefined ? null : remainingOf(limit, counts, state.elapsedMs),
      reset_seconds: msUntilReset(counts, state.elapsedMs) / 1000,
    });
    return {
      object: 'usage',
      key: caller.keyName,
      window_seconds: WINDOW_MS / 1000,
      shared: this.store.kind === 'redis',
      requests: dimension(limits.rpm, state.requests),
      tokens: dimension(limits.tpm, state.tokens),
      concurrent_requests: { limit: limits.concurrency ?? null, in_flight: state.inFlight },
    };
  }

  /**
   * Prompt estimate plus the completion budget of every choice, capped at the key's `tpm`: a
   * request larger than the whole budget is still admitted into an idle window (and charged
   * its real usage), rather than refused forever.
   */
  private reservation(options: AdmitOptions, limits: Readonly<RateLimitsConfig>): number {
    const completion = options.maxTokens ?? this.settings.reserveCompletionTokens;
    const choices = Math.max(1, options.choices ?? 1);
    // `max_tokens: 1e308` is a valid integer; counters must stay exact integers.
    const tokens = Math.min(
      MAX_RESERVATION,
      Math.ceil(options.promptTokens + completion * choices),
    );
    return limits.tpm === undefined ? tokens : Math.min(tokens, limits.tpm);
  }

  private refusal(caller: CallerIdentity, tokens: number, result: AdmitResult): GatewayException {
    const limits = caller.policy.limits;
    const { state } = result;
    const refusedBy = result.refusedBy ?? 'rpm';
    let waitMs: number;
    let message: string;
    if (refusedBy === 'concurrency') {
      waitMs = CONCURRENCY_RETRY_AFTER_MS;
      message = ErrorMessages.rateLimited(
        'concurrent requests',
        limits.concurrency ?? 0,
        state.inFlight,
        1,
        formatDuration(waitMs),
      );
    } else {
      const tokensRefused = refusedBy === 'tpm';
      const limit = (tokensRefused ? limits.tpm : limits.rpm) ?? 0;
      const counts = tokensRefused ? state.tokens : state.requests;
      const cost = tokensRefused ? tokens : 1;
      waitMs = msUntilFits(limit, counts, state.elapsedMs, cost);
      message = ErrorMessages.rateLimited(
        tokensRefused ? 'tokens per minute (TPM)' : 'requests per minute (RPM)',
        limit,
        usedOf(counts, state.elapsedMs),
        cost,
        formatDuration(waitMs),
      );
    }
    this.metrics.rateLimited(caller.keyName, refusedBy);
    return new GatewayException(ErrorCode.RateLimitExceeded, message, {
      headers: {
        ...rateLimitHeaders(limits, state),
        'retry-after': String(retryAfterSeconds(waitMs)),
        // The official clients prefer it to retry-after when present.
        'retry-after-ms': String(waitMs),
      },
    });
  }

  /**
   * Once per admission, when the response closes: settles the store and the usage metrics and
   * returns what the request's log line says of its accounting. Never throws.
   */
  private settle(
    admission: Admission,
    response: ResponseEnd,
    spend: SpendTicket | undefined,
  ): RequestAccounting | undefined {
    if (admission.settled) return undefined;
    admission.settled = true;
    const { outcome, errorCode } = outcomeOf(admission, response);
    const usage = admission.usage.charged;
    const reservation = admission.reservation;
    if (reservation) {
      const charged = admission.chargedTokens(outcome);
      this.store
        .settle({
          key: admission.caller.keyName,
          window: reservation.window,
          tokenDelta: charged - reservation.tokens,
          leaseId: reservation.leaseId,
          // Each tool round made one more upstream call: it counts against rpm (issue 13).
          extraRequests: admission.toolRounds,
        })
        .catch(ignoreOutage);
    }
    this.metrics.record({
      key: admission.caller.keyName,
      tier: admission.tier,
      model: admission.model,
      outcome,
      errorCode,
      promptTokens: usage.prompt,
      completionTokens: usage.completion,
      reasoningTokens: usage.reasoning,
      toolRounds: admission.toolRounds,
    });
    spend?.settle({
      outcome,
      usageReported: admission.usage.reported,
      promptTokens: admission.promptTokens,
      streamedTokens: admission.unreportedStreamTokens,
      tier: admission.tier,
      model: admission.model,
    });
    // Undefined fields, not absent ones: the log line leaves both out alike, and one shape
    // (no conditional spreads) is cheaper per request.
    return {
      outcome,
      errorCode,
      reasoningTokens: usage.reasoning,
      totalTokens: usage.total,
      usageReported: admission.usage.reported,
      reservedTokens: reservation?.tokens,
      toolRounds: admission.toolRounds,
    };
  }
}

/** The store has logged the outage (once per outage); an unsettled lease expires alone. */
function ignoreOutage(): void {}

/** The largest reservation of one request (the largest configurable `tpm`). */
const MAX_RESERVATION = 1_000_000_000;

function storeLimits(limits: Readonly<RateLimitsConfig>): StoreLimits {
  return { rpm: limits.rpm ?? 0, tpm: limits.tpm ?? 0, concurrency: limits.concurrency ?? 0 };
}

function outcomeOf(
  admission: Admission,
  raw: ResponseEnd,
): { outcome: 'ok' | 'error' | 'aborted'; errorCode?: string } {
  const failure = admission.failure;
  if (failure !== undefined) {
    if (isClientClosed(failure)) return { outcome: 'aborted' };
    return { outcome: 'error', errorCode: asGatewayException(failure).code };
  }
  if (!raw.writableFinished) return { outcome: 'aborted' };
  if (raw.statusCode >= 400) return { outcome: 'error', errorCode: `http_${raw.statusCode}` };
  return { outcome: 'ok' };
}

import { ErrorCode, ErrorMessages, GatewayException } from '../common/errors';

/** Why an attempt failed, in the few classes that retries and metrics care about. */
export type FailureKind =
  | 'connection'
  | 'timeout'
  | 'rate_limited'
  | 'unavailable'
  | 'broken'
  | 'server_error'
  | 'rejected'
  | 'client_error';

export interface FailureVerdict {
  kind: FailureKind;
  /** Another replica (or the same one later) may answer. */
  retryable: boolean;
  /** What it says of the replica: `failed` counts towards ejection, `ok` resets the count. */
  replica: 'failed' | 'ok' | 'neutral';
  /** The upstream's `Retry-After`, in ms. */
  retryAfterMs?: number;
}

const RETRYABLE_STATUSES = new Set([502, 503, 504]);

/**
 * What an upstream failure means for retries and for the replica's circuit (ADR 0006):
 * connection errors, timeouts, 429, 502/503/504 and malformed or broken answers are retried;
 * another 5xx is the replica's failure but retrying it would most likely fail again; an
 * upstream 4xx is the caller's problem and proves the replica works. Anything that is not a
 * {@link GatewayException} (a caller abort) is no verdict at all.
 */
export function classifyFailure(error: unknown, now = Date.now()): FailureVerdict | undefined {
  if (!(error instanceof GatewayException)) return undefined;
  const status = error.options.upstream?.status;
  const retryAfterMs = parseRetryAfter(error.headers?.['retry-after'], now);
  switch (error.code) {
    case ErrorCode.UpstreamTimeout:
      return { kind: 'timeout', retryable: true, replica: 'failed' };
    case ErrorCode.RateLimitExceeded:
      // A busy replica is not a broken one: it sits out its Retry-After, its circuit stays as is.
      return status === 429
        ? { kind: 'rate_limited', retryable: true, replica: 'neutral', retryAfterMs }
        : { kind: 'client_error', retryable: false, replica: 'ok' };
    case ErrorCode.UpstreamError:
      if (status === undefined) {
        const connection = error.message === ErrorMessages.upstreamUnreachable();
        return { kind: connection ? 'connection' : 'broken', retryable: true, replica: 'failed' };
      }
      if (RETRYABLE_STATUSES.has(status)) {
        return { kind: 'unavailable', retryable: true, replica: 'failed', retryAfterMs };
      }
      if (status === 401 || status === 403 || status === 407) {
        return { kind: 'rejected', retryable: false, replica: 'neutral' };
      }
      return { kind: 'server_error', retryable: false, replica: 'failed' };
    default:
      return error.options.upstream
        ? { kind: 'client_error', retryable: false, replica: 'ok' }
        : undefined;
  }
}

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And
 * Jitter"): a uniform wait in [0, min(max, base × 2^(retry−1))], so retries of many callers
 * that failed together do not arrive together.
 */
export function backoffDelay(
  retry: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(retry - 1, 30));
  return Math.floor(random() * ceiling);
}

/** RFC 9110 §10.2.3: delay-seconds or an HTTP-date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

import { ErrorCode, ErrorMessages, GatewayException } from '../common/errors';

/** Why an attempt failed, in the few classes that retries and metrics care about. */
export type FailureKind =
  | 'connection'
  | 'refused'
  | 'timeout'
  | 'rate_limited'
  | 'unavailable'
  | 'broken'
  | 'server_error'
  | 'rejected'
  | 'client_error';

/**
 * What a failure says of the replica that answered it:
 * - `failed`: counts towards its ejection (a timeout, a broken stream, a 502/503/504);
 * - `down`: nothing listens there (connection refused): out of rotation at once;
 * - `suspect`: a 500 may be the request's or the replica's; it counts only once shown not to
 *   follow the request (see {@link judgeSuspect});
 * - `neutral`: says nothing of the replica's health (the caller's own error, a 429, a 401).
 */
export type ReplicaVerdict = 'failed' | 'down' | 'suspect' | 'neutral';

export interface FailureVerdict {
  kind: FailureKind;
  /** `any`: another attempt, on any replica; `elsewhere`: only on another replica; `none`. */
  retry: 'any' | 'elsewhere' | 'none';
  replica: ReplicaVerdict;
  /** The upstream's `Retry-After`, in ms. */
  retryAfterMs?: number;
}

const RETRYABLE_STATUSES = new Set([502, 503, 504]);

/**
 * What an upstream failure means for retries and for the replica's circuit (ADR 0006):
 *
 * | failure                                   | retry       | replica   |
 * | ----------------------------------------- | ----------- | --------- |
 * | connection refused                        | elsewhere   | down      |
 * | other connection error, timeout           | any         | failed    |
 * | malformed or broken answer                | any         | failed    |
 * | 502, 503, 504                             | any         | failed    |
 * | 429                                       | any         | neutral   |
 * | another 5xx (a 500)                       | elsewhere   | suspect   |
 * | 401, 403, 407 (the gateway's credentials) | none        | neutral   |
 * | the caller's 4xx, an invalid-input 500    | none        | neutral   |
 * | a 500 over one replica's own limits       | elsewhere   | neutral   |
 *
 * Anything that is not a {@link GatewayException} (a caller abort) is no verdict at all.
 */
export function classifyFailure(error: unknown, now = Date.now()): FailureVerdict | undefined {
  if (!(error instanceof GatewayException)) return undefined;
  const status = error.options.upstream?.status;
  const retryAfterMs = parseRetryAfter(error.headers?.['retry-after'], now);
  switch (error.code) {
    case ErrorCode.UpstreamTimeout:
      return { kind: 'timeout', retry: 'any', replica: 'failed' };
    case ErrorCode.RateLimitExceeded:
      // A busy replica is not a broken one: it sits out its Retry-After, its circuit stays as is.
      return status === 429
        ? { kind: 'rate_limited', retry: 'any', replica: 'neutral', retryAfterMs }
        : { kind: 'client_error', retry: 'none', replica: 'neutral' };
    case ErrorCode.UpstreamError:
      if (status === undefined) {
        if (error.message !== ErrorMessages.upstreamUnreachable()) {
          return { kind: 'broken', retry: 'any', replica: 'failed' };
        }
        return isRefused(error.options.cause)
          ? { kind: 'refused', retry: 'elsewhere', replica: 'down' }
          : { kind: 'connection', retry: 'any', replica: 'failed' };
      }
      if (RETRYABLE_STATUSES.has(status)) {
        return { kind: 'unavailable', retry: 'any', replica: 'failed', retryAfterMs };
      }
      if (status === 401 || status === 403 || status === 407) {
        return { kind: 'rejected', retry: 'none', replica: 'neutral' };
      }
      return { kind: 'server_error', retry: 'elsewhere', replica: 'suspect' };
    default:
      // The caller's own error (an upstream 4xx, or a 500 that says the input is invalid):
      // it would fail the same way anywhere, and says nothing of the replica (docs/api.md §6).
      // A request over one replica's own limits (its batch size) may fit another one.
      if (!error.options.upstream) return undefined;
      return {
        kind: 'client_error',
        retry: error.options.retryElsewhere ? 'elsewhere' : 'none',
        replica: 'neutral',
      };
  }
}

/** What becomes of a replica's suspect failure (a 500), given what happened next. */
export type SuspectJudgement = 'count' | 'forgive' | 'probe';

/**
 * A 500 counts against its replica only when it does not follow the request (docs/api.md §6):
 *
 * - the request then succeeded on another replica: the replica's fault, `count`;
 * - it failed the same way there, or as the caller's error: the request's fault, `forgive`;
 * - nothing else was tried, or the other attempt failed for its own reasons: the replica's
 *   own health probe decides, `probe` (counted only when the probe fails too).
 */
export function judgeSuspect(next: FailureKind | 'succeeded' | 'none'): SuspectJudgement {
  switch (next) {
    case 'succeeded':
      return 'count';
    case 'server_error':
    case 'client_error':
      return 'forgive';
    default:
      return 'probe';
  }
}

/** The connection was refused: nothing listens at the replica's address. */
function isRefused(cause: unknown): boolean {
  return (cause as { code?: unknown } | null | undefined)?.code === 'ECONNREFUSED';
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

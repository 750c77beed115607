/**
 * What a request's accounting settled (the limits module writes it, the request's telemetry
 * writes it into the request's one log line): a plain value, so neither module depends on the
 * other for it.
 */
export interface RequestAccounting {
  outcome: 'ok' | 'error' | 'aborted';
  /** Why an `error` outcome failed: the gateway's error code, or `http_<status>`. */
  errorCode?: string;
  reasoningTokens: number;
  totalTokens: number;
  /** Whether any upstream call reported usage (else the reservation was charged). */
  usageReported: boolean;
  /** Tokens reserved at admission; undefined when the limit store was unreachable. */
  reservedTokens?: number;
  toolRounds: number;
}

/** Injection token of the {@link LimitStore} (in memory, or Redis when `redis.url` is set). */
export const LIMIT_STORE = 'TIERGATE_LIMIT_STORE';

/** Rate limits count over a sliding minute: this minute and the previous one, weighted. */
export const WINDOW_MS = 60_000;

/**
 * A Redis concurrency lease lives this long unless renewed; the process that holds it renews
 * it every {@link LEASE_RENEW_MS}, so a crashed process frees its slots within this time.
 */
export const LEASE_TTL_MS = 30_000;
export const LEASE_RENEW_MS = 10_000;

/** Retry-After of a request refused for concurrency: a slot frees when some request ends. */
export const CONCURRENCY_RETRY_AFTER_MS = 1_000;

/** Values of the `limit` label of `tiergate_rate_limited_total` and of refusals. */
export type LimitName = 'rpm' | 'tpm' | 'concurrency';

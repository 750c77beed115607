import type { RedisFailureMode } from '../config';

/** Log lines of the limits module. None of them takes a key's secret: names and numbers only. */
export const LimitsMessages = {
  redisFailing: (reason: string, mode: RedisFailureMode) =>
    `Redis (rate limits) unreachable: ${reason}; ` +
    (mode === 'open'
      ? 'admitting requests without rate limits until it is back (limits.redis.on_error: open)'
      : 'refusing rate-limited requests with 503 until it is back (limits.redis.on_error: closed)'),
  redisRecovered: () => 'Redis (rate limits) reachable again; limits are enforced',
  settleFailed: (reason: string) =>
    `Could not settle a request's rate-limit reservation (${reason}); its lease expires on its own`,
} as const;

import { integer, ms, oneOf, redisUrl, section, text } from '../config-key.builders';
import { CONFIG_LIMITS, REDIS_FAILURE_MODES } from '../config.constants';
import { rateLimitKeys } from './auth.keys';

/** `redis`: shared state across replicas. */
export const REDIS_KEYS = section(
  {
    url: redisUrl({
      optional: true,
      env: 'REDIS_URL',
      defaultDoc: 'none (in-memory)',
      doc:
        "shared state across replicas: rate limits and the memory tool's notes. Without it " +
        'each process keeps its own, so limits multiply by the number of replicas ' +
        '([deployment.md](deployment.md#redis))',
    }),
  },
  { name: 'RedisSchema' },
);

/** `limits`: per-key rate limits (in Redis when `redis.url` is set) and request-shape bounds. */
export const LIMITS_KEYS = section(
  {
    /** Limits of every key that has none of its own. */
    defaults: section(
      rateLimitKeys({
        rpm: {
          values: 'requests/minute',
          env: 'RATE_LIMIT_RPM',
          doc: 'limits of every key without a `limits` mapping of its own',
        },
        tpm: { values: 'tokens/minute', env: 'RATE_LIMIT_TPM' },
        concurrency: { values: 'in flight', env: 'RATE_LIMIT_CONCURRENCY' },
      }),
      { name: 'RateLimitsSchema' },
    ),
    /** Completion tokens reserved before a call that sets no `max_tokens`, until usage is known. */
    reserveCompletionTokens: integer(0, CONFIG_LIMITS.maxRateLimit, {
      default: 1_024,
      values: 'tokens',
      doc:
        'completion tokens reserved for a request without `max_tokens` until its real usage is ' +
        "known (capped at the key's `tpm`)",
    }),
    redis: section(
      {
        /** `open`: admit without limits (reported degraded); `closed`: 503 until Redis is back. */
        onError: oneOf(REDIS_FAILURE_MODES, {
          default: 'open',
          env: 'RATE_LIMIT_ON_REDIS_ERROR',
          doc:
            'while Redis is unreachable: `open` admits requests without rate limits (`/health` ' +
            'says degraded, readiness stays up); `closed` answers 503 `overloaded` and ' +
            'readiness turns 503',
        }),
        keyPrefix: text({
          default: 'tiergate:limits:',
          doc: 'prefix of every Redis key the limiter writes',
        }),
        timeoutMs: ms(1, {
          default: 1_000,
          doc: 'the longest wait for one Redis command before `on_error` applies',
        }),
      },
      { name: 'LimitsRedisSchema' },
    ),
    /** Bounds on a request body's shape, checked once at the edge (400 beyond them). */
    request: section(
      {
        maxMessages: integer(1, CONFIG_LIMITS.maxMessages, {
          default: 2_048,
          values: 'count',
          doc: 'messages in one chat request (above: 400 `invalid_value` naming the field)',
        }),
        /** Characters of one message's text (a string, or the sum of its text parts). */
        maxContentChars: integer(1, CONFIG_LIMITS.maxContentChars, {
          default: 1_000_000,
          values: 'characters',
          doc: 'text of one message',
        }),
        maxTools: integer(0, CONFIG_LIMITS.maxTools, {
          default: 128,
          values: 'count',
          doc: 'entries of `tools`',
        }),
        maxJsonDepth: integer(2, CONFIG_LIMITS.maxJsonDepth, {
          default: 64,
          doc: 'nesting of arrays and objects anywhere in the body',
        }),
        // Parsing cost grows with objects and arrays, not bytes (issue 13: 10 MiB of `{}` took 4 s).
        maxJsonContainers: integer(1, CONFIG_LIMITS.maxJsonContainers, {
          default: 100_000,
          values: '≥ 1',
          doc:
            'objects and arrays anywhere in the body, counted before it is parsed (parsing time ' +
            'grows with them); above it 400',
        }),
      },
      { name: 'RequestLimitsSchema' },
    ),
  },
  { name: 'LimitsSchema' },
);

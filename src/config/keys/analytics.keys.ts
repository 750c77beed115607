import { boolean, ms, section, text } from '../config-key.builders';

/** `analytics`: `GET /v1/analytics` and the replicas' performance in `GET /v1/providers`. */
export const ANALYTICS_KEYS = section(
  {
    enabled: boolean({
      default: true,
      doc:
        'count requests and upstream attempts for `/v1/analytics` and `/v1/providers`; off, ' +
        'both answer with no traffic',
    }),
    flushIntervalMs: ms(100, {
      default: 1000,
      doc: "how often a process sends its figures to the store (Redis with `REDIS_URL`); another process's last interval may be missing from an answer",
    }),
    redis: section(
      {
        keyPrefix: text({
          default: 'tiergate:analytics:',
          doc: 'prefix of the analytics Redis keys; deployments sharing a Redis each set their own',
        }),
      },
      { name: 'AnalyticsRedisSchema' },
    ),
  },
  { name: 'AnalyticsSchema' },
);

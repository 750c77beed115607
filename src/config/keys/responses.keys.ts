import { integer, section, text } from '../config-key.builders';

/** `responses`: the OpenAI Responses front (`/v1/responses`, docs/responses-api.md). */
export const RESPONSES_KEYS = section(
  {
    store: section(
      {
        /** How long a stored response can be read back or continued. */
        ttlSeconds: integer(1, 30 * 86_400, {
          default: 86_400,
          values: '1..2592000 (seconds)',
          env: 'RESPONSES_STORE_TTL_SECONDS',
          doc:
            'how long a stored response (`store` not false) can be read back (`GET /v1/responses/{id}`) ' +
            'or continued (`previous_response_id`)',
        }),
        maxEntries: integer(1, 10_000_000, {
          default: 10_000,
          values: 'count',
          doc:
            'stored responses kept in memory when `redis.url` is unset (every key together); the ' +
            'oldest are dropped beyond it',
        }),
        keyPrefix: text({
          default: 'tiergate:responses:',
          doc: "prefix of stored responses' Redis keys; deployments sharing a Redis each set their own",
        }),
      },
      { name: 'ResponsesStoreSchema' },
    ),
  },
  { name: 'ResponsesSchema' },
);

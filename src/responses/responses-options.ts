/** The Responses front's settings (`responses.*` in the configuration). */
export interface ResponsesOptions {
  store: {
    /** How long a stored response can be read back or continued. */
    ttlSeconds: number;
    /** Stored responses kept in memory (no `REDIS_URL`); the oldest go first. */
    maxEntries: number;
    /** Redis key prefix of stored responses. */
    keyPrefix: string;
  };
}

export const DEFAULT_RESPONSES_OPTIONS: ResponsesOptions = {
  store: { ttlSeconds: 86_400, maxEntries: 10_000, keyPrefix: 'tiergate:responses:' },
};

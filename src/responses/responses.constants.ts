/** Injection token of the {@link ResponseStore} (in memory, or Redis when `redis.url` is set). */
export const RESPONSE_STORE = 'RESPONSE_STORE';

/** Injection token of the front's {@link ResponsesOptions}. */
export const RESPONSES_OPTIONS = 'RESPONSES_OPTIONS';

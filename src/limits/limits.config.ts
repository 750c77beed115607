import { defineConfigSlice, type ConfigSliceOf } from '../config';

/** What the limits module reads of the configuration: its own section and the Redis URL. */
export const LIMITS_CONFIG = defineConfigSlice('LIMITS_CONFIG', (config) => ({
  limits: config.limits,
  redis: config.redis,
}));

export type LimitsSlice = ConfigSliceOf<typeof LIMITS_CONFIG>;

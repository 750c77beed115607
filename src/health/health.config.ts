import { defineConfigSlice, type ConfigSliceOf } from '../config';

/** What the health module reads of the configuration: the graceful-shutdown settings. */
export const HEALTH_CONFIG = defineConfigSlice('HEALTH_CONFIG', (config) => ({
  shutdown: config.server.shutdown,
}));

export type HealthSlice = ConfigSliceOf<typeof HEALTH_CONFIG>;

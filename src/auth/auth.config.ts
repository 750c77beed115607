import { defineConfigSlice, type ConfigSliceOf } from '../config';

/** What the auth module reads of the configuration: its own section and the default limits. */
export const AUTH_CONFIG = defineConfigSlice('AUTH_CONFIG', (config) => ({
  auth: config.auth,
  defaults: config.limits.defaults,
}));

export type AuthSlice = ConfigSliceOf<typeof AUTH_CONFIG>;

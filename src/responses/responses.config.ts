import { defineConfigSlice, type ConfigSliceOf } from '../config';

/**
 * What the responses module reads of the configuration: its own section, the Redis URL, the
 * request bounds and the tool-call cap.
 */
export const RESPONSES_CONFIG = defineConfigSlice('RESPONSES_CONFIG', (config) => ({
  responses: config.responses,
  redis: config.redis,
  request: config.limits.request,
  maxToolCalls: config.tools.maxCallsPerRound,
}));

export type ResponsesSlice = ConfigSliceOf<typeof RESPONSES_CONFIG>;

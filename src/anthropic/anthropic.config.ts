import { defineConfigSlice, type ConfigSliceOf } from '../config';

/**
 * What the Anthropic front reads of the configuration: the request bounds, the tool-call cap and
 * the stream heartbeat.
 */
export const ANTHROPIC_CONFIG = defineConfigSlice('ANTHROPIC_CONFIG', (config) => ({
  request: config.limits.request,
  maxToolCalls: config.tools.maxCallsPerRound,
  heartbeatMs: config.streaming.heartbeatMs,
}));

export type AnthropicSlice = ConfigSliceOf<typeof ANTHROPIC_CONFIG>;

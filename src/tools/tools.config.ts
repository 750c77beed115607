import { defineConfigSlice, type ConfigSliceOf } from '../config';

/**
 * What the tools module (and its built-in tools) reads of the configuration: its own section,
 * the Redis URL (the memory tool's store) and the client keys (the opt-in tools' `allowed_tools`).
 */
export const TOOLS_CONFIG = defineConfigSlice('TOOLS_CONFIG', (config) => ({
  tools: config.tools,
  redis: config.redis,
  keys: config.auth.keys,
}));

export type ToolsSlice = ConfigSliceOf<typeof TOOLS_CONFIG>;

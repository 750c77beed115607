import type { GatewayConfig } from '../config';

/** The Responses front's settings: `responses.*` in the configuration (docs/configuration.md). */
export type ResponsesOptions = GatewayConfig['responses'];

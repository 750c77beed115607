export { GatewayConfigModule } from './config.module';
export { gatewayConfigFactory, loadGatewayConfig, readGatewayConfig } from './config.loader';
export { ConfigValidationError, type ConfigIssue } from './config.errors';
export { ConfigMessages } from './config.messages';
export { CONFIG_DEFAULTS } from './config.constants';
export type { EnvSource } from './env-expand';
export { readOtelSettings, type OtelSettings } from './otel-env';
export * from './gateway-config.interface';
export { configuredSecrets } from './configured-secrets';

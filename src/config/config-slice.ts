import type { FactoryProvider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { GatewayConfig } from './gateway-config.interface';
import { GATEWAY_CONFIG_KEYS } from './gateway-config.keys';

/**
 * One module's typed part of the configuration, injectable on its own (the idea of
 * `@nestjs/config`'s `registerAs`): the module lists `slice.provider` among its providers and its
 * classes inject `@Inject(slice.token)`, typed `ConfigSliceOf<typeof slice>`. The value is read
 * once from the validated configuration, so a class sees only what its module uses and a spec
 * builds just that part.
 *
 * @example
 * export const TOOLS_CONFIG = defineConfigSlice('TOOLS_CONFIG', (config) => ({
 *   tools: config.tools,
 *   keys: config.auth.keys,
 * }));
 * // tools.module.ts: providers: [TOOLS_CONFIG.provider, …]
 * constructor(@Inject(TOOLS_CONFIG.token) config: ConfigSliceOf<typeof TOOLS_CONFIG>) {}
 */
export interface ConfigSlice<T> {
  /** The injection token, SCREAMING_SNAKE like every token. */
  readonly token: string;
  /** Registers the slice in a module; reads the global `ConfigService`. */
  readonly provider: FactoryProvider<T>;
  /** The slice of a whole configuration (what the provider yields), for specs and scripts. */
  readonly select: (config: GatewayConfig) => T;
}

/** The type a slice yields. */
export type ConfigSliceOf<S> = S extends ConfigSlice<infer T> ? T : never;

export function defineConfigSlice<T>(
  token: string,
  select: (config: GatewayConfig) => T,
): ConfigSlice<T> {
  return {
    token,
    select,
    provider: {
      provide: token,
      inject: [ConfigService],
      useFactory: (config: ConfigService<GatewayConfig, true>): T => select(wholeConfig(config)),
    },
  };
}

// `ConfigService` holds the loaded object under its top-level keys; `get` of each rebuilds it.
function wholeConfig(config: ConfigService<GatewayConfig, true>): GatewayConfig {
  return Object.fromEntries(
    Object.keys(GATEWAY_CONFIG_KEYS.shape).map((key) => [
      key,
      config.get(key as keyof GatewayConfig, { infer: true }),
    ]),
  ) as GatewayConfig;
}

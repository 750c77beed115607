import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { gatewayConfigFactory } from './config.loader';
import type { GatewayConfig } from './gateway-config.interface';

/**
 * Makes the validated configuration available everywhere as `ConfigService<GatewayConfig, true>`.
 *
 * `forRoot(config)` serves an object already loaded with `loadGatewayConfig` (what `main.ts` and
 * the e2e harness do, so a bad configuration is reported before Nest starts); `forRoot()` loads
 * it from `process.env` while the application is created.
 *
 * @example
 * constructor(private readonly config: ConfigService<GatewayConfig, true>) {}
 * const tiers = this.config.get('tiers', { infer: true });
 */
@Module({})
export class GatewayConfigModule {
  static forRoot(config?: GatewayConfig): DynamicModule {
    return {
      module: GatewayConfigModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          // The environment and the YAML file are the only sources (docs/api.md §3); no `.env` file.
          ignoreEnvFile: true,
          // `get()` answers from the validated object only; otherwise a key the object lacks
          // (such as `embeddings`) would fall back to a same-named process.env variable.
          skipProcessEnv: true,
          load: [config ? () => config : gatewayConfigFactory],
          cache: true,
        }),
      ],
    };
  }
}

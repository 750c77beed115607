import { DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { AnthropicModule } from './anthropic';
import { AnalyticsModule } from './analytics';
import { AuthModule } from './auth';
import { ConsoleModule } from './console';
import { GatewayConfigModule, type GatewayConfig } from './config';
import { HealthModule } from './health';
import { LimitsModule } from './limits';
import { requestLoggingModule, TelemetryModule, type TelemetryOptions } from './telemetry';
import { ProvidersModule } from './providers';
import { ResponsesModule } from './responses';
import { SpendModule } from './spend';
import { TierRoutingModule } from './tier-routing';
import { ToolsModule } from './tools';

export interface AppModuleOptions {
  /** Nest's logs through this pino logger; absent: no logging module (tests). */
  logging?: { logger: Logger };
  telemetry?: Partial<TelemetryOptions>;
}

/** Composes the feature modules around one validated configuration. */
@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig, options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        GatewayConfigModule.forRoot(config),
        ...(options.logging ? [requestLoggingModule(options.logging.logger)] : []),
        TelemetryModule.forRoot(options.telemetry),
        AuthModule,
        SpendModule,
        LimitsModule,
        ProvidersModule,
        TierRoutingModule,
        ResponsesModule,
        AnthropicModule,
        ToolsModule,
        AnalyticsModule,
        HealthModule,
        ConsoleModule,
      ],
    };
  }
}

import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from './auth';
import { GatewayConfigModule, type GatewayConfig } from './config';
import { HealthModule } from './health';
import { TelemetryModule } from './telemetry';
import { ProvidersModule } from './providers';
import { TierRoutingModule } from './tier-routing';
import { ToolsModule } from './tools';

/** Composes the feature modules around one validated configuration. */
@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        GatewayConfigModule.forRoot(config),
        TelemetryModule,
        AuthModule,
        ProvidersModule,
        TierRoutingModule,
        ToolsModule,
        HealthModule,
      ],
    };
  }
}

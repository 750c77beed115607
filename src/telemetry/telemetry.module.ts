import {
  Global,
  Injectable,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { shutdownOtelSdk } from './otel-sdk';
import { RequestRecordSinks } from './request-telemetry';
import {
  DEFAULT_TELEMETRY_OPTIONS,
  TELEMETRY_OPTIONS,
  type TelemetryOptions,
} from './telemetry-options';
import { TelemetryMessages } from './telemetry.messages';

/**
 * Flushes the spans still buffered when the application shuts down: by then the HTTP server
 * has drained, so every request's spans have ended.
 */
@Injectable()
export class TelemetryShutdown implements OnApplicationShutdown {
  private readonly logger = new Logger('Telemetry');

  async onApplicationShutdown(): Promise<void> {
    try {
      await shutdownOtelSdk();
    } catch (error) {
      this.logger.warn(TelemetryMessages.flushFailed((error as Error).message ?? String(error)));
    }
  }
}

/**
 * Metrics, traces and request logs: instruments and helpers every module may use
 * (`MetricsService`, the tracer, `RequestTelemetry`), `GET /metrics`, and the flush at shutdown.
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [
    MetricsService,
    RequestRecordSinks,
    TelemetryShutdown,
    { provide: TELEMETRY_OPTIONS, useValue: DEFAULT_TELEMETRY_OPTIONS },
  ],
  exports: [MetricsService, RequestRecordSinks, TELEMETRY_OPTIONS],
})
export class TelemetryModule {
  static forRoot(options: Partial<TelemetryOptions> = {}): DynamicModule {
    return {
      module: TelemetryModule,
      providers: [
        { provide: TELEMETRY_OPTIONS, useValue: { ...DEFAULT_TELEMETRY_OPTIONS, ...options } },
      ],
    };
  }
}

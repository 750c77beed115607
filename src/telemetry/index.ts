export { TelemetryModule } from './telemetry.module';
export { MetricsService, reasonStep } from './metrics.service';

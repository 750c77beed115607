export { TelemetryModule } from './telemetry.module';
export { MetricsService, reasonStep, type RateLimitKind } from './metrics.service';
export { FastCounter, FastGauge, FastHistogram } from './fast-metrics';
export {
  DEFAULT_TELEMETRY_OPTIONS,
  TELEMETRY_OPTIONS,
  type TelemetryOptions,
} from './telemetry-options';
export {
  RequestTelemetry,
  RequestRecordSinks,
  registerRequestTelemetry,
  type RequestRecordSink,
  type RoutedRequest,
  type TokensByKind,
  type UsageLike,
  type UsageObserver,
} from './request-telemetry';
export { RequestLog, createGatewayLogger, requestLoggingModule } from './request-logging';
export {
  errorTypeOf,
  recordFailure,
  setResultAttributes,
  setUsageAttributes,
  startChildSpan,
  tracer,
} from './tracing';
export { recordFirstToken } from './first-token';
export { inputMessagesJson, outputMessagesJson, streamedOutputJson } from './content-capture';
export {
  GenAi,
  MetricNames,
  Semconv,
  SpanNames,
  Tiergate,
  type GenAiOperation,
  type GenAiResult,
} from './telemetry.constants';

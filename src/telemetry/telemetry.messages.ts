/** Log texts of the telemetry module, as factories so tests assert on them. */
export const TelemetryMessages = {
  requestCompleted: (): string => 'request completed',
  requestFailed: (): string => 'request failed',
  exportStarted: (endpoint: string): string => `OpenTelemetry traces export to ${endpoint}`,
  flushFailed: (reason: string): string => `OpenTelemetry flush at shutdown failed: ${reason}`,
} as const;

import type { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { pino, stdTimeFunctions, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config';
import { stdoutLogDestination } from './log-destination';
import { RequestLineWriter } from './request-line';
import type { RequestRecordSink, RequestTelemetry } from './request-telemetry';
import { TelemetryMessages } from './telemetry.messages';

export { requestLogLine, type RequestLogLine } from './request-line';

/**
 * Paths censored wherever they appear in a log object. The request line carries no headers at
 * all; these cover anything else that might log a request, a response or an upstream config.
 */
export const REDACTED_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'apiKey',
  '*.apiKey',
  'api_key',
  '*.api_key',
];

/** How every line is written: JSON, ISO times, level names. */
const LINE_FORMAT = {
  formatters: { level: (label: string) => ({ level: label }) },
  timestamp: stdTimeFunctions.isoTime,
} as const;

/**
 * The application's logger: JSON lines, ISO times, level names, secrets redacted; by default on
 * stdout, buffered (see {@link stdoutLogDestination}).
 */
export function createGatewayLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    ...LINE_FORMAT,
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
  };
  return pino(options, destination ?? stdoutLogDestination());
}

/**
 * nestjs-pino for Nest's own logs (start-up, upstream state changes, tool failures), written
 * through `logger`. Its pino-http middleware is mounted on no route: the request line is written
 * by the request's telemetry (see {@link RequestLog}), without a Nest middleware
 * (`@fastify/middie`), a child logger per request or an `AsyncLocalStorage` binding (on Node 20
 * that switches on promise hooks for the whole process). Lines logged while a request runs name
 * it themselves (`request_id`).
 */
export function requestLoggingModule(logger: Logger): DynamicModule {
  return LoggerModule.forRoot({ pinoHttp: { logger, autoLogging: false }, forRoutes: [] });
}

/**
 * The request log: one line per request at `info` (`error` for a 5xx), written when the
 * request's telemetry ends.
 */
export class RequestLog implements RequestRecordSink {
  private readonly infoEnabled: boolean;
  private readonly errorEnabled: boolean;
  private readonly line: RequestLineWriter;

  /** `logger`: the application's; the lines go to its destination at its level. */
  constructor(logger: Logger) {
    this.line = new RequestLineWriter(logger);
    this.infoEnabled = logger.isLevelEnabled('info');
    this.errorEnabled = logger.isLevelEnabled('error');
  }

  write(record: RequestTelemetry): void {
    const failed = (record.status ?? 0) >= 500;
    if (failed) {
      if (this.errorEnabled) this.line.write(record, 'error', TelemetryMessages.requestFailed());
    } else if (this.infoEnabled) {
      this.line.write(record, 'info', TelemetryMessages.requestCompleted());
    }
  }
}

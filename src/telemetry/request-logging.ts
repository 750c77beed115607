import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { stdTimeFunctions, type DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import { requestIdOf } from '../common/http';
import type { LogLevel } from '../config';
import { telemetryOfRaw, UNTRACED_ROUTES } from './request-telemetry';
import { TelemetryMessages } from './telemetry.messages';

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

/** The fields of the one line per request, read from its telemetry record. */
export interface RequestLogLine {
  trace_id?: string;
  span_id?: string;
  /** Whether the trace was sampled (exported); unsampled ids still join logs across services. */
  trace_sampled?: boolean;
  method: string;
  route?: string;
  status: number;
  duration_ms: number;
  key?: string;
  operation?: string;
  tier?: string;
  model?: string;
  upstream_model?: string;
  route_reason?: string;
  stream?: boolean;
  tokens_in?: number;
  tokens_out?: number;
  ttft_ms?: number;
  error?: string;
  aborted?: boolean;
}

/**
 * The request line: request id (the binding), trace id, key name, tier, model, status,
 * duration and tokens. Never a header, a body or a prompt.
 */
export function requestLogLine(
  req: IncomingMessage,
  res: ServerResponse,
  responseTimeMs: number,
): RequestLogLine {
  const record = telemetryOfRaw(req);
  if (!record) {
    return { method: req.method ?? '', status: res.statusCode, duration_ms: responseTimeMs };
  }
  // pino-http writes on the response's `finish`, before our `close` listener ends the record.
  record.end();
  const traceId = record.traceId;
  return {
    trace_id: traceId,
    span_id: record.spanId,
    trace_sampled: traceId === undefined ? undefined : record.sampled,
    method: req.method ?? '',
    route: record.route,
    status: record.status ?? res.statusCode,
    duration_ms: record.durationMs ?? responseTimeMs,
    key: record.keyName,
    operation: record.operation,
    tier: record.tier || undefined,
    model: record.model || undefined,
    upstream_model: record.upstreamModel,
    route_reason: record.reason,
    stream: record.operation ? record.stream : undefined,
    tokens_in: record.operation ? record.inputTokens : undefined,
    tokens_out: record.operation ? record.outputTokens : undefined,
    ttft_ms:
      record.firstTokenS === undefined ? undefined : Math.round(record.firstTokenS * 1e4) / 10,
    error: record.errorType,
    aborted: record.aborted || undefined,
  };
}

/** pino-http options of the gateway: lean, redacted, one line per request at `info`. */
export function requestLoggerOptions(level: LogLevel): Options {
  return {
    level,
    formatters: { level: (label) => ({ level: label }) },
    timestamp: stdTimeFunctions.isoTime,
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    // Fastify's id (the caller's x-request-id when safe): one id in headers, logs and spans.
    genReqId: (req) => telemetryOfRaw(req)?.requestId ?? requestIdOf(req),
    customAttributeKeys: { reqId: 'request_id', responseTime: 'duration_ms' },
    // In-request lines carry the request id only; the closing line carries everything else.
    quietReqLogger: true,
    quietResLogger: true,
    wrapSerializers: false,
    serializers: {
      req: (req: IncomingMessage) => ({ method: req.method, url: req.url }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
    autoLogging: { ignore: (req) => UNTRACED_ROUTES.has(pathOf(req.url)) },
    customLogLevel: (_req, res, error) =>
      error !== undefined || res.statusCode >= 500 ? 'error' : 'info',
    customSuccessMessage: () => TelemetryMessages.requestCompleted(),
    customErrorMessage: () => TelemetryMessages.requestFailed(),
    customSuccessObject: (req, res, val: { duration_ms: number }) =>
      requestLogLine(req, res, val.duration_ms),
    customErrorObject: (req, res, _error, val: { duration_ms: number }) =>
      requestLogLine(req, res, val.duration_ms),
  };
}

/**
 * nestjs-pino for the whole application: Nest's own logs as JSON lines, and pino-http's line
 * per request. `destination` defaults to stdout; tests pass a stream to read the lines back.
 */
export function requestLoggingModule(
  level: LogLevel,
  destination?: DestinationStream,
): DynamicModule {
  const options = requestLoggerOptions(level);
  return LoggerModule.forRoot({ pinoHttp: destination ? [options, destination] : options });
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

import type { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { pino, stdTimeFunctions, symbols, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config';
import { stdoutLogDestination } from './log-destination';
import type { RequestRecordSink, RequestTelemetry } from './request-telemetry';
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
 * The request line's own logger: the same level, format and destination as `logger`, without
 * the redaction. The wildcard paths (`*.apiKey`) send every field of every line through pino's
 * redaction, and the request line cannot carry a secret: {@link requestLogLine} builds it from a
 * fixed list of scalar fields, none named like a credential (request-logging.spec.ts holds it
 * to the redacting logger's output).
 */
export function requestLineLogger(logger: Logger): Logger {
  const destination = (logger as unknown as Record<symbol, DestinationStream>)[symbols.streamSym];
  return pino({ level: logger.level, ...LINE_FORMAT }, destination);
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

/** The fields of the one line per request, read from its telemetry record. */
export interface RequestLogLine {
  request_id: string;
  trace_id?: string;
  span_id?: string;
  /** Whether the trace was sampled (exported); unsampled ids still join logs across services. */
  trace_sampled?: boolean;
  method: string;
  route: string;
  status?: number;
  duration_ms?: number;
  key?: string;
  operation?: string;
  /** The API the request speaks: chat, completions, embeddings, responses, messages. */
  api?: string;
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
  /** The key's accounting (requests that passed admission): `ok`, `error` or `aborted`. */
  outcome?: string;
  error_code?: string;
  reasoning_tokens?: number;
  total_tokens?: number;
  usage_reported?: boolean;
  reserved_tokens?: number;
  tool_rounds?: number;
  /** The request's cost in the configured currency (tool rounds summed). */
  cost?: number;
  /** `unpriced` when a call of the request had no price (it cost 0). */
  pricing?: 'unpriced';
  cached_tokens?: number;
}

/**
 * The request line: request id, trace id, key name, tier, model, status, duration and tokens,
 * and, for requests admitted by the key's limits, what their accounting settled (the usage).
 * Never a header, a body or a prompt.
 */
export function requestLogLine(record: RequestTelemetry): RequestLogLine {
  const traceId = record.traceId;
  const inference = record.operation !== undefined;
  const accounting = record.accounting;
  return {
    request_id: record.requestId,
    trace_id: traceId,
    span_id: record.spanId,
    trace_sampled: traceId === undefined ? undefined : record.sampled,
    method: record.method,
    route: record.route,
    status: record.status,
    duration_ms: record.durationMs,
    key: record.keyName,
    operation: record.operation,
    api: record.api,
    tier: record.tier || undefined,
    model: record.model || undefined,
    upstream_model: record.upstreamModel,
    route_reason: record.reason,
    stream: inference ? record.stream : undefined,
    tokens_in: inference ? record.inputTokens : undefined,
    tokens_out: inference ? record.outputTokens : undefined,
    ttft_ms:
      record.firstTokenS === undefined ? undefined : Math.round(record.firstTokenS * 1e4) / 10,
    error: record.errorType,
    aborted: record.aborted || undefined,
    outcome: accounting?.outcome,
    error_code: accounting?.errorCode,
    reasoning_tokens: accounting?.reasoningTokens,
    total_tokens: accounting?.totalTokens,
    usage_reported: accounting?.usageReported,
    reserved_tokens: accounting?.reservedTokens,
    tool_rounds: accounting?.toolRounds,
    cost: record.cost,
    pricing: record.costUnpriced ? 'unpriced' : undefined,
    cached_tokens: record.tokensByKind?.cached_input,
  };
}

/**
 * The request log: one line per request at `info` (`error` for a 5xx), written when the
 * request's telemetry ends.
 */
export class RequestLog implements RequestRecordSink {
  private readonly infoEnabled: boolean;
  private readonly logger: Logger;

  /** `logger`: the application's; the lines go to its destination at its level. */
  constructor(logger: Logger) {
    this.logger = requestLineLogger(logger);
    this.infoEnabled = logger.isLevelEnabled('info');
  }

  write(record: RequestTelemetry): void {
    const failed = (record.status ?? 0) >= 500;
    if (failed) {
      this.logger.error(requestLogLine(record), TelemetryMessages.requestFailed());
    } else if (this.infoEnabled) {
      this.logger.info(requestLogLine(record), TelemetryMessages.requestCompleted());
    }
  }
}

import type { LoggerService, LogLevel as NestLogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { ANTHROPIC_ERROR_ENVELOPE } from './anthropic';
import { registerHotRoutes } from './app.hot-route';
import { AppModule } from './app.module';
import { ApiKeyService, authenticateBeforeBody } from './auth';
import {
  clientErrorHandler,
  errorBodyFor,
  ErrorCode,
  ErrorMessages,
  GatewayException,
  OpenAiExceptionFilter,
} from './common/errors';
import { requestIdOf } from './common/http';
import { boundedJsonParser, OpenAiValidationPipe } from './common/openai';
import type { GatewayConfig, LogLevel } from './config';
import { setupOpenApi } from './openapi/openapi.setup';
import { CHAT_COMPLETIONS_OPENAPI } from './tier-routing';
import {
  MetricsService,
  RequestLog,
  RequestRecordSinks,
  createGatewayLogger,
  registerRequestTelemetry,
  type TelemetryOptions,
} from './telemetry';

export interface CreateAppOptions {
  /**
   * Default: JSON lines through pino at `server.logLevel`, Nest's own and one per request.
   * `false`: no logs at all (tests). A logger or levels: Nest's logs go there, no request lines.
   */
  logger?: LoggerService | NestLogLevel[] | false;
  /** Where pino writes (default stdout); setting it turns pino on even with `logger: false`. */
  logDestination?: DestinationStream;
  version?: string;
  telemetry?: Partial<TelemetryOptions>;
}

/**
 * The fully wired application, not yet listening: used by `main.ts` and by the e2e tests, so
 * tests run exactly what production runs.
 */
export async function createGatewayApp(
  config: GatewayConfig,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const { bodyLimitBytes, bodyTimeoutMs } = config.server;
  // Errors under /v1/messages leave in Anthropic's envelope; every other route in OpenAI's.
  const envelopes = [ANTHROPIC_ERROR_ENVELOPE];
  const adapter = new FastifyAdapter({
    bodyLimit: bodyLimitBytes,
    genReqId: requestIdOf,
    // Node's request timeout runs from the first byte until the request (headers and body) has
    // arrived, not while the response streams: a slow or idle upload is cut, a long stream is
    // not. Node checks it on an interval (30 s by default), hence a finer one.
    requestTimeout: bodyTimeoutMs,
    http: {
      requestTimeout: bodyTimeoutMs,
      headersTimeout: Math.min(bodyTimeoutMs, NODE_HEADERS_TIMEOUT_MS),
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(bodyTimeoutMs / 4))),
    },
    clientErrorHandler: clientErrorHandler(bodyTimeoutMs, SECURITY_HEADERS),
    return503OnClosing: true,
    // No Nest middleware is mounted on any route (the request line is written from a hook): the
    // @fastify/middie hook would run for nothing on every request (issue 17).
    skipMiddie: true,
    // The router's own errors (a malformed URL escape) never reach Nest's filter; they still
    // leave in the route's envelope.
    frameworkErrors: (_error: unknown, request: FastifyRequest, reply: FastifyReply) => {
      const error = new GatewayException(ErrorCode.InvalidValue, ErrorMessages.malformedUrl());
      void reply
        .headers(SECURITY_HEADERS)
        .header('x-request-id', request.id)
        .status(error.status)
        .type('application/json; charset=utf-8')
        .send(errorBodyFor(envelopes, request.url, error));
    },
  });
  const pino =
    options.logDestination !== undefined || options.logger === undefined
      ? createGatewayLogger(config.server.logLevel, options.logDestination)
      : undefined;
  const module = AppModule.forRoot(config, {
    logging: pino ? { logger: pino } : undefined,
    telemetry: options.telemetry,
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    // With pino, start-up lines wait for its logger rather than going to Nest's console one.
    ...(pino
      ? { bufferLogs: true }
      : { logger: options.logger ?? nestLogLevels(config.server.logLevel) }),
    abortOnError: false,
    // Registered below, bounded: the JSON parser only (other types get 415).
    bodyParser: false,
  });
  if (pino) app.useLogger(app.get(PinoNestLogger));
  const fastify = app.getHttpAdapter().getInstance();
  app.useBodyParser(
    'application/json',
    { bodyLimit: bodyLimitBytes },
    boundedJsonParser(
      fastify.getDefaultJsonParser('error', 'error'),
      config.limits.request.maxJsonContainers,
    ),
  );
  // Beyond it a new connection is closed as it arrives: idle sockets cannot exhaust descriptors.
  app.getHttpServer().maxConnections = config.server.maxConnections;
  const filter = new OpenAiExceptionFilter(bodyLimitBytes, envelopes);
  app.useGlobalFilters(filter);
  app.useGlobalPipes(
    new OpenAiValidationPipe({
      ...config.limits.request,
      maxToolCalls: config.tools.maxCallsPerRound,
    }),
  );
  // CORS stays off (no headers; a preflight is an unknown route, 404) unless origins are listed.
  const origins = config.server.cors.allowedOrigins;
  if (origins.length > 0) app.enableCors(corsOptions(origins));
  // First, so every later hook and the handler run inside the request's server span.
  const sinks = app.get(RequestRecordSinks);
  if (pino) sinks.add(new RequestLog(pino));
  registerRequestTelemetry(fastify, app.get(MetricsService), sinks);
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.headers(SECURITY_HEADERS);
    reply.header('x-request-id', request.id);
    done();
  });
  fastify.addHook('onRequest', authenticateBeforeBody(app.get(ApiKeyService)));
  // After the global filter and pipe above: the hot route runs them itself (ADR 0015).
  registerHotRoutes(app);
  setupOpenApi(app, options.version ?? '0.0.0', [CHAT_COMPLETIONS_OPENAPI]);
  // docs/api.md §9: a graceful SIGTERM ends with exit code 0, not by re-raising the signal.
  app.enableShutdownHooks([], { useProcessExit: true });
  return app;
}

/** Node's own default: headers must arrive within a minute, and never after the body timeout. */
const NODE_HEADERS_TIMEOUT_MS = 60_000;

/**
 * On every answer. An SSE stream keeps its own `cache-control: no-cache` (the SSE writer's
 * headers win); Fastify sends no `x-powered-by`.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** What `app.enableCors` takes: `@fastify/cors` options (the Fastify adapter registers it). */
type CorsOptions = NonNullable<Parameters<NestFastifyApplication['enableCors']>[0]>;

/** Browsers may read what a caller needs: ids, routing, rate limits. Never credentials. */
function corsOptions(origins: readonly string[]): CorsOptions {
  return {
    origin: origins.includes('*') ? '*' : [...origins],
    methods: ['GET', 'POST'],
    credentials: false,
    exposedHeaders: [
      'x-request-id',
      'x-gateway-tier',
      'x-gateway-route-reason',
      'x-gateway-truncated-messages',
      'x-gateway-tool-rounds',
      'retry-after',
      'retry-after-ms',
      'x-ratelimit-limit-requests',
      'x-ratelimit-remaining-requests',
      'x-ratelimit-reset-requests',
      'x-ratelimit-limit-tokens',
      'x-ratelimit-remaining-tokens',
      'x-ratelimit-reset-tokens',
    ],
    maxAge: 600,
  };
}

const LEVELS: LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
const NEST_LEVEL: Record<LogLevel, NestLogLevel> = {
  trace: 'verbose',
  debug: 'debug',
  info: 'log',
  warn: 'warn',
  error: 'error',
  fatal: 'fatal',
};

export function nestLogLevels(level: LogLevel): NestLogLevel[] {
  return LEVELS.slice(LEVELS.indexOf(level)).map((l) => NEST_LEVEL[l]);
}

import type { LoggerService, LogLevel as NestLogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { OpenAiExceptionFilter } from './common/errors';
import { requestIdOf } from './common/http';
import { OpenAiValidationPipe } from './common/openai';
import type { GatewayConfig, LogLevel } from './config';
import { setupOpenApi } from './openapi/openapi.setup';

export interface CreateAppOptions {
  logger?: LoggerService | NestLogLevel[] | false;
  version?: string;
}

/**
 * The fully wired application, not yet listening: used by `main.ts` and by the e2e tests, so
 * tests run exactly what production runs.
 */
export async function createGatewayApp(
  config: GatewayConfig,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.server.bodyLimitBytes,
    genReqId: requestIdOf,
    // Streams may last minutes; Node's default request timeout would cut them.
    requestTimeout: 0,
    return503OnClosing: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: options.logger ?? nestLogLevels(config.server.logLevel),
    abortOnError: false,
  });
  const filter = new OpenAiExceptionFilter(config.server.bodyLimitBytes);
  app.useGlobalFilters(filter);
  app.useGlobalPipes(new OpenAiValidationPipe());
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  setupOpenApi(app, options.version ?? '0.0.0');
  // SPEC §9: a graceful SIGTERM ends with exit code 0, not by re-raising the signal.
  app.enableShutdownHooks([], { useProcessExit: true });
  return app;
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

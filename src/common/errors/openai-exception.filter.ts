import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isClientClosed } from '../http/client-abort';
import { ErrorCode } from './error-code';
import { errorBodyFor, type ErrorEnvelope } from './error-envelope';
import { ErrorMessages } from './errors.messages';
import { GatewayException } from './gateway.exception';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The error code the gateway answered with (its envelope's code), set where the error is
     * rendered: the request's telemetry and analytics count a refusal by it, not by its status.
     */
    answeredWith?: string;
  }
}

/** Fastify's own error codes that reach the filter before any handler runs. */
interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
}

/**
 * The one place that renders errors: everything thrown (ours, Nest's, Fastify's parser and
 * router errors) leaves as the OpenAI envelope of docs/api.md §6, or in the envelope of the
 * route's own API where one claims it (`envelopes`: the Anthropic front's). Streams that already sent their
 * first byte render the same envelope in-band (see the chat front); this filter only sees
 * replies that have not been hijacked.
 */
@Catch()
export class OpenAiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(
    private readonly bodyLimitBytes: number,
    private readonly envelopes: readonly ErrorEnvelope[] = [],
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    this.render(exception, ctx.getRequest<FastifyRequest>(), ctx.getResponse<FastifyReply>());
  }

  /**
   * What {@link catch} does, as a plain call: for a route served beside Nest's router (the chat
   * hot route, ADR 0015), whose errors must leave exactly as every other route's.
   */
  render(exception: unknown, request: FastifyRequest, reply: FastifyReply): void {
    if (isClientClosed(exception) || isUploadAborted(exception, request)) {
      // The caller left (during its upload, or while waiting for the answer): a normal ending,
      // nobody to answer; its request line says 499.
      this.logger.debug(
        `${request.method} ${request.url} [${request.id}]: client closed the connection`,
      );
      if (!reply.raw.writableEnded) reply.raw.end();
      return;
    }
    const error = this.toGatewayException(exception, request);
    if (error.status >= 500) {
      // The request id in the text: lines logged during a request are not bound to it.
      this.logger.error(
        `${request.method} ${request.url} [${request.id}] -> ${error.status} ${error.code}: ${error.message}` +
          (error.options.upstream
            ? ` (upstream ${error.options.upstream.origin ?? ''} status ${error.options.upstream.status ?? '-'})`
            : ''),
        error.code === ErrorCode.InternalError ? (exception as Error)?.stack : undefined,
      );
    }
    sendGatewayError(reply, error, errorBodyFor(this.envelopes, request.url, error));
  }

  toGatewayException(exception: unknown, request: FastifyRequest): GatewayException {
    if (exception instanceof GatewayException) return exception;
    if (exception instanceof HttpException) return this.fromHttpException(exception, request);
    const fastifyError = exception as FastifyLikeError;
    if (
      fastifyError &&
      typeof fastifyError.code === 'string' &&
      fastifyError.code.startsWith('FST_')
    ) {
      return this.fromFastifyError(fastifyError, request);
    }
    return new GatewayException(ErrorCode.InternalError, ErrorMessages.internal(), {
      cause: exception,
    });
  }

  private fromHttpException(exception: HttpException, request: FastifyRequest): GatewayException {
    const status = exception.getStatus();
    if (status === 404) {
      return new GatewayException(
        ErrorCode.NotFound,
        ErrorMessages.routeNotFound(request.method, request.url.split('?')[0]),
      );
    }
    if (status === 405) {
      return new GatewayException(
        ErrorCode.MethodNotAllowed,
        ErrorMessages.methodNotAllowed(request.method, request.url.split('?')[0]),
      );
    }
    if (status === 413) {
      return new GatewayException(
        ErrorCode.RequestTooLarge,
        ErrorMessages.bodyTooLarge(this.bodyLimitBytes),
      );
    }
    if (status === 415) {
      return new GatewayException(
        ErrorCode.UnsupportedMediaType,
        ErrorMessages.unsupportedMediaType(String(request.headers['content-type'] ?? '')),
      );
    }
    if (status === 400) {
      // Our own code throws GatewayException; a Nest 400 is Fastify's body parser, which Nest
      // re-wraps (dropping the FST_ code): a JSON syntax error or an empty JSON body.
      return /empty/i.test(exception.message)
        ? new GatewayException(ErrorCode.InvalidJson, ErrorMessages.emptyBody())
        : new GatewayException(ErrorCode.InvalidJson, ErrorMessages.invalidJson(exception.message));
    }
    if (status > 400 && status < 500) {
      return new GatewayException(ErrorCode.InvalidValue, exception.message, { status });
    }
    return new GatewayException(ErrorCode.InternalError, ErrorMessages.internal(), {
      cause: exception,
    });
  }

  private fromFastifyError(error: FastifyLikeError, request: FastifyRequest): GatewayException {
    switch (error.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return new GatewayException(
          ErrorCode.RequestTooLarge,
          ErrorMessages.bodyTooLarge(this.bodyLimitBytes),
        );
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return new GatewayException(ErrorCode.InvalidJson, ErrorMessages.emptyBody());
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return new GatewayException(
          ErrorCode.UnsupportedMediaType,
          ErrorMessages.unsupportedMediaType(String(request.headers['content-type'] ?? '')),
        );
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return new GatewayException(
          ErrorCode.InvalidJson,
          ErrorMessages.invalidJson(error.message ?? ''),
        );
      default:
        if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
          // Fastify's JSON parser raises a SyntaxError-derived error with statusCode 400.
          return new GatewayException(
            ErrorCode.InvalidJson,
            ErrorMessages.invalidJson(error.message ?? ''),
            {
              status: error.statusCode,
            },
          );
        }
        return new GatewayException(ErrorCode.InternalError, ErrorMessages.internal(), {
          cause: error,
        });
    }
  }
}

/**
 * Node's `aborted` error (ECONNRESET) from a request whose body the client stopped sending:
 * the body parser rejects with it after the socket closed (issue 13, finding 10).
 */
function isUploadAborted(exception: unknown, request: FastifyRequest): boolean {
  return (
    (exception as { code?: unknown } | null)?.code === 'ECONNRESET' &&
    (request.raw.readableAborted || request.raw.destroyed)
  );
}

/**
 * Writes a {@link GatewayException} on a reply that has not been sent: as the OpenAI envelope,
 * or as `body` when the route's API has its own.
 */
export function sendGatewayError(
  reply: FastifyReply,
  error: GatewayException,
  body: unknown = error.toBody(),
): void {
  if (reply.sent || reply.raw.headersSent) {
    if (!reply.raw.writableEnded) reply.raw.end();
    return;
  }
  reply.request.answeredWith = error.code;
  const headers = error.headers;
  if (headers) for (const name in headers) reply.header(name, headers[name]);
  void reply.status(error.status).type('application/json; charset=utf-8').send(body);
}

import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { ErrorCode } from './error-code';
import { ErrorMessages } from './errors.messages';
import { GatewayException } from './gateway.exception';

/**
 * The exception for an error Node's HTTP parser raises before any request exists (Fastify's
 * `clientErrorHandler`): a request that did not arrive in time, headers too large, bytes that
 * are not HTTP. `undefined` when there is nobody left to answer (the peer reset).
 */
export function clientErrorException(
  error: NodeJS.ErrnoException,
  bodyTimeoutMs: number,
): GatewayException | undefined {
  switch (error.code) {
    case 'ECONNRESET':
      return undefined;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new GatewayException(
        ErrorCode.RequestTimeout,
        ErrorMessages.requestTimeout(bodyTimeoutMs),
      );
    case 'HPE_HEADER_OVERFLOW':
      return new GatewayException(ErrorCode.HeadersTooLarge, ErrorMessages.headersTooLarge());
    default:
      return new GatewayException(ErrorCode.InvalidValue, ErrorMessages.malformedRequest());
  }
}

/**
 * Fastify's `clientErrorHandler`: answers docs/api.md §6's envelope rather than Fastify's own
 * `{"error":"Bad Request",…}` (issue 13, finding 11), then closes the connection (the parser's
 * state is lost; nothing more can be read from it).
 */
export function clientErrorHandler(
  bodyTimeoutMs: number,
  headers: Readonly<Record<string, string>>,
): (error: NodeJS.ErrnoException, socket: Duplex) => void {
  return (error, socket) => {
    const exception = socket.destroyed ? undefined : clientErrorException(error, bodyTimeoutMs);
    if (exception === undefined) return;
    if (socket.writable) {
      const body = JSON.stringify(exception.toBody());
      const lines = [
        `HTTP/1.1 ${exception.status} ${STATUS_CODES[exception.status] ?? 'Error'}`,
        'content-type: application/json; charset=utf-8',
        `content-length: ${Buffer.byteLength(body)}`,
        'connection: close',
        ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
      ];
      socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
    }
    socket.destroy();
  };
}

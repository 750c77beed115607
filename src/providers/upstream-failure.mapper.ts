import { errors as undiciErrors } from 'undici';
import { ErrorCode, ErrorMessages, GatewayException } from '../common/errors';
import type { TimedOut } from './dispatch-call';
import type { UpstreamCallOptions } from './upstream.interface';

/*
 * What ends an upstream call, mapped to what the caller is told: the transport's failures
 * (undici's errors, socket codes, our own deadlines) and over-large answers, as the closed
 * set of gateway errors. The wire JSON's own mapping is `openai-wire.mapper.ts`.
 */

/** Of an error answer, only this much is kept (for its message); the rest is read and dropped. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

export function tooLarge(origin: string, limit: number, stream: boolean): GatewayException {
  return new GatewayException(
    ErrorCode.UpstreamError,
    stream ? ErrorMessages.upstreamLineTooLarge(limit) : ErrorMessages.upstreamTooLarge(limit),
    { upstream: { origin } },
  );
}

const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'EAI_AGAIN',
]);

function isSocketFailure(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return (
    (code !== undefined && SOCKET_CODES.has(code)) ||
    error instanceof undiciErrors.SocketError ||
    error instanceof undiciErrors.ClientDestroyedError
  );
}

function errorName(error: unknown): string {
  const code = (error as { code?: string } | null)?.code;
  return code ?? (error instanceof Error ? error.name : 'unknown failure');
}

/** Maps whatever ended a call to what the caller is told (a caller abort: its own reason, as is). */
export function toGatewayError(
  error: unknown,
  call: { readonly timedOut: TimedOut; readonly timedOutAfterMs: number },
  options: UpstreamCallOptions,
  origin: string,
  streaming = false,
): unknown {
  if (error instanceof GatewayException) return error;
  const upstream = { origin };
  if (call.timedOut === 'idle' || error instanceof undiciErrors.BodyTimeoutError) {
    const ms = call.timedOut === 'idle' ? call.timedOutAfterMs : (options.idleMs ?? 0);
    return new GatewayException(ErrorCode.UpstreamTimeout, ErrorMessages.upstreamStalled(ms), {
      upstream,
      cause: error,
    });
  }
  if (call.timedOut || error instanceof undiciErrors.HeadersTimeoutError) {
    const ms = call.timedOut ? call.timedOutAfterMs : (options.ttfbMs ?? options.timeoutMs);
    return new GatewayException(ErrorCode.UpstreamTimeout, ErrorMessages.upstreamTimeout(ms), {
      upstream,
      cause: error,
    });
  }
  // A caller abort is passed on as is: it is a normal ending, and nobody is left to answer.
  if (options.signal.aborted) return options.signal.reason ?? error;
  if (error instanceof undiciErrors.ConnectTimeoutError) {
    return new GatewayException(ErrorCode.UpstreamError, ErrorMessages.upstreamUnreachable(), {
      upstream,
      cause: error,
    });
  }
  if (isSocketFailure(error) && !streaming) {
    return new GatewayException(ErrorCode.UpstreamError, ErrorMessages.upstreamUnreachable(), {
      upstream,
      cause: error,
    });
  }
  return new GatewayException(
    ErrorCode.UpstreamError,
    ErrorMessages.upstreamStreamBroken(errorName(error)),
    {
      upstream,
      cause: error,
    },
  );
}

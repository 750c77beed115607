import { asGatewayException, type ErrorEnvelope } from '../common/errors';
import type { AnthropicErrorBody, AnthropicErrorType } from './anthropic.types';

/**
 * Anthropic's error `type` for an HTTP status, as its API pairs them: 400 invalid_request_error,
 * 401 authentication_error, 403 permission_error, 404 not_found_error, 413 request_too_large,
 * 429 rate_limit_error, 503 and 529 overloaded_error, other 5xx api_error. A status of its own
 * the gateway answers (405, 408, 415, 431; 502, 504) keeps its status with the nearest type.
 */
export function anthropicErrorType(status: number): AnthropicErrorType {
  switch (status) {
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 503:
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

/** Any failure → Anthropic's envelope `{"type":"error","error":{"type","message"}}`. */
export function toAnthropicErrorBody(error: unknown): AnthropicErrorBody {
  const failure = asGatewayException(error);
  return {
    type: 'error',
    error: { type: anthropicErrorType(failure.status), message: failure.message },
  };
}

/** The routes whose errors are Anthropic's: `/v1/messages` and everything under it. */
export function isMessagesRoute(path: string): boolean {
  return path === '/v1/messages' || path.startsWith('/v1/messages/');
}

/** Given to the one exception filter: errors under `/v1/messages` leave in Anthropic's envelope. */
export const ANTHROPIC_ERROR_ENVELOPE: ErrorEnvelope = {
  appliesTo: isMessagesRoute,
  body: toAnthropicErrorBody,
};

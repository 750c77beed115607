import { ErrorCode, GatewayException } from '../common/errors';
import {
  ANTHROPIC_ERROR_ENVELOPE,
  anthropicErrorType,
  isMessagesRoute,
  toAnthropicErrorBody,
} from './anthropic-error.envelope';

describe('anthropicErrorType', () => {
  it.each([
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
    [403, 'permission_error'],
    [404, 'not_found_error'],
    [405, 'invalid_request_error'],
    [408, 'invalid_request_error'],
    [413, 'request_too_large'],
    [415, 'invalid_request_error'],
    [429, 'rate_limit_error'],
    [500, 'api_error'],
    [502, 'api_error'],
    [503, 'overloaded_error'],
    [504, 'api_error'],
    [529, 'overloaded_error'],
  ])('status %d → %s', (status, type) => {
    expect(anthropicErrorType(status)).toBe(type);
  });
});

describe('toAnthropicErrorBody', () => {
  it.each<[ErrorCode, number, string]>([
    [ErrorCode.InvalidValue, 400, 'invalid_request_error'],
    [ErrorCode.InvalidApiKey, 401, 'authentication_error'],
    [ErrorCode.ModelNotAllowed, 403, 'permission_error'],
    [ErrorCode.ModelNotFound, 404, 'not_found_error'],
    [ErrorCode.RequestTooLarge, 413, 'request_too_large'],
    [ErrorCode.RateLimitExceeded, 429, 'rate_limit_error'],
    [ErrorCode.InternalError, 500, 'api_error'],
    [ErrorCode.UpstreamError, 502, 'api_error'],
    [ErrorCode.TierUnavailable, 503, 'overloaded_error'],
    [ErrorCode.Overloaded, 503, 'overloaded_error'],
    [ErrorCode.UpstreamTimeout, 504, 'api_error'],
  ])('%s (%d) → exactly {type: error, error: {type: %s, message}}', (code, status, type) => {
    const error = new GatewayException(code, 'what went wrong');
    expect(error.status).toBe(status);
    expect(toAnthropicErrorBody(error)).toEqual({
      type: 'error',
      error: { type, message: 'what went wrong' },
    });
  });

  it('keeps an upstream 4xx status passed through', () => {
    const error = new GatewayException(ErrorCode.InvalidValue, 'too long', { status: 422 });
    expect(toAnthropicErrorBody(error).error.type).toBe('invalid_request_error');
  });

  it('hides an unknown failure behind a 500 api_error', () => {
    expect(toAnthropicErrorBody(new Error('secret stack'))).toEqual({
      type: 'error',
      error: { type: 'api_error', message: 'The gateway failed to process the request.' },
    });
  });
});

describe('isMessagesRoute', () => {
  it.each([
    ['/v1/messages', true],
    ['/v1/messages/count_tokens', true],
    ['/v1/messages/anything', true],
    ['/v1/messagesx', false],
    ['/v1/chat/completions', false],
    ['/v1/responses', false],
  ])('%s → %s', (path, expected) => {
    expect(isMessagesRoute(path)).toBe(expected);
    expect(ANTHROPIC_ERROR_ENVELOPE.appliesTo(path)).toBe(expected);
  });
});

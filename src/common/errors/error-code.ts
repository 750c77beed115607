/**
 * The closed set of errors the gateway answers with (docs/api.md §6). Adding a code without mapping it
 * in {@link describeErrorCode} stops the build: the `switch` is exhaustive.
 */
export enum ErrorCode {
  InvalidValue = 'invalid_value',
  InvalidJson = 'invalid_json',
  MissingField = 'missing_required_parameter',
  ContextLengthExceeded = 'context_length_exceeded',
  InvalidApiKey = 'invalid_api_key',
  ModelNotAllowed = 'model_not_allowed',
  /** An operator endpoint called with a client key (`auth.keys[].role`). */
  AdminRequired = 'admin_required',
  ModelNotFound = 'model_not_found',
  NotFound = 'not_found',
  MethodNotAllowed = 'method_not_allowed',
  UnsupportedMediaType = 'unsupported_media_type',
  RequestTooLarge = 'request_too_large',
  /** The request's headers and body did not arrive within `server.body_timeout_ms`. */
  RequestTimeout = 'request_timeout',
  HeadersTooLarge = 'request_header_fields_too_large',
  RateLimitExceeded = 'rate_limit_exceeded',
  /** The key's hard budget for its period cannot hold the request (OpenAI's own code and type). */
  InsufficientQuota = 'insufficient_quota',
  UpstreamError = 'upstream_error',
  TierUnavailable = 'tier_unavailable',
  Overloaded = 'overloaded',
  UpstreamTimeout = 'upstream_timeout',
  InternalError = 'internal_error',
}

export type OpenAiErrorType =
  | 'invalid_request_error'
  | 'permission_error'
  | 'rate_limit_error'
  | 'insufficient_quota'
  | 'api_error';

export interface ErrorCodeDescription {
  status: number;
  type: OpenAiErrorType;
  /** Whether another attempt (on another replica, or later) may succeed. */
  retryable: boolean;
}

export function describeErrorCode(code: ErrorCode): ErrorCodeDescription {
  switch (code) {
    case ErrorCode.InvalidValue:
    case ErrorCode.InvalidJson:
    case ErrorCode.MissingField:
    case ErrorCode.ContextLengthExceeded:
      return { status: 400, type: 'invalid_request_error', retryable: false };
    case ErrorCode.InvalidApiKey:
      return { status: 401, type: 'invalid_request_error', retryable: false };
    case ErrorCode.ModelNotAllowed:
    case ErrorCode.AdminRequired:
      return { status: 403, type: 'permission_error', retryable: false };
    case ErrorCode.ModelNotFound:
    case ErrorCode.NotFound:
      return { status: 404, type: 'invalid_request_error', retryable: false };
    case ErrorCode.MethodNotAllowed:
      return { status: 405, type: 'invalid_request_error', retryable: false };
    case ErrorCode.UnsupportedMediaType:
      return { status: 415, type: 'invalid_request_error', retryable: false };
    case ErrorCode.RequestTooLarge:
      return { status: 413, type: 'invalid_request_error', retryable: false };
    case ErrorCode.RequestTimeout:
      return { status: 408, type: 'invalid_request_error', retryable: true };
    case ErrorCode.HeadersTooLarge:
      return { status: 431, type: 'invalid_request_error', retryable: false };
    case ErrorCode.RateLimitExceeded:
      return { status: 429, type: 'rate_limit_error', retryable: true };
    case ErrorCode.InsufficientQuota:
      return { status: 429, type: 'insufficient_quota', retryable: false };
    case ErrorCode.UpstreamError:
      return { status: 502, type: 'api_error', retryable: true };
    case ErrorCode.TierUnavailable:
    case ErrorCode.Overloaded:
      return { status: 503, type: 'api_error', retryable: true };
    case ErrorCode.UpstreamTimeout:
      return { status: 504, type: 'api_error', retryable: true };
    case ErrorCode.InternalError:
      return { status: 500, type: 'api_error', retryable: false };
  }
}

import { ErrorCode, describeErrorCode, type OpenAiErrorType } from './error-code';
import type { OpenAiErrorBody } from '../openai/chat.types';

export interface GatewayExceptionOptions {
  /** The request field at fault, reported as the envelope's `param`. */
  param?: string | null;
  /** Overrides the status of the code's mapping; used when passing an upstream 4xx through. */
  status?: number;
  /** Overrides the envelope's `type` (an upstream 4xx keeps its own). */
  type?: string;
  /** Overrides the envelope's `code` string (an upstream 4xx keeps its own). */
  wireCode?: string | null;
  /** Extra response headers, such as `retry-after`. */
  headers?: Record<string, string>;
  /**
   * The caller's error as one replica saw it, over that replica's own limits (llama.cpp's batch
   * size): a pool tries it once on another replica, which may be configured otherwise.
   */
  retryElsewhere?: boolean;
  /** The upstream's raw status and body, for logs and traces only: never sent to the client. */
  upstream?: { status?: number; body?: string; origin?: string };
  cause?: unknown;
}

/**
 * The one exception the gateway throws on purpose. Its message is written for the caller (it
 * must never contain a key or an upstream's raw body; an upstream's own error message may be
 * relayed, scrubbed of secrets); everything diagnostic lives beside it.
 */
export class GatewayException extends Error {
  readonly status: number;
  readonly type: OpenAiErrorType | string;
  readonly retryable: boolean;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: GatewayExceptionOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayException';
    const described = describeErrorCode(code);
    this.status = options.status ?? described.status;
    this.type = options.type ?? described.type;
    this.retryable = described.retryable;
  }

  get param(): string | null {
    return this.options.param ?? null;
  }

  get headers(): Record<string, string> | undefined {
    return this.options.headers;
  }

  toBody(): OpenAiErrorBody {
    return {
      error: {
        message: this.message,
        type: this.type,
        param: this.param,
        code: this.options.wireCode !== undefined ? this.options.wireCode : this.code,
      },
    };
  }
}

/** Anything thrown → a {@link GatewayException}; unknown failures become a 500 that hides details. */
export function asGatewayException(error: unknown): GatewayException {
  if (error instanceof GatewayException) return error;
  return new GatewayException(
    ErrorCode.InternalError,
    'The gateway failed to process the request.',
    {
      cause: error,
    },
  );
}

export { ErrorCode, describeErrorCode } from './error-code';
export type { ErrorCodeDescription, OpenAiErrorType } from './error-code';
export { GatewayException, asGatewayException } from './gateway.exception';
export type { GatewayExceptionOptions } from './gateway.exception';
export { ErrorMessages } from './errors.messages';
export { clientErrorException, clientErrorHandler } from './client-error.handler';
export { OpenAiExceptionFilter, sendGatewayError } from './openai-exception.filter';
export { errorBodyFor, type ErrorEnvelope } from './error-envelope';

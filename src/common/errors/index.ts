export { ErrorCode, describeErrorCode } from './error-code';
export type { ErrorCodeDescription, OpenAiErrorType } from './error-code';
export { GatewayException, asGatewayException } from './gateway.exception';
export type { GatewayExceptionOptions } from './gateway.exception';
export { ErrorMessages } from './errors.messages';
export { OpenAiExceptionFilter, sendGatewayError } from './openai-exception.filter';

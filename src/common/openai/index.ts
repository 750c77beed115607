export * from './chat.types';
export {
  ChatCompletionRequestDto,
  ChatMessageDto,
  CompletionRequestDto,
  EmbeddingRequestDto,
  StreamOptionsDto,
} from './chat-completion-request.dto';
export { OpenAiValidationPipe, validationFailure } from './openai-validation.pipe';
export { boundedJsonParser, hasMoreContainers } from './json-body.parser';
export { checkRequestBounds, deeperThan, type RequestBounds } from './request-bounds';
export { carryStreamFields, finishesChoice } from './stream-fields';

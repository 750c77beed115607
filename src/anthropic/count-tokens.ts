import { estimatePromptTokens } from '../common/tokens';
import type { CountTokensRequest } from './anthropic.types';
import { toChatMessages, toChatTool } from './messages-request.translator';

/**
 * `POST /v1/messages/count_tokens`: the gateway's one token estimate (common/tokens) of the chat
 * request the Messages request becomes — the same number routing's context fit and the key's
 * token limit reserve for it. An estimate, not the upstream tokenizer's count.
 */
export function countInputTokens(request: CountTokensRequest): number {
  return estimatePromptTokens(toChatMessages(request), request.tools?.map(toChatTool));
}

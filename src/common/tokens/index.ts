export {
  estimateInputTokens,
  estimateMessageTokens,
  estimatePromptTokens,
  estimateTextTokens,
} from './token-estimate';

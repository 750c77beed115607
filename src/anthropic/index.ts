export { AnthropicModule } from './anthropic.module';
export { ANTHROPIC_ERROR_ENVELOPE } from './anthropic-error.envelope';

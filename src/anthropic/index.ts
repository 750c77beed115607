export { ANTHROPIC_ERROR_ENVELOPE } from './anthropic-error.envelope';

export { AuthModule } from './auth.module';
export { ANONYMOUS_KEY_NAME, ApiKeyService } from './api-key.service';
export { authenticateBeforeBody } from './api-key.guard';
export type { CallerIdentity, KeyPolicy } from './api-key.service';
export {
  allowedChatTiers,
  assertModelAllowed,
  confineRoute,
  isModelAllowed,
  mayUseModel,
  mayUseTier,
  mayUseTool,
} from './key-access';
export { Public } from './public.decorator';
export { AcceptsApiKeyHeader } from './api-key-header.decorator';

export { AuthModule } from './auth.module';
export { ANONYMOUS_KEY_NAME, ApiKeyService } from './api-key.service';
export {
  ApiKeyGuard,
  authenticateBeforeBody,
  authorizeRequest,
  KEYED_ROUTE,
  type RouteAccess,
} from './api-key.guard';
export type { CallerIdentity, KeyPolicy, KeyRole } from './api-key.service';
export { AdminOnly } from './admin-only.decorator';
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

export { AuthModule } from './auth.module';
export { ApiKeyService } from './api-key.service';
export type { CallerIdentity } from './api-key.service';
export { Public } from './public.decorator';

import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeyService } from './api-key.service';
import { AUTH_CONFIG } from './auth.config';

/** Client API keys: every route needs one unless marked `@Public()` or `GATEWAY_AUTH=disabled`. */
@Module({
  providers: [AUTH_CONFIG.provider, ApiKeyService, { provide: APP_GUARD, useClass: ApiKeyGuard }],
  exports: [ApiKeyService],
})
export class AuthModule {}

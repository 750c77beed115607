import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { GatewayConfig } from '../config';
import { TierRoutingModule } from '../tier-routing';
import { MemoryResponseStore, RedisResponseStore, type ResponseStore } from './response-store';
import type { ResponsesOptions } from './responses-options';
import { RESPONSE_STORE, RESPONSES_OPTIONS } from './responses.constants';
import { ResponsesController } from './responses.controller';
import { ResponsesService } from './responses.service';

/** The OpenAI Responses front: `POST /v1/responses` over the chat seam, and stored responses. */
@Module({
  imports: [TierRoutingModule],
  controllers: [ResponsesController],
  providers: [
    ResponsesService,
    {
      provide: RESPONSES_OPTIONS,
      useFactory: (config: ConfigService<GatewayConfig, true>): ResponsesOptions =>
        config.get('responses', { infer: true }),
      inject: [ConfigService],
    },
    {
      provide: RESPONSE_STORE,
      useFactory: (
        options: ResponsesOptions,
        config: ConfigService<GatewayConfig, true>,
      ): ResponseStore => {
        const { ttlSeconds, maxEntries, keyPrefix } = options.store;
        const url = config.get('redis', { infer: true }).url;
        return url
          ? RedisResponseStore.connect(url, ttlSeconds * 1000, keyPrefix)
          : new MemoryResponseStore(ttlSeconds * 1000, maxEntries);
      },
      inject: [RESPONSES_OPTIONS, ConfigService],
    },
  ],
})
export class ResponsesModule {}

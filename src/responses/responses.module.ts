import { Module } from '@nestjs/common';
import { TierRoutingModule } from '../tier-routing';
import { MemoryResponseStore, RedisResponseStore, type ResponseStore } from './response-store';
import type { ResponsesOptions } from './responses-options';
import { RESPONSES_CONFIG, type ResponsesSlice } from './responses.config';
import { RESPONSE_STORE, RESPONSES_OPTIONS } from './responses.constants';
import { ResponsesController } from './responses.controller';
import { ResponsesService } from './responses.service';

/** The OpenAI Responses front: `POST /v1/responses` over the chat seam, and stored responses. */
@Module({
  imports: [TierRoutingModule],
  controllers: [ResponsesController],
  providers: [
    RESPONSES_CONFIG.provider,
    ResponsesService,
    {
      provide: RESPONSES_OPTIONS,
      useFactory: (config: ResponsesSlice): ResponsesOptions => config.responses,
      inject: [RESPONSES_CONFIG.token],
    },
    {
      provide: RESPONSE_STORE,
      useFactory: (options: ResponsesOptions, config: ResponsesSlice): ResponseStore => {
        const { ttlSeconds, maxEntries, keyPrefix } = options.store;
        const url = config.redis.url;
        return url
          ? RedisResponseStore.connect(url, ttlSeconds * 1000, keyPrefix)
          : new MemoryResponseStore(ttlSeconds * 1000, maxEntries);
      },
      inject: [RESPONSES_OPTIONS, RESPONSES_CONFIG.token],
    },
  ],
})
export class ResponsesModule {}

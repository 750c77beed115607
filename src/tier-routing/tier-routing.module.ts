import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LimitsModule, LimitsService } from '../limits';
import { ProvidersModule, UpstreamPoolsService } from '../providers';
import { ToolsModule } from '../tools';
import { ChatCompletionsHandler } from './chat-completions.handler';
import { ChatCompletionsService } from './chat-completions.service';
import { ChatInferenceService } from './chat-inference.service';
import { embeddingsPortFor, explicitModelResolverFor, routeAdmissionFor } from './classifier-ports';
import { TierClassifiersModule } from './classifiers';
import { CompletionsController } from './completions.controller';
import { EmbeddingsController } from './embeddings.controller';
import { InferenceResponder } from './inference-responder';
import { ModelCatalogModule } from './model-catalog.module';
import { ModelCatalogService } from './model-catalog.service';
import { ModelsController } from './models.controller';
import { TierRouterService } from './tier-router.service';
import { TIER_ROUTING_CONFIG, type TierRoutingSlice } from './tier-routing.config';
import { TiersHealthIndicator } from './tiers.health';
import { ToolLoopResponder } from './tool-loop-responder';

/** Model catalog, tier classification and the OpenAI-compatible `/v1` front. */
@Module({
  imports: [
    TerminusModule,
    ProvidersModule,
    ToolsModule,
    LimitsModule,
    ModelCatalogModule,
    TierClassifiersModule.register({
      imports: [ProvidersModule, ModelCatalogModule, LimitsModule],
      embeddings: {
        useFactory: (pools: UpstreamPoolsService, config: TierRoutingSlice) =>
          embeddingsPortFor(pools, config),
        inject: [UpstreamPoolsService, TIER_ROUTING_CONFIG.token],
      },
      explicitModel: { useFactory: explicitModelResolverFor, inject: [ModelCatalogService] },
      routeAdmission: {
        useFactory: routeAdmissionFor,
        inject: [LimitsService, ModelCatalogService],
      },
    }),
  ],
  // POST /v1/chat/completions is served beside Nest's router (chat-completions.route.ts, ADR 0015).
  controllers: [CompletionsController, EmbeddingsController, ModelsController],
  providers: [
    TIER_ROUTING_CONFIG.provider,
    TierRouterService,
    ChatCompletionsHandler,
    ChatCompletionsService,
    ChatInferenceService,
    InferenceResponder,
    ToolLoopResponder,
    TiersHealthIndicator,
  ],
  exports: [
    ModelCatalogModule,
    ChatCompletionsHandler,
    TierRouterService,
    TiersHealthIndicator,
    InferenceResponder,
    ChatInferenceService,
  ],
})
export class TierRoutingModule {}

import { Module } from '@nestjs/common';
import { ProvidersModule } from '../providers';
import { ChatCompletionsController } from './chat-completions.controller';
import { ChatCompletionsService } from './chat-completions.service';
import { ReasoningHintClassifier } from './classifiers/hint.classifier';
import { TIER_CLASSIFIER } from './classifiers/tier-classifier.interface';
import { CompletionsController } from './completions.controller';
import { EmbeddingsController } from './embeddings.controller';
import { ModelCatalogService } from './model-catalog.service';
import { ModelsController } from './models.controller';
import { TierRouterService } from './tier-router.service';

/** Model catalog, tier classification and the OpenAI-compatible `/v1` front. */
@Module({
  imports: [ProvidersModule],
  controllers: [
    ChatCompletionsController,
    CompletionsController,
    EmbeddingsController,
    ModelsController,
  ],
  providers: [
    ModelCatalogService,
    TierRouterService,
    ChatCompletionsService,
    ReasoningHintClassifier,
    { provide: TIER_CLASSIFIER, useExisting: ReasoningHintClassifier },
  ],
  exports: [ModelCatalogService, TierRouterService],
})
export class TierRoutingModule {}

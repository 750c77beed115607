import { Module } from '@nestjs/common';
import { ModelCatalogService } from './model-catalog.service';
import { TIER_ROUTING_CONFIG } from './tier-routing.config';

/**
 * The model catalog on its own, so the classifiers' debug endpoint can resolve names too. Exports
 * the tier-routing slice as well: the classifiers' embeddings port is bound with it.
 */
@Module({
  providers: [TIER_ROUTING_CONFIG.provider, ModelCatalogService],
  exports: [ModelCatalogService, TIER_ROUTING_CONFIG.token],
})
export class ModelCatalogModule {}

import { Module } from '@nestjs/common';
import { ModelCatalogService } from './model-catalog.service';

/** The model catalog on its own, so the classifiers' debug endpoint can resolve names too. */
@Module({
  providers: [ModelCatalogService],
  exports: [ModelCatalogService],
})
export class ModelCatalogModule {}

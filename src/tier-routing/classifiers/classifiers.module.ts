import {
  Module,
  type DynamicModule,
  type ExistingProvider,
  type FactoryProvider,
  type ModuleMetadata,
  type Provider,
  type ValueProvider,
} from '@nestjs/common';
import { CascadeClassifier } from './cascade.classifier';
import { CLASSIFIERS_CONFIG } from './classifiers.config';
import { EMBEDDINGS_PORT, EXPLICIT_MODEL_RESOLVER, ROUTE_ADMISSION } from './classifiers.constants';
import { LearnedClassifier } from './learned.classifier';
import { RouteController } from './route.controller';
import { RulesClassifier } from './rules.classifier';
import { SemanticClassifier } from './semantic.classifier';
import { TIER_CLASSIFIER } from './tier-classifier.interface';

/** A provider definition without its token (the module supplies the token). */
export type PortBinding =
  | Omit<ValueProvider, 'provide'>
  | Omit<FactoryProvider, 'provide'>
  | Omit<ExistingProvider, 'provide'>;

export interface TierClassifiersModuleOptions {
  /** Modules whose providers the bindings below inject. */
  imports?: ModuleMetadata['imports'];
  /** Binds {@link EMBEDDINGS_PORT} (the `semantic` step abstains without it). */
  embeddings?: PortBinding;
  /** Binds {@link EXPLICIT_MODEL_RESOLVER} (used by `POST /v1/route` for an explicit `model`). */
  explicitModel?: PortBinding;
  /** Binds {@link ROUTE_ADMISSION} (keys and limits for `POST /v1/route`). */
  routeAdmission?: PortBinding;
}

const bind = (provide: symbol, binding: PortBinding | undefined): Provider[] =>
  binding ? [{ provide, ...binding } as Provider] : [];

/**
 * The tier classifiers and the cascade that combines them, by configuration (`routing.*`).
 * Exports `TIER_CLASSIFIER` (the cascade) and `CascadeClassifier` (its `explain`, its decision
 * counters); serves `POST /v1/route`. Reads its `CLASSIFIERS_CONFIG` slice (needs the global `ConfigService`).
 */
@Module({
  controllers: [RouteController],
  providers: [
    CLASSIFIERS_CONFIG.provider,
    RulesClassifier,
    LearnedClassifier,
    SemanticClassifier,
    CascadeClassifier,
    { provide: TIER_CLASSIFIER, useExisting: CascadeClassifier },
  ],
  exports: [TIER_CLASSIFIER, CascadeClassifier],
})
export class TierClassifiersModule {
  /** The module with its optional ports bound (the static module leaves them unbound). */
  static register(options: TierClassifiersModuleOptions = {}): DynamicModule {
    return {
      module: TierClassifiersModule,
      imports: options.imports ?? [],
      providers: [
        ...bind(EMBEDDINGS_PORT, options.embeddings),
        ...bind(EXPLICIT_MODEL_RESOLVER, options.explicitModel),
        ...bind(ROUTE_ADMISSION, options.routeAdmission),
      ],
    };
  }
}

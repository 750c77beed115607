export { TierClassifiersModule } from './classifiers.module';
export type { TierClassifiersModuleOptions, PortBinding } from './classifiers.module';
export { CascadeClassifier, reasoningEffortVerdict } from './cascade.classifier';
export type { DecisionStep, RouteExplanation } from './cascade.classifier';
export {
  EMBEDDINGS_PORT,
  EXPLICIT_MODEL_RESOLVER,
  LEARNED_MODEL_ARTIFACT,
  ROUTE_ADMISSION,
  SEMANTIC_EXEMPLARS,
} from './classifiers.constants';
export type {
  EmbeddingsPort,
  ExplicitModelResolver,
  RouteAdmission,
} from './classifiers.constants';
export { TIER_CLASSIFIER } from './tier-classifier.interface';
export type {
  ClassificationInput,
  ClassificationScope,
  TierClassifier,
  TierVerdict,
} from './tier-classifier.interface';
export type { StepExplanation } from './scoring-classifier';

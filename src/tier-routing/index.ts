export { TierRoutingModule } from './tier-routing.module';
export { ModelCatalogService } from './model-catalog.service';
export { TierRouterService } from './tier-router.service';
export type { RouteDecision, RouteRequest } from './tier-router.service';
export { TiersHealthIndicator, type TierHealth } from './tiers.health';
export type { TierService } from './tier-availability';
export type {
  ClassificationInput,
  TierClassifier,
  TierVerdict,
} from './classifiers/tier-classifier.interface';
export { TIER_CLASSIFIER } from './classifiers/tier-classifier.interface';
export { ChatInferenceService } from './chat-inference.service';
export { InferenceResponder, type InferenceExchange } from './inference-responder';
export { ChatCompletionsHandler } from './chat-completions.handler';
export {
  CHAT_COMPLETIONS_OPENAPI,
  CHAT_COMPLETIONS_PATH,
  registerChatCompletionsRoute,
  type RouteEdge,
} from './chat-completions.route';

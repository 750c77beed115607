export { AnalyticsModule } from './analytics.module';
export { AnalyticsService } from './analytics.service';
export {
  ANALYTICS_OPTIONS,
  KEY_BUDGETS,
  PROVIDER_PRICING,
  type BudgetStatus,
  type KeyBudgets,
  type ModelPrice,
  type ProviderPricing,
} from './analytics.constants';

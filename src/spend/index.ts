export { SpendModule } from './spend.module';
export { PricingService, type PricingCatalog } from './pricing.service';
export { BudgetService, type BudgetStatus, type SpendReport } from './budget.service';
export { SpendService, type SpendAdmit } from './spend.service';
export { SpendTicket, type SpendEnd, type SpendResult } from './spend-ticket';
export type { ModelPrice } from './token-cost';
export { SPEND_OPTIONS, type SpendOptions } from './spend.options';
export { COST_HEADER } from './spend.constants';

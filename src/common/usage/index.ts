export { chargeableCount, tokenCount, UsageTotal, type ChargedUsage } from './usage-total';
export type { RequestAccounting } from './request-accounting';

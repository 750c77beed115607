export { tokenCount, UsageTotal } from './usage-total';
export type { RequestAccounting } from './request-accounting';

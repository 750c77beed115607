export { tokenCount, UsageTotal } from './usage-total';

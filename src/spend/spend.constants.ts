/** Injection token of the {@link SpendStore} (in memory, or Redis when `redis.url` is set). */
export const SPEND_STORE = 'TIERGATE_SPEND_STORE';

/** The cost of a non-streamed answer: `0.00042 USD` (`; unpriced` when a call had no price). */
export const COST_HEADER = 'x-gateway-cost';

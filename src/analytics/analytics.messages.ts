/** Log lines and error texts of the analytics module. */
export const AnalyticsMessages = {
  storeFailed: (detail: string) =>
    `Analytics could not be written to the shared store (${detail}); figures wait in memory and are retried`,
  storeRecovered: () => 'Analytics are written to the shared store again',
  dropped: (deltas: number) =>
    `Analytics dropped ${deltas} unflushed bucket updates while the shared store was unreachable`,
  badWindow: (value: string, allowed: readonly string[]) =>
    `Unknown window '${value}'; expected one of ${allowed.join(', ')}.`,
  badDimension: (value: string, allowed: readonly string[]) =>
    `Unknown grouping '${value}'; expected one of ${allowed.join(', ')}.`,
  unknownReplica: (pool: string, id: string) => `No replica '${id}' in pool '${pool}'.`,
  storeUnreadable: () =>
    'Analytics cannot be read right now (the shared store is unreachable); retry shortly.',
} as const;

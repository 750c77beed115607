/** Log lines of the health module (docs/api.md §9's shutdown sequence). */
export const HealthMessages = {
  shutdownBegun: (signal: string | undefined, inFlight: number) =>
    `Shutdown begun${signal ? ` (${signal})` : ''}: readiness now reports 503; ${inFlight} request(s) in flight`,
  closingServer: (inFlight: number, graceMs: number) =>
    `Refusing new connections; waiting up to ${graceMs} ms for ${inFlight} request(s) in flight`,
  graceOver: (inFlight: number) =>
    `Grace period over: closing the connections of ${inFlight} unfinished request(s)`,
} as const;

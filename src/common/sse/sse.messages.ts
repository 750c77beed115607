/** Texts the SSE unit writes to clients, kept here so specs can assert on them. */
export const SseMessages = {
  /** The in-band error when the caller's error mapping itself failed. */
  streamFailed: (): string => 'The stream failed unexpectedly.',
} as const;

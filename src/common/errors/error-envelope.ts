import type { GatewayException } from './gateway.exception';

/**
 * How the errors of a family of routes are written, when their API is not OpenAI's (the
 * Anthropic front): the status and headers stay the {@link GatewayException}'s, the body is the
 * envelope's. Routes no envelope claims get the OpenAI envelope (docs/api.md §6).
 */
export interface ErrorEnvelope {
  /** Whether this envelope answers a request to `path` (the URL without its query). */
  appliesTo(path: string): boolean;
  body(error: GatewayException): unknown;
}

/** The body of `error` for a request to `url` (query allowed), in the envelope of its route. */
export function errorBodyFor(
  envelopes: readonly ErrorEnvelope[],
  url: string,
  error: GatewayException,
): unknown {
  if (envelopes.length === 0) return error.toBody();
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  for (const envelope of envelopes) if (envelope.appliesTo(path)) return envelope.body(error);
  return error.toBody();
}

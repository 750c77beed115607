import type { TierTimeouts } from '../config';
import type { UpstreamCallOptions } from './upstream.interface';

/**
 * A tier's (or the embeddings') configured timeouts as call options: the deadline over every
 * attempt, time to first byte and idle per attempt, and the wait for a free replica.
 *
 * @example
 * route.pool.chat(body, { signal, requestId, ...callTimeouts(route.config.timeouts) });
 */
export function callTimeouts(
  timeouts: TierTimeouts,
): Pick<UpstreamCallOptions, 'timeoutMs' | 'ttfbMs' | 'idleMs' | 'queueMs'> {
  return {
    timeoutMs: timeouts.requestMs,
    ttfbMs: timeouts.ttfbMs,
    idleMs: timeouts.idleMs,
    queueMs: timeouts.queueMs,
  };
}

import type { FastifyReply } from 'fastify';
import type { RouteDecision } from './tier-router.service';

/** docs/api.md §4's route headers, on every chat answer, streaming or not. */
export function setRouteHeaders(
  reply: FastifyReply,
  route: Pick<RouteDecision, 'tier' | 'reason' | 'truncated'>,
): void {
  reply.header('x-gateway-tier', route.tier);
  reply.header('x-gateway-route-reason', route.reason);
  // Never silent: a truncation says how many messages it dropped.
  if (route.truncated?.dropped)
    reply.header('x-gateway-truncated-messages', String(route.truncated.dropped));
}

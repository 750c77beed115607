import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';

/** The Fastify route-config flag {@link AcceptsApiKeyHeader} sets. */
const ACCEPTS_API_KEY_HEADER = 'acceptsApiKeyHeader';

/**
 * Marks a route whose callers may present their key as `x-api-key` (Anthropic's clients) as
 * well as `Authorization: Bearer`. A Fastify route config rather than Nest metadata, so the key
 * check that runs before the body is read sees it too. Every other route takes the bearer only.
 */
export const AcceptsApiKeyHeader = (): MethodDecorator =>
  RouteConfig({ [ACCEPTS_API_KEY_HEADER]: true }) as MethodDecorator;

/** Whether the route `request` matched was marked with {@link AcceptsApiKeyHeader}. */
export function acceptsApiKeyHeader(request: Pick<FastifyRequest, 'routeOptions'>): boolean {
  const config = request.routeOptions?.config as unknown as Record<string, unknown> | undefined;
  return config?.[ACCEPTS_API_KEY_HEADER] === true;
}

import type { Type } from '@nestjs/common';
import { ApplicationConfig } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiKeyGuard, ApiKeyService, authorizeRequest, KEYED_ROUTE } from './auth';
import { OpenAiExceptionFilter } from './common/errors';
import { OpenAiValidationPipe } from './common/openai';
import {
  ChatCompletionsHandler,
  registerChatCompletionsRoute,
  type RouteEdge,
} from './tier-routing';

/** The kinds of Nest's global enhancers, as its `ApplicationConfig` keeps them. */
export type EnhancerKind = 'guards' | 'pipes' | 'filters' | 'interceptors';

/**
 * Nest's global enhancers that the hot route runs itself, as plain calls ({@link RouteEdge}), in
 * Nest's order. A global enhancer not listed here would be skipped by the route: the gateway
 * refuses to start instead (ADR 0015). Adding one means adding it here and to {@link edgeOf}.
 */
export const HOT_ROUTE_ENHANCERS: Readonly<Record<EnhancerKind, readonly Type[]>> = {
  guards: [ApiKeyGuard],
  pipes: [OpenAiValidationPipe],
  filters: [OpenAiExceptionFilter],
  interceptors: [],
};

/**
 * Registers `POST /v1/chat/completions` on the Fastify instance, before Nest's router (ADR 0015),
 * running the app's own guard, pipe and filter instances. Checks the app's global enhancers now
 * and again when Fastify is ready, so one added later (in the factory or in `main.ts`) stops the
 * boot rather than being silently skipped.
 */
export function registerHotRoutes(app: NestFastifyApplication): void {
  const config = applicationConfigOf(app);
  const fastify = app.getHttpAdapter().getInstance();
  registerChatCompletionsRoute(
    fastify,
    edgeOf(config, app.get(ApiKeyService)),
    app.get(ChatCompletionsHandler),
  );
  fastify.addHook('onReady', (done) => {
    try {
      assertHotRouteEnhancers(config);
      done();
    } catch (error) {
      done(error as Error);
    }
  });
}

/** The classes of the app's global enhancers, by kind (request-scoped ones included). */
export function globalEnhancersOf(config: ApplicationConfig): Record<EnhancerKind, Type[]> {
  const classes = (instances: object[], scoped: { metatype: unknown }[]): Type[] => [
    ...instances.map((instance) => instance.constructor as Type),
    ...scoped.map((wrapper) => wrapper.metatype as Type),
  ];
  return {
    guards: classes(config.getGlobalGuards(), config.getGlobalRequestGuards()),
    pipes: classes(config.getGlobalPipes(), config.getGlobalRequestPipes()),
    filters: classes(config.getGlobalFilters(), config.getGlobalRequestFilters()),
    interceptors: classes(config.getGlobalInterceptors(), config.getGlobalRequestInterceptors()),
  };
}

/** @throws Error naming every global enhancer the hot route would skip, or run that is gone. */
export function assertHotRouteEnhancers(config: ApplicationConfig): void {
  const found = globalEnhancersOf(config);
  const problems = (Object.keys(HOT_ROUTE_ENHANCERS) as EnhancerKind[]).flatMap((kind) => {
    const expected = HOT_ROUTE_ENHANCERS[kind];
    const actual = found[kind];
    const same =
      actual.length === expected.length && actual.every((type, i) => type === expected[i]);
    return same ? [] : [`${kind}: [${names(actual)}], the hot route runs [${names(expected)}]`];
  });
  if (problems.length > 0) throw new Error(hotRouteSkips(problems));
}

export function hotRouteSkips(problems: string[]): string {
  return (
    `POST /v1/chat/completions is served beside Nest's router and runs Nest's global enhancers ` +
    `itself; the app's differ (${problems.join('; ')}). Add the enhancer to ` +
    `HOT_ROUTE_ENHANCERS and the route's edge in src/app.hot-route.ts (docs/adr/0015).`
  );
}

function names(types: readonly Type[]): string {
  return types.map((type) => type.name).join(', ');
}

/** The route's edge, from the app's own enhancer instances (checked first). */
function edgeOf(config: ApplicationConfig, keys: ApiKeyService): RouteEdge {
  assertHotRouteEnhancers(config);
  const pipe = config.getGlobalPipes()[0] as OpenAiValidationPipe;
  const filter = config.getGlobalFilters()[0] as OpenAiExceptionFilter;
  return {
    // No decorator marks the chat route: any valid key, as ApiKeyGuard decides it.
    authorize: (request) => authorizeRequest(keys, request, KEYED_ROUTE),
    validate: (type, body) => pipe.validate(type, body),
    render: (error, request, reply) => filter.render(error, request, reply),
  };
}

/**
 * Nest keeps the global enhancers in the application's `ApplicationConfig`, which it does not
 * expose; a Nest that moved it stops the boot here rather than letting the check pass empty.
 */
function applicationConfigOf(app: NestFastifyApplication): ApplicationConfig {
  const config = (app as unknown as { config?: unknown }).config;
  if (!(config instanceof ApplicationConfig)) {
    throw new Error('Nest application has no ApplicationConfig at .config (ADR 0015)');
  }
  return config;
}

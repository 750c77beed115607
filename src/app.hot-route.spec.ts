import type {
  CallHandler,
  CanActivate,
  NestInterceptor,
  PipeTransform,
  Type,
} from '@nestjs/common';
import { ApplicationConfig } from '@nestjs/core';
import { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import {
  assertHotRouteEnhancers,
  globalEnhancersOf,
  HOT_ROUTE_ENHANCERS,
  type EnhancerKind,
} from './app.hot-route';
import { ApiKeyGuard } from './auth';
import { OpenAiExceptionFilter } from './common/errors';
import { OpenAiValidationPipe } from './common/openai';

/*
 * The chat hot route runs Nest's global enhancers itself (ADR 0015). These specs hold the check
 * that keeps it honest: any global guard, pipe, filter or interceptor it does not run stops the
 * boot, whether added as an instance (`app.useGlobal…`) or as a provider (`APP_GUARD`, …).
 */

class AuditInterceptor implements NestInterceptor {
  intercept(_context: never, next: CallHandler) {
    return next.handle();
  }
}
class TrimPipe implements PipeTransform {
  transform(value: unknown) {
    return value;
  }
}
class TenantGuard implements CanActivate {
  canActivate() {
    return true;
  }
}
class AuditFilter {
  catch() {}
}

/** The gateway's own enhancers, as app.factory.ts and AuthModule register them. */
function gatewayConfig(): ApplicationConfig {
  const config = new ApplicationConfig();
  config.addGlobalGuard(new ApiKeyGuard({} as never, {} as never));
  config.useGlobalPipes(new OpenAiValidationPipe());
  config.useGlobalFilters(new OpenAiExceptionFilter(1024));
  return config;
}

const scoped = (metatype: Type) => new InstanceWrapper({ metatype: metatype as never });

describe('the hot route against the app’s global enhancers', () => {
  it('lists the gateway’s own: the guard, the validation pipe, the filter, no interceptor', () => {
    expect(globalEnhancersOf(gatewayConfig())).toEqual(HOT_ROUTE_ENHANCERS);
    expect(() => assertHotRouteEnhancers(gatewayConfig())).not.toThrow();
  });

  it.each<[string, EnhancerKind, (config: ApplicationConfig) => void, string]>([
    [
      'a global interceptor',
      'interceptors',
      (c) => c.useGlobalInterceptors(new AuditInterceptor()),
      'AuditInterceptor',
    ],
    ['a global pipe', 'pipes', (c) => c.useGlobalPipes(new TrimPipe()), 'TrimPipe'],
    [
      'a global guard (APP_GUARD)',
      'guards',
      (c) => c.addGlobalGuard(new TenantGuard()),
      'TenantGuard',
    ],
    ['a global filter', 'filters', (c) => c.useGlobalFilters(new AuditFilter()), 'AuditFilter'],
    [
      'a request-scoped interceptor (APP_INTERCEPTOR)',
      'interceptors',
      (c) => c.addGlobalRequestInterceptor(scoped(AuditInterceptor) as never),
      'AuditInterceptor',
    ],
    [
      'a request-scoped guard (APP_GUARD)',
      'guards',
      (c) => c.addGlobalRequestGuard(scoped(TenantGuard) as never),
      'TenantGuard',
    ],
  ])('refuses %s it would skip, naming it', (_name, kind, add, className) => {
    const config = gatewayConfig();
    add(config);
    expect(() => assertHotRouteEnhancers(config)).toThrow(
      new RegExp(`${kind}: \\[[^\\]]*${className}[^\\]]*\\], the hot route runs`),
    );
  });

  it('refuses an app whose enhancer the route runs is gone (the route would add one)', () => {
    const config = new ApplicationConfig();
    config.useGlobalPipes(new OpenAiValidationPipe());
    config.useGlobalFilters(new OpenAiExceptionFilter(1024));
    expect(() => assertHotRouteEnhancers(config)).toThrow(
      /guards: \[\], the hot route runs \[ApiKeyGuard\]/,
    );
  });
});

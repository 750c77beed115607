import { Reflector } from '@nestjs/core';
import type { ExecutionContext } from '@nestjs/common';
import { ErrorCode, GatewayException } from '../common/errors';
import type { ClientKeyConfig } from '../config';
import { AdminOnly } from './admin-only.decorator';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeyService } from './api-key.service';
import { Public } from './public.decorator';

class Routes {
  @AdminOnly()
  operator(): void {}

  model(): void {}

  @Public()
  health(): void {}
}

@AdminOnly()
class OperatorController {
  anything(): void {}
}

const KEYS = [
  { name: 'ops', key: 'admin-secret', role: 'admin' },
  { name: 'app', key: 'client-secret', role: 'client' },
  { name: 'legacy', key: 'legacy-secret' },
] as ClientKeyConfig[];

function keys(mode: 'required' | 'disabled'): ApiKeyService {
  return new ApiKeyService({ auth: { mode, keys: KEYS }, defaults: {} } as never);
}

function contextFor(
  target: object,
  handler: (...args: never[]) => unknown,
  authorization?: string,
): ExecutionContext {
  const request = { headers: authorization === undefined ? {} : { authorization } };
  return {
    getHandler: () => handler,
    getClass: () => target,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof GatewayException ? error.code : String(error);
  }
}

describe('roles: @AdminOnly() (docs/api.md §6: 403 admin_required)', () => {
  const guard = new ApiKeyGuard(keys('required'), new Reflector());
  const routes = Routes.prototype;

  it.each<[string, (...args: never[]) => unknown, object, string | undefined, string | undefined]>([
    [
      'an admin key on an operator route',
      routes.operator,
      Routes,
      'Bearer admin-secret',
      undefined,
    ],
    [
      'a client key on an operator route',
      routes.operator,
      Routes,
      'Bearer client-secret',
      ErrorCode.AdminRequired,
    ],
    [
      'a key without a role (client) on an operator route',
      routes.operator,
      Routes,
      'Bearer legacy-secret',
      ErrorCode.AdminRequired,
    ],
    ['no key on an operator route', routes.operator, Routes, undefined, ErrorCode.InvalidApiKey],
    [
      'an unknown key on an operator route',
      routes.operator,
      Routes,
      'Bearer nope',
      ErrorCode.InvalidApiKey,
    ],
    ['a client key on a model route', routes.model, Routes, 'Bearer client-secret', undefined],
    ['an admin key on a model route', routes.model, Routes, 'Bearer admin-secret', undefined],
    ['no key on a public route', routes.health, Routes, undefined, undefined],
    [
      'a client key on an operator controller',
      OperatorController.prototype.anything,
      OperatorController,
      'Bearer client-secret',
      ErrorCode.AdminRequired,
    ],
    [
      'an admin key on an operator controller',
      OperatorController.prototype.anything,
      OperatorController,
      'Bearer admin-secret',
      undefined,
    ],
  ])('%s', (_, handler, target, authorization, expected) => {
    expect(codeOf(() => guard.canActivate(contextFor(target, handler, authorization)))).toBe(
      expected,
    );
  });

  it("reads a route's markers once, and keeps a handler's per controller", () => {
    // An inherited handler: the class decides whether it is an operator route.
    class Base {
      shared(): void {}
    }
    @AdminOnly()
    class Operator extends Base {}
    class Client extends Base {}
    const reflector = new Reflector();
    const reads = jest.spyOn(reflector, 'getAllAndOverride');
    const cached = new ApiKeyGuard(keys('required'), reflector);
    const client = 'Bearer client-secret';
    for (let i = 0; i < 3; i++) {
      expect(
        codeOf(() => cached.canActivate(contextFor(Client, Base.prototype.shared, client))),
      ).toBe(undefined);
      expect(
        codeOf(() => cached.canActivate(contextFor(Operator, Base.prototype.shared, client))),
      ).toBe(ErrorCode.AdminRequired);
    }
    // IS_PUBLIC and ADMIN_ONLY, once for each (controller, handler) pair.
    expect(reads).toHaveBeenCalledTimes(4);
  });

  it('answers 403 permission_error for admin_required', () => {
    const error = new GatewayException(ErrorCode.AdminRequired, 'x');
    expect(error.status).toBe(403);
    expect(error.toBody().error.type).toBe('permission_error');
  });

  it('leaves operator routes open when auth is disabled', () => {
    const open = new ApiKeyGuard(keys('disabled'), new Reflector());
    expect(open.canActivate(contextFor(Routes, routes.operator))).toBe(true);
  });

  it('gives identities their role, client by default', () => {
    const service = keys('required');
    expect(service.identify('admin-secret')?.role).toBe('admin');
    expect(service.identify('client-secret')?.role).toBe('client');
    expect(service.identify('legacy-secret')?.role).toBe('client');
  });
});

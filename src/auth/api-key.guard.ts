import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ErrorCode, ErrorMessages, GatewayException } from '../common/errors';
import { ApiKeyService, type CallerIdentity } from './api-key.service';
import { IS_PUBLIC } from './public.decorator';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by {@link ApiKeyGuard} on authenticated requests. */
    caller?: CallerIdentity;
  }
}

/** `Authorization: Bearer <key>` on every route not marked {@link Public} (docs/api.md §6: 401). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly keys: ApiKeyService,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.keys.required) return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers.authorization;
    const secret =
      typeof header === 'string' && /^bearer /i.test(header) ? header.slice(7).trim() : '';
    if (secret === '')
      throw new GatewayException(ErrorCode.InvalidApiKey, ErrorMessages.missingApiKey());
    const caller = this.keys.identify(secret);
    if (!caller) throw new GatewayException(ErrorCode.InvalidApiKey, ErrorMessages.invalidApiKey());
    request.caller = caller;
    return true;
  }
}

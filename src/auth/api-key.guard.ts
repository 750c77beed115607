import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, ErrorMessages, GatewayException } from '../common/errors';
import { acceptsApiKeyHeader } from './api-key-header.decorator';
import { ApiKeyService, type CallerIdentity } from './api-key.service';
import { ADMIN_ONLY } from './admin-only.decorator';
import { IS_PUBLIC } from './public.decorator';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by {@link ApiKeyGuard} on authenticated requests. */
    caller?: CallerIdentity;
  }
}

/**
 * `Authorization: Bearer <key>` on every route not marked {@link Public} (docs/api.md §6: 401);
 * on routes marked `@AcceptsApiKeyHeader()` (the Anthropic front), `x-api-key: <key>` too; routes
 * marked `@AdminOnly()` also need a key with `role: admin` (403 `admin_required`).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  /** By controller class, then handler (a handler may be inherited by several controllers). */
  private readonly access = new WeakMap<object, WeakMap<object, RouteAccess>>();

  constructor(
    private readonly keys: ApiKeyService,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.keys.required) return true;
    authorizeRequest(this.keys, context.switchToHttp().getRequest(), this.accessOf(context));
    return true;
  }

  /**
   * The route's markers, read once per handler: decorator metadata is fixed at boot, and the
   * two reflector reads per request were part of Nest's per-request cost (issue 17).
   */
  private accessOf(context: ExecutionContext): RouteAccess {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byHandler = this.access.get(controller);
    if (byHandler === undefined) {
      byHandler = new WeakMap();
      this.access.set(controller, byHandler);
    }
    let access = byHandler.get(handler);
    if (access === undefined) {
      const targets = [handler, controller];
      access = {
        isPublic: this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true,
        adminOnly: this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, targets) === true,
      };
      byHandler.set(handler, access);
    }
    return access;
  }
}

/** What the guard reads of a route's decorators. */
export interface RouteAccess {
  readonly isPublic: boolean;
  readonly adminOnly: boolean;
}

/** A route with neither marker: any valid key. */
export const KEYED_ROUTE: RouteAccess = Object.freeze({ isPublic: false, adminOnly: false });

/**
 * The guard's decision for a route with `access`, as a plain call: what {@link ApiKeyGuard}
 * runs inside Nest's router, and what a route served beside it (the chat hot route, ADR 0015)
 * runs itself. Keeps the caller on `request.caller`.
 *
 * @throws GatewayException 401 `invalid_api_key` (no or unknown key), 403 `admin_required`.
 */
export function authorizeRequest(
  keys: ApiKeyService,
  request: FastifyRequest,
  access: RouteAccess,
): void {
  if (!keys.required || access.isPublic) return;
  // Requests with a body were authenticated before it was read (see authenticateBeforeBody).
  const caller = (request.caller ??= callerOf(keys, request));
  if (caller.role !== 'admin' && access.adminOnly) {
    throw new GatewayException(ErrorCode.AdminRequired, ErrorMessages.adminRequired());
  }
}

/**
 * The caller behind a request's key: `Authorization: Bearer <key>`, or, on a route that accepts
 * it and when that header is absent, `x-api-key: <key>` (Anthropic's clients).
 *
 * @throws GatewayException 401 `invalid_api_key` when the key is missing or unknown.
 */
export function callerOf(
  keys: ApiKeyService,
  request: Pick<FastifyRequest, 'headers' | 'routeOptions'>,
): CallerIdentity {
  const apiKeyHeader = acceptsApiKeyHeader(request);
  const secret = presentedKey(request.headers, apiKeyHeader);
  if (secret === '') {
    throw new GatewayException(
      ErrorCode.InvalidApiKey,
      apiKeyHeader ? ErrorMessages.missingApiKeyOrHeader() : ErrorMessages.missingApiKey(),
    );
  }
  const caller = keys.identify(secret);
  if (!caller) throw new GatewayException(ErrorCode.InvalidApiKey, ErrorMessages.invalidApiKey());
  return caller;
}

/**
 * The key a request presents, or `''`: the bearer token; with `apiKeyHeader`, `x-api-key` when no
 * `Authorization` was sent (a present `Authorization` is the one judged).
 */
export function presentedKey(headers: FastifyRequest['headers'], apiKeyHeader: boolean): string {
  const bearer = headers.authorization;
  if (typeof bearer === 'string') return /^bearer /i.test(bearer) ? bearer.slice(7).trim() : '';
  if (!apiKeyHeader) return '';
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' ? apiKey.trim() : '';
}

/** Methods whose requests never reach a public route (health, metrics, docs are all GETs). */
const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A Fastify `onRequest` hook: a request that carries a body to a method other than GET, HEAD or
 * OPTIONS is authenticated from its headers before the body is read or parsed, so a keyless
 * caller cannot make the gateway buffer and parse megabytes (issue 13, finding 3). A refusal
 * is the guard's own 401, through the exception filter, and closes the connection rather than
 * reading the rest of the body. {@link ApiKeyGuard} still runs on every route and keeps the
 * caller found here.
 */
export function authenticateBeforeBody(
  keys: ApiKeyService,
): (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => void {
  return (request, reply, done) => {
    if (!keys.required || READ_METHODS.has(request.method) || !carriesBody(request)) {
      done();
      return;
    }
    try {
      request.caller = callerOf(keys, request);
    } catch (error) {
      reply.header('connection', 'close');
      done(error as Error);
      return;
    }
    done();
  };
}

function carriesBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (
    request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
  );
}

import { Injectable, PipeTransform, type ArgumentMetadata } from '@nestjs/common';
import type { MetadataStorage } from 'class-transformer/types/MetadataStorage';
import { validateSync, type ValidationError } from 'class-validator';
import { ErrorCode, ErrorMessages, GatewayException } from '../errors';
import { ChatCompletionRequestDto } from './chat-completion-request.dto';
import { isPlainValidChatRequest } from './chat-request.fast-path';
import { checkRequestBounds, type RequestBounds } from './request-bounds';

/**
 * Validates a JSON body against its DTO once, at the edge, and answers docs/api.md §6's 400 naming the
 * first bad field in `param` and every bad field in the message. Unknown fields are kept.
 * With `bounds`, the body's shape (depth, messages, content, tools) is checked first.
 */
@Injectable()
export class OpenAiValidationPipe implements PipeTransform {
  constructor(private readonly bounds?: RequestBounds) {}

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const type = metadata.type === 'body' ? metadata.metatype : undefined;
    if (!type || type === Object) return value;
    return this.validate(type as new () => object, value);
  }

  /**
   * What {@link transform} does to a body declared as `type`, as a plain call: for a route
   * served beside Nest's router (the chat hot route, ADR 0015). The body itself when it is a
   * plain valid chat request, else a validated instance of `type`.
   *
   * @throws GatewayException 400 naming the bad fields.
   */
  validate<T extends object>(type: new () => T, value: unknown): T {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new GatewayException(ErrorCode.InvalidValue, ErrorMessages.bodyNotObject());
    }
    if (this.bounds) checkRequestBounds(value, this.bounds);
    // The common case: a valid chat body, accepted without copying it (see the fast path's note).
    if (
      type === ChatCompletionRequestDto &&
      isPlainValidChatRequest(value as Record<string, unknown>)
    ) {
      return value as T;
    }
    const instance = instantiate(type, value);
    const errors = validateSync(instance, { forbidUnknownValues: false, whitelist: false });
    if (errors.length > 0) throw validationFailure(errors);
    return instance as T;
  }
}

/** Keys that name a prototype or a constructor: never copied onto a DTO instance. */
const RESERVED_KEYS: ReadonlySet<string> = new Set(['constructor', '__proto__', 'prototype']);

/** Where class-transformer's `@Type(() => …)` declarations live (its package exports no path). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const storage = require('class-transformer/cjs/storage') as {
  defaultMetadataStorage: MetadataStorage;
};
const typeMetadata = storage.defaultMetadataStorage;

/**
 * `value` as an instance of the DTO `type`, for class-validator: its own keys copied by
 * reference, and the values of `@Type` fields (messages, stream_options) made instances in turn.
 * Not class-transformer's `plainToInstance`, which deep-copies every value of the body (seconds
 * for a large one, issue 13 finding 3) and takes any object's `constructor` key for its type
 * and calls it (`{"model":{"constructor":{}}}` was a 500, finding 4). Keys that would shadow
 * the instance's class or prototype are not copied; anywhere deeper they stay plain data.
 */
export function instantiate(type: new () => object, value: object): object {
  const instance = new type() as Record<string, unknown>;
  const source = value as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    if (RESERVED_KEYS.has(key)) continue;
    const item = source[key];
    const nested = typeMetadata.findTypeMetadata(type, key)?.typeFunction() as
      (new () => object) | undefined;
    instance[key] =
      nested === undefined || item === null || typeof item !== 'object'
        ? item
        : Array.isArray(item)
          ? item.map((element: unknown) =>
              isPlainObject(element) ? instantiate(nested, element) : element,
            )
          : instantiate(nested, item);
  }
  return instance;
}

function isPlainObject(value: unknown): value is object {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

interface FieldProblem {
  path: string;
  problems: string[];
  missing: boolean;
}

function collect(errors: ValidationError[], prefix: string, into: FieldProblem[]): void {
  for (const error of errors) {
    const path = /^\d+$/.test(error.property)
      ? `${prefix}[${error.property}]`
      : prefix
        ? `${prefix}.${error.property}`
        : error.property;
    if (error.constraints) {
      into.push({
        path,
        problems: Object.values(error.constraints),
        missing: error.value === undefined,
      });
    }
    if (error.children?.length) collect(error.children, path, into);
  }
}

export function validationFailure(errors: ValidationError[]): GatewayException {
  const fields: FieldProblem[] = [];
  collect(errors, '', fields);
  const first = fields[0];
  const message = fields
    .map((f) =>
      f.missing
        ? `'${f.path}' is required`
        : `'${f.path}' ${f.problems.map((p) => p.replace(/^\S+ /, '')).join('; ')}`,
    )
    .join('; ');
  return new GatewayException(
    first?.missing ? ErrorCode.MissingField : ErrorCode.InvalidValue,
    `Invalid request: ${message}.`,
    { param: first?.path ?? null },
  );
}

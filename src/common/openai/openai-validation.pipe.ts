import { Injectable, PipeTransform, type ArgumentMetadata } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { ErrorCode, ErrorMessages, GatewayException } from '../errors';
import { ChatCompletionRequestDto } from './chat-completion-request.dto';
import { isPlainValidChatRequest } from './chat-request.fast-path';
import { checkRequestBounds, type RequestBounds } from './request-bounds';

/**
 * Validates a JSON body against its DTO once, at the edge, and answers SPEC §6's 400 naming the
 * first bad field in `param` and every bad field in the message. Unknown fields are kept.
 * With `bounds`, the body's shape (depth, messages, content, tools) is checked first.
 */
@Injectable()
export class OpenAiValidationPipe implements PipeTransform {
  constructor(private readonly bounds?: RequestBounds) {}

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const type = metadata.type === 'body' ? metadata.metatype : undefined;
    if (!type || type === Object) return value;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new GatewayException(ErrorCode.InvalidValue, ErrorMessages.bodyNotObject());
    }
    if (this.bounds) checkRequestBounds(value, this.bounds);
    // The common case: a valid chat body, accepted without copying it (see the fast path's note).
    if (
      type === ChatCompletionRequestDto &&
      isPlainValidChatRequest(value as Record<string, unknown>)
    ) {
      return value;
    }
    // class-transformer 0.5.1 takes any object's `constructor` key for its type and calls it
    // (`{"model":{"constructor":{}}}` was a 500): it only ever sees a copy without such keys.
    const instance = plainToInstance(type as new () => object, withoutReservedKeys(value), {
      enableImplicitConversion: false,
    });
    const errors = validateSync(instance, { forbidUnknownValues: false, whitelist: false });
    if (errors.length > 0) throw validationFailure(errors);
    return instance;
  }
}

/** Keys that name a prototype or a constructor: data, never read as a type. */
const RESERVED_KEYS: ReadonlySet<string> = new Set(['constructor', '__proto__', 'prototype']);

/**
 * `value` itself when no object in it has a reserved own key, else a copy without them (the
 * rest shared). Recursion is bounded: the request bounds (depth) ran first.
 */
export function withoutReservedKeys(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const clean = withoutReservedKeys(item);
      if (clean !== item) (copy ??= value.slice())[i] = clean;
    }
    return copy ?? value;
  }
  let copy: Record<string, unknown> | undefined;
  const source = value as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    if (RESERVED_KEYS.has(key)) {
      copy ??= { ...source };
      delete copy[key];
      continue;
    }
    const item = source[key];
    const clean = withoutReservedKeys(item);
    if (clean !== item) (copy ??= { ...source })[key] = clean;
  }
  return copy ?? value;
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

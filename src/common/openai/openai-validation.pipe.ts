import { Injectable, PipeTransform, type ArgumentMetadata } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { ErrorCode, ErrorMessages, GatewayException } from '../errors';

/**
 * Validates a JSON body against its DTO once, at the edge, and answers SPEC §6's 400 naming the
 * first bad field in `param` and every bad field in the message. Unknown fields are kept.
 */
@Injectable()
export class OpenAiValidationPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const type = metadata.type === 'body' ? metadata.metatype : undefined;
    if (!type || type === Object) return value;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new GatewayException(ErrorCode.InvalidValue, ErrorMessages.bodyNotObject());
    }
    const instance = plainToInstance(type as new () => object, value, {
      enableImplicitConversion: false,
    });
    const errors = validateSync(instance, { forbidUnknownValues: false, whitelist: false });
    if (errors.length > 0) throw validationFailure(errors);
    return instance;
  }
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

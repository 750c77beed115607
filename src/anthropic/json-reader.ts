import { ErrorCode, GatewayException } from '../common/errors';
import { AnthropicMessages as M } from './anthropic.messages';

/**
 * Small readers for hand-validating a parsed JSON body: each names the field at fault by its
 * path (`messages[2].content[0].source.data`), which becomes the error's `param` and leads its
 * message. Anthropic's blocks are tagged unions, which read more plainly as code than as DTO
 * decorators.
 */

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A 400 naming `path`: `missing_required_parameter` when the field is absent. */
export function invalid(path: string, message: string, missing = false): GatewayException {
  return new GatewayException(missing ? ErrorCode.MissingField : ErrorCode.InvalidValue, message, {
    param: path,
  });
}

export function objectAt(value: unknown, path: string): JsonObject {
  if (value === undefined) throw invalid(path, M.required(path), true);
  if (!isObject(value)) throw invalid(path, M.wrongType(path, 'an object'));
  return value;
}

export function stringAt(value: unknown, path: string): string {
  if (value === undefined) throw invalid(path, M.required(path), true);
  if (typeof value !== 'string') throw invalid(path, M.wrongType(path, 'a string'));
  return value;
}

export function optionalString(value: unknown, path: string): string | undefined {
  return value === undefined ? undefined : stringAt(value, path);
}

export function optionalBoolean(value: unknown, path: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw invalid(path, M.wrongType(path, 'a boolean'));
  return value;
}

export function arrayAt(value: unknown, path: string): unknown[] {
  if (value === undefined) throw invalid(path, M.required(path), true);
  if (!Array.isArray(value)) throw invalid(path, M.wrongType(path, 'an array'));
  return value;
}

/** A finite number in [min, max]; integers only when `integer`. */
export function numberAt(
  value: unknown,
  path: string,
  bounds: { min?: number; max?: number; integer?: boolean },
): number {
  if (value === undefined) throw invalid(path, M.required(path), true);
  const { min, max, integer } = bounds;
  const kind = integer ? 'an integer' : 'a number';
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value)))
    throw invalid(path, M.wrongType(path, kind));
  if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
    const range =
      max === undefined ? `greater than or equal to ${min}` : `between ${min ?? '-∞'} and ${max}`;
    throw invalid(path, M.wrongType(path, `${kind} ${range}`));
  }
  return value;
}

/** One of `allowed`, else a 400 listing them. */
export function oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  if (value === undefined) throw invalid(path, M.required(path), true);
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalid(path, M.wrongType(path, allowed.map((a) => `'${a}'`).join(', ')));
  }
  return value as T;
}

/**
 * Refuses every key of `object` that is neither in `known` nor `ignored`; a key listed in
 * `unsupported` is refused with its reason. Nothing the caller sent is dropped unsaid.
 */
export function onlyKnownKeys(
  object: JsonObject,
  path: string,
  known: ReadonlySet<string>,
  unsupported: Readonly<Record<string, string>> = {},
): void {
  for (const key of Object.keys(object)) {
    if (known.has(key)) continue;
    const where = path === '' ? key : `${path}.${key}`;
    const why = Object.prototype.hasOwnProperty.call(unsupported, key)
      ? unsupported[key]
      : undefined;
    throw invalid(
      where,
      why === undefined ? M.unknownField(where) : M.unsupportedField(where, why),
    );
  }
}

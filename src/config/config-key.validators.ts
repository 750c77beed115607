import 'reflect-metadata';
import { applyDecorators } from '@nestjs/common';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsPositive,
  IsString,
  Max,
  Min,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { ConfigMessages as M } from './config.messages';

/*
 * The checks behind the key builders (config-key.builders.ts): class-validator decorators with
 * the loader's own messages, and the predicates they use. The builders put them on the classes
 * that config-schema.compiler.ts makes from the declaration; nothing else applies them.
 */

// ${VAR} expansion always yields strings; a numeric or boolean field still accepts `"9000"` or
// `"true"` so that `port: ${PORT_OVERRIDE:-9000}` works.
const NUMERIC = /^\s*-?\d+(\.\d+)?\s*$/;
const coerceNumber = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && NUMERIC.test(value) ? Number(value) : value;
const coerceBoolean = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;
const trimTrailingSlashes = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim().replace(/\/+$/, '') : value;

/** An empty string (`${VAR:-}`) means the optional value is not set. */
const emptyAsUnset = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** True for an absolute http(s) URL with a host. */
export function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** True for a `redis://` or `rediss://` URL with a host. */
export function isRedisUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** True for `*` or a browser origin: `http(s)://host[:port]`, nothing after it. */
export function isCorsOrigin(value: unknown): boolean {
  if (value === '*') return true;
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

/** True for a list of distinct non-empty strings. */
export function isNameList(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.every((item) => typeof item === 'string' && item.trim() !== '') &&
    new Set(value).size === value.length
  );
}

/** True for an http(s) URL without query or fragment whose path ends in `/v1` (no trailing slash). */
export function isUpstreamUrl(value: unknown): boolean {
  if (typeof value !== 'string' || !value.endsWith('/v1')) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    url.hostname !== '' &&
    url.search === '' &&
    url.hash === '' &&
    url.pathname.endsWith('/v1')
  );
}

/** True for a path on an origin: `/health`, `/v1/models` (no scheme, host, query or fragment). */
export function isOriginPath(value: unknown): boolean {
  return typeof value === 'string' && /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/.test(value);
}

export const Required = () => IsDefined({ message: M.required() });

export const NonEmptyString = () =>
  applyDecorators(
    IsString({ message: M.mustBeNonEmptyString() }),
    IsNotEmpty({ message: M.mustBeNonEmptyString() }),
  );

export const IntegerField = (min: number, max: number) =>
  applyDecorators(
    Transform(coerceNumber),
    IsInt({ message: M.integerBetween(min, max) }),
    Min(min, { message: M.integerBetween(min, max) }),
    Max(max, { message: M.integerBetween(min, max) }),
  );

export const NumberField = (min: number, max: number) =>
  applyDecorators(
    Transform(coerceNumber),
    IsNumber({ allowNaN: false, allowInfinity: false }, { message: M.numberBetween(min, max) }),
    Min(min, { message: M.numberBetween(min, max) }),
    Max(max, { message: M.numberBetween(min, max) }),
  );

export const OneOf = (allowed: readonly string[]) =>
  IsIn([...allowed], { message: M.oneOf(allowed) });

export const BooleanField = () =>
  applyDecorators(Transform(coerceBoolean), IsBoolean({ message: M.mustBeBoolean() }));

export const OriginPath = () =>
  applyDecorators(
    ValidateBy(
      { name: 'isOriginPath', validator: { validate: isOriginPath } },
      { message: M.originPath() },
    ),
  );

/** A list of distinct non-empty names (models, tools). */
export const NameList = () =>
  ValidateBy(
    { name: 'isNameList', validator: { validate: isNameList } },
    { message: M.nameList() },
  );

/** A nested mapping with its own schema. */
export const Section = (type: () => new () => object) =>
  applyDecorators(
    IsObject({ message: M.mustBeMapping() }),
    ValidateNested({ message: M.mustBeMapping() }),
    Type(type),
  );

/** A list of mappings with their own schema. */
export const ListOf = (type: () => new () => object) =>
  applyDecorators(
    IsArray({ message: M.mustBeList() }),
    ValidateNested({ each: true, message: M.mustBeMapping() }),
    Type(type),
  );

/** A mapping of user-chosen names (pools, aliases) to mappings; class-transformer makes it a Map. */
export const NamedMapOf = (type: () => new () => object) =>
  applyDecorators(ValidateNested({ each: true, message: M.mustBeMapping() }), Type(type));

/**
 * Applies decorators as if they were written one above the other on a property (the bottom one
 * first, as TypeScript does), so that class-validator meets the checks, and reports their
 * messages, in the same order as it did when the schema was written by hand.
 */
export const stacked = (...decorators: PropertyDecorator[]): PropertyDecorator =>
  applyDecorators(...[...decorators].reverse());

export const Optional = () => IsOptional();

export const PositiveNumber = () =>
  stacked(
    Transform(coerceNumber),
    IsNumber({ allowNaN: false, allowInfinity: false }, { message: M.positiveNumber() }),
    IsPositive({ message: M.positiveNumber() }),
  );

/** Any string, the empty one included (`${KEY:-}` means none). */
export const AnyString = () => IsString({ message: M.mustBeNonEmptyString() });

export const UpstreamUrl = () =>
  stacked(
    Transform(trimTrailingSlashes),
    ValidateBy(
      { name: 'isUpstreamUrl', validator: { validate: isUpstreamUrl } },
      { message: M.upstreamUrl() },
    ),
  );

/** An empty string (`${VAR:-}`) means the URL is not set. */
export const HttpUrl = () =>
  stacked(
    Transform(emptyAsUnset),
    ValidateBy({ name: 'isHttpUrl', validator: { validate: isHttpUrl } }, { message: M.httpUrl() }),
  );

export const RedisUrl = () =>
  stacked(
    Transform(emptyAsUnset),
    ValidateBy(
      { name: 'isRedisUrl', validator: { validate: isRedisUrl } },
      { message: M.redisUrl() },
    ),
  );

export const CorsOrigins = () =>
  stacked(
    IsArray({ message: M.mustBeList() }),
    ValidateBy(
      { name: 'isCorsOrigin', validator: { validate: isCorsOrigin } },
      { each: true, message: M.corsOrigin() },
    ),
  );

/** A list of distinct names among `allowed`. */
export const ChoiceList = (allowed: readonly string[]) =>
  stacked(
    IsArray({ message: M.listOf(allowed) }),
    IsIn([...allowed], { each: true, message: M.listOf(allowed) }),
    ArrayUnique({ message: M.listOf(allowed) }),
  );

/** A list of non-empty strings (repeats allowed). */
export const StringList = () =>
  stacked(
    IsArray({ message: M.mustBeList() }),
    IsString({ each: true, message: M.mustBeNonEmptyString() }),
    IsNotEmpty({ each: true, message: M.mustBeNonEmptyString() }),
  );

export const AtLeastOne = (message: string) => ArrayMinSize(1, { message });

/* eslint-disable @typescript-eslint/no-explicit-any -- a node of any key type is `ConfigNode<any, any>` (its resolve takes its own input type) */
import { ConfigMessages as M } from './config.messages';
import {
  AnyString,
  AtLeastOne,
  BooleanField,
  ChoiceList,
  CorsOrigins,
  HttpUrl,
  IntegerField,
  ListOf,
  NamedMapOf,
  NameList,
  NonEmptyString,
  NumberField,
  OneOf,
  Optional,
  OriginPath,
  PositiveNumber,
  RedisUrl,
  Required,
  Section,
  StringList,
  UpstreamUrl,
} from './config-key.validators';
import { schemaClass } from './config-schema.compiler';
import { CONFIG_LIMITS } from './config.constants';

/*
 * The builders of the configuration declaration (gateway-config.keys.ts). Each call declares one
 * key: how it is validated (class-validator decorators, applied by config-schema.compiler.ts),
 * its default, the environment variable that sets it, its documentation, and how its validated
 * value becomes the typed value modules read. The TypeScript types of the configuration are
 * inferred from the same calls (`ConfigOf`), so nothing about a key is written twice.
 */

/** What the key reference (docs/configuration.md) says about a key; generated from here. */
export interface KeyDocs {
  /** What the key does (the table's "meaning"). */
  doc?: string;
  /** The accepted values, when the builder's own wording (`1..65535`, `boolean`) is not the best. */
  values?: string;
  /** The default as a reader should see it, when it is computed (`3 × scrape_interval_ms`). */
  defaultDoc?: string;
  /** The variable column, when the binding is structural (`<TIER>_UPSTREAMS`) or needs a note. */
  envDoc?: string;
}

/** Where a value is resolved: the name it sits under, and the environment's global defaults. */
export interface ResolveContext {
  /** The property name, list index, or the operator's name of a pool or alias. */
  readonly key: string;
  /** `REQUEST_TIMEOUT_MS`: the default of every `timeouts.request_ms` the file leaves unset. */
  readonly requestTimeoutMs: number;
}

/** How a variable's text becomes the key's value, or why it cannot. */
export type EnvParser = (text: string) => { value: unknown } | { message: string };

/** A key bound to one environment variable, which beats the YAML file. */
export interface EnvBinding {
  readonly variable: string;
  readonly parse: EnvParser;
}

interface NodeBase<In, Out> {
  /** The checks of the property that holds this key, written top to bottom. */
  readonly decorators: readonly PropertyDecorator[];
  /** Absent (or null) is allowed, and then the key is left out of the typed configuration. */
  readonly optional: boolean;
  /** A fresh default value; undefined when the key is required or optional. */
  readonly makeDefault?: () => In;
  readonly env?: EnvBinding;
  readonly docs: KeyDocs & { values: string };
  /** The validated value → what modules read. */
  readonly resolve: (value: In, context: ResolveContext) => Out;
  /** Type-only: the validated value and the resolved value. */
  readonly __types?: { in: In; out: Out };
}

export interface LeafNode<In = any, Out = any> extends NodeBase<In, Out> {
  readonly kind: 'leaf';
}

export interface SectionNode<S extends Shape = Shape, In = any, Out = any> extends NodeBase<
  In,
  Out
> {
  readonly kind: 'section';
  readonly shape: S;
  /** Schema class name, for debugging. */
  readonly name: string;
  /** Optional, but an absent one resolves to its keys' defaults. */
  readonly absentAsDefaults: boolean;
}

export interface ListNode<In = any, Out = any> extends NodeBase<In, Out> {
  readonly kind: 'list';
  readonly element: SectionNode;
}

export interface MapNode<In = any, Out = any, E extends SectionNode = SectionNode> extends NodeBase<
  In,
  Out
> {
  readonly kind: 'map';
  readonly element: E;
  /** How the docs write an entry's name: `<pool>`. */
  readonly placeholder: string;
}

export type ConfigNode<In = any, Out = any> =
  LeafNode<In, Out> | SectionNode<Shape, In, Out> | ListNode<In, Out> | MapNode<In, Out>;

export type Shape = { readonly [key: string]: ConfigNode<any, any> };

export type InOf<N> = N extends { __types?: { in: infer I; out: any } } ? I : never;
export type OutOf<N> = N extends { __types?: { in: any; out: infer O } } ? O : never;

type Flat<T> = { -readonly [K in keyof T]: T[K] } & {};
type MaybeKeys<S, Pick extends 'in' | 'out'> = {
  [K in keyof S]: undefined extends (Pick extends 'in' ? InOf<S[K]> : OutOf<S[K]>) ? K : never;
}[keyof S];

/** The resolved object of a section: keys that may be absent are optional. */
export type ShapeOut<S extends Shape> = Flat<
  { [K in Exclude<keyof S, MaybeKeys<S, 'out'>>]: OutOf<S[K]> } & {
    [K in MaybeKeys<S, 'out'>]?: Exclude<OutOf<S[K]>, undefined>;
  }
>;

/** The validated (schema) object of a section, before it is resolved. */
export type ShapeIn<S extends Shape> = Flat<
  { [K in Exclude<keyof S, MaybeKeys<S, 'in'>>]: InOf<S[K]> } & {
    [K in MaybeKeys<S, 'in'>]?: Exclude<InOf<S[K]>, undefined>;
  }
>;

/** The typed configuration a declaration yields. */
export type ConfigOf<N> = OutOf<N>;
/** The validated object (maps as `Map`s, computed defaults not applied yet) of a declaration. */
export type SchemaOf<N> = InOf<N>;

/** A key's presence: a default, optional (may be absent), or required. */
export type Presence<T> =
  | { default: T; optional?: never; required?: never }
  | { optional: true; default?: never; required?: never }
  | { required: true; default?: never; optional?: never };

export type KeyOptions<T> = Presence<T> &
  KeyDocs & {
    /** The environment variable that sets this key (it beats the YAML file). */
    env?: string;
  };

type Maybe<T, O> = O extends { optional: true } ? T | undefined : T;

const clone = <T>(value: T): T => (Array.isArray(value) ? ([...value] as T) : value);

function presenceDecorators(options: Presence<unknown>): PropertyDecorator[] {
  if (options.optional) return [Optional()];
  if (options.required) return [Required()];
  return [];
}

/** The one place a leaf is assembled; every leaf builder below goes through it. */
function leaf<T, O extends KeyOptions<T>, Out = T>(
  checks: readonly PropertyDecorator[],
  options: O,
  values: string,
  parse: EnvParser | undefined,
  resolve: (value: T) => Out = (value) => clone(value) as unknown as Out,
): LeafNode<Maybe<T, O>, Maybe<Out, O>> {
  if (options.env !== undefined && parse === undefined) {
    throw new Error(`config declaration: ${options.env} cannot set a key of this kind`);
  }
  const fallback = options.default;
  return {
    kind: 'leaf',
    decorators: [...presenceDecorators(options), ...checks],
    optional: options.optional === true,
    ...(fallback === undefined ? {} : { makeDefault: () => clone(fallback) as Maybe<T, O> }),
    ...(options.env === undefined || parse === undefined
      ? {}
      : { env: { variable: options.env, parse } }),
    docs: { ...docsOf(options), values: options.values ?? values },
    resolve: (value) => resolve(value as T) as Maybe<Out, O>,
  };
}

function docsOf(options: KeyDocs): KeyDocs {
  const { doc, values, defaultDoc, envDoc } = options;
  return { doc, values, defaultDoc, envDoc };
}

const raw: EnvParser = (text) => ({ value: text });

/** A variable's whole number in `min..max` (digits only). */
export const parseEnvInteger =
  (min: number, max: number): EnvParser =>
  (text) => {
    const value = /^\d+$/.test(text) ? Number(text) : NaN;
    return Number.isSafeInteger(value) && value >= min && value <= max
      ? { value }
      : { message: M.integerBetween(min, max) };
  };

const envChoice =
  (allowed: readonly string[]): EnvParser =>
  (text) => {
    const value = text.toLowerCase();
    return allowed.includes(value) ? { value } : { message: M.oneOf(allowed) };
  };

/** Comma-separated, blanks dropped; each item is then checked like the YAML list. */
const envList: EnvParser = (text) => ({
  value: text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== ''),
});

/** A whole number in `min..max`; `"9000"` from a `${VAR}` is accepted. */
export const integer = <O extends KeyOptions<number>>(min: number, max: number, options: O) =>
  leaf<number, O>([IntegerField(min, max)], options, `${min}..${max}`, parseEnvInteger(min, max));

/** A finite number in `min..max`. */
export const decimal = <O extends KeyOptions<number>>(min: number, max: number, options: O) =>
  leaf<number, O>([NumberField(min, max)], options, `${min}..${max}`, undefined);

/** A finite number above 0. */
export const positive = <O extends KeyOptions<number>>(options: O) =>
  leaf<number, O>([PositiveNumber()], options, '> 0', undefined);

export const boolean = <O extends KeyOptions<boolean>>(options: O) =>
  leaf<boolean, O>([BooleanField()], options, 'boolean', undefined);

/** A non-empty string. */
export const text = <O extends KeyOptions<string>>(options: O) =>
  leaf<string, O>([NonEmptyString()], options, 'string', raw);

/** Any string; the empty one (`${KEY:-}`) counts as none when the value is used. */
export const secret = <O extends KeyOptions<string>>(options: O) =>
  leaf<string, O>([AnyString()], options, 'string', undefined);

/** One of a fixed set of words. */
export const oneOf = <const A extends readonly string[], O extends KeyOptions<A[number]>>(
  allowed: A,
  options: O,
) =>
  leaf<A[number], O>(
    [OneOf(allowed)],
    options,
    allowed.map((word) => `\`${word}\``).join(', '),
    envChoice(allowed),
  );

/** A path on an origin: `/health`. */
export const originPath = <O extends KeyOptions<string>>(options: O) =>
  leaf<string, O>([OriginPath()], options, 'path on the origin', undefined);

/** An OpenAI-compatible base URL ending in `/v1` (a trailing slash is dropped). */
export const upstreamUrl = <O extends KeyOptions<string>>(options: O) =>
  leaf<string, O>([UpstreamUrl()], options, '`http(s)://…/v1`', undefined);

/** An http(s) URL; an empty string means unset. */
export const httpUrl = <O extends KeyOptions<string>>(options: O) =>
  leaf<string, O>([HttpUrl()], options, 'URL', raw);

/** A `redis://` or `rediss://` URL; an empty string means unset. */
export const redisUrl = <O extends KeyOptions<string>>(options: O) =>
  leaf<string, O>([RedisUrl()], options, '`redis://` or `rediss://`', raw);

/** Browser origins (`scheme://host[:port]`) or `*`; the variable is comma-separated. */
export const corsOrigins = <O extends KeyOptions<string[]>>(options: O) =>
  leaf<string[], O>([CorsOrigins()], options, 'list of `scheme://host[:port]`, or `*`', envList);

/** Distinct non-empty names (models, tools). */
export const nameList = <O extends KeyOptions<string[]>>(options: O) =>
  leaf<string[], O>([NameList()], options, 'list of names', undefined);

/** Distinct words among `allowed`. */
export const choiceList = <const A extends readonly string[], O extends KeyOptions<A[number][]>>(
  allowed: A,
  options: O,
) =>
  leaf<A[number][], O>(
    [ChoiceList(allowed)],
    options,
    allowed.map((word) => `\`${word}\``).join(', '),
    undefined,
  );

/** Non-empty strings, each as given to `resolve`. */
export const stringList = <O extends KeyOptions<string[]>>(
  options: O & { map?: (item: string) => string },
) =>
  leaf<string[], O>([StringList()], options, 'list of strings', undefined, (items) =>
    items.map(options.map ?? ((item) => item)),
  );

/** A string the loader rewrites once validated (`normalize`), such as a client key. */
export const normalizedText = <O extends KeyOptions<string>>(
  options: O & { normalize: (value: string) => string },
) =>
  leaf<string, O>([NonEmptyString()], options, 'string', raw, (value) => options.normalize(value));

export interface SectionOptions<
  Resolved,
  R,
  Opt extends boolean = boolean,
  Abs extends 'defaults' | undefined = 'defaults' | undefined,
> extends KeyDocs {
  /** May be absent (then left out), unless `absent: 'defaults'`. */
  optional?: Opt;
  /** An absent optional section resolves as if it were given empty (its keys' defaults). */
  absent?: Abs;
  /** Turns the resolved keys into the section's value: computed defaults, names, renames. */
  resolve?: (value: Resolved, context: ResolveContext) => R;
  /** Schema class name, for debugging. */
  name?: string;
}

type SectionMaybe<T, Opt, Abs> = Opt extends true
  ? Abs extends 'defaults'
    ? T
    : T | undefined
  : T;

/**
 * A mapping of keys. Not optional: it defaults to a mapping of its keys' defaults. `resolve`
 * runs after every key is resolved and sees the section's typed value.
 */
export function section<
  const S extends Shape,
  const Opt extends boolean = false,
  const Abs extends 'defaults' | undefined = undefined,
>(
  shape: S,
  options?: SectionOptions<ShapeOut<S>, ShapeOut<S>, Opt, Abs> & { resolve?: undefined },
): SectionNode<S, SectionMaybe<ShapeIn<S>, Opt, Abs>, SectionMaybe<ShapeOut<S>, Opt, Abs>>;
export function section<
  const S extends Shape,
  R,
  const Opt extends boolean = false,
  const Abs extends 'defaults' | undefined = undefined,
>(
  shape: S,
  options: SectionOptions<ShapeOut<S>, R, Opt, Abs> & {
    resolve: (value: ShapeOut<S>, context: ResolveContext) => R;
  },
): SectionNode<S, SectionMaybe<ShapeIn<S>, Opt, Abs>, SectionMaybe<R, Opt, Abs>>;
export function section<
  const S extends Shape,
  R,
  const Opt extends boolean = false,
  const Abs extends 'defaults' | undefined = undefined,
>(
  shape: S,
  options?: SectionOptions<ShapeOut<S>, R, Opt, Abs>,
): SectionNode<S, SectionMaybe<ShapeIn<S>, Opt, Abs>, SectionMaybe<R, Opt, Abs>> {
  const opts: SectionOptions<ShapeOut<S>, R, Opt, Abs> = options ?? {};
  const resolveKeys = (value: Record<string, unknown>, context: ResolveContext): R => {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(shape)) {
      const given = value[key];
      if (given === undefined || given === null) {
        if (child.optional && !(child.kind === 'section' && child.absentAsDefaults)) continue;
      }
      out[key] = child.resolve(given, { ...context, key });
    }
    return opts.resolve ? opts.resolve(out as ShapeOut<S>, context) : (out as unknown as R);
  };
  const node: SectionNode<S, SectionMaybe<ShapeIn<S>, Opt, Abs>, SectionMaybe<R, Opt, Abs>> = {
    kind: 'section',
    shape,
    name: opts.name ?? 'ConfigSection',
    absentAsDefaults: opts.absent === 'defaults',
    decorators: [...(opts.optional ? [Optional()] : []), Section(() => schemaClass(node))],
    optional: opts.optional === true,
    ...(opts.optional ? {} : { makeDefault: () => new (schemaClass(node))() as never }),
    docs: { ...docsOf(opts), values: 'mapping' },
    resolve: (value, context) =>
      resolveKeys(
        (value ?? new (schemaClass(node))()) as Record<string, unknown>,
        context,
      ) as SectionMaybe<R, Opt, Abs>,
  };
  return node;
}

/** A list of mappings. */
export function list<E extends SectionNode, O extends KeyOptions<never[]> & { minOne?: true }>(
  element: E,
  options: O,
): ListNode<Maybe<InOf<E>[], O>, Maybe<OutOf<E>[], O>> {
  return {
    kind: 'list',
    element,
    decorators: [
      ...presenceDecorators(options),
      ...(options.minOne ? [AtLeastOne(M.atLeastOneUpstream())] : []),
      ListOf(() => schemaClass(element)),
    ],
    optional: options.optional === true,
    ...(options.default === undefined ? {} : { makeDefault: () => [] as never }),
    docs: { ...docsOf(options), values: options.values ?? 'list' },
    resolve: (items, context) =>
      (items as unknown[]).map((item, index) =>
        element.resolve(item, { ...context, key: String(index) }),
      ) as Maybe<OutOf<E>[], O>,
  };
}

/** A mapping of names the operator chooses (pools, aliases) to mappings of one shape. */
export function namedMap<E extends SectionNode>(
  element: E,
  options: KeyDocs & { placeholder: string },
): MapNode<Map<string, InOf<E>>, Record<string, OutOf<E>>, E> {
  return {
    kind: 'map',
    element,
    placeholder: options.placeholder,
    decorators: [NamedMapOf(() => schemaClass(element))],
    optional: false,
    makeDefault: () => new Map(),
    docs: { ...docsOf(options), values: options.values ?? 'mapping' },
    resolve: (entries, context) =>
      Object.fromEntries<OutOf<E>>(
        [...entries].map(([name, entry]) => [
          name,
          element.resolve(entry, { ...context, key: name }),
        ]),
      ),
  };
}

/** A duration in ms, `min` up to a day. */
export const ms = <O extends KeyOptions<number>>(min: number, options: O) =>
  integer(min, CONFIG_LIMITS.maxTimeoutMs, { values: 'ms', ...options });

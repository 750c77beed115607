import {
  boolean,
  integer,
  ms,
  namedMap,
  oneOf,
  section,
  text,
  type ResolveContext,
} from '../config-key.builders';
import { REASONING_MODES, TIER_NAMES, TRUNCATE_POLICIES, type TierName } from '../config.constants';

/** The defaults that differ by tier: a reasoning model thinks before it answers. */
const PER_KIND = {
  instant: { ttfbMs: 60_000, queueMs: 5_000 },
  thinking: { ttfbMs: 300_000, queueMs: 30_000 },
  embeddings: { ttfbMs: 60_000, queueMs: 5_000 },
} as const;

const timeouts = (kind: TierName | 'embeddings') =>
  section(
    {
      /** Whole-request deadline towards the upstream; `REQUEST_TIMEOUT_MS` unless set per tier. */
      requestMs: ms(1, {
        optional: true,
        defaultDoc: '`REQUEST_TIMEOUT_MS` (`300000`)',
        envDoc: '`REQUEST_TIMEOUT_MS` (default only)',
        doc:
          kind === 'embeddings'
            ? 'as for a tier'
            : 'whole-request deadline, retries and queueing included (504 `upstream_timeout`)',
      }),
      /**
       * Per attempt: until the upstream's response headers and, for a stream, its first bytes. A
       * non-streaming answer arrives whole, so for it this bounds the generation.
       */
      ttfbMs: ms(1, {
        default: PER_KIND[kind].ttfbMs,
        doc:
          kind === 'embeddings'
            ? 'as for a tier'
            : 'per attempt, until response headers and, for a stream, its first bytes; bounds a ' +
              'non-streaming generation',
      }),
      /** Streams: the longest silence between two chunks. */
      idleMs: ms(1, {
        default: 30_000,
        doc:
          kind === 'embeddings' ? 'as for a tier' : 'streams: the longest silence between chunks',
      }),
      /** The longest wait for a free replica when the pool is saturated (then 503 `overloaded`). */
      queueMs: ms(0, {
        default: PER_KIND[kind].queueMs,
        doc:
          kind === 'embeddings'
            ? 'as for a tier'
            : 'the longest wait for a free replica (then 503 `overloaded`)',
      }),
    },
    {
      name: 'TimeoutsSchema',
      resolve: (given, { requestTimeoutMs }: ResolveContext) => ({
        requestMs: given.requestMs ?? requestTimeoutMs,
        ttfbMs: given.ttfbMs,
        idleMs: given.idleMs,
        queueMs: given.queueMs,
      }),
    },
  );

const tier = (name: TierName) =>
  section(
    {
      // Both optional here: whether a tier is complete is a cross-field rule that can name the
      // environment variable a half-configured tier is missing.
      /** Name of a key of `pools`. */
      pool: text({
        optional: true,
        values: 'a key of `pools`',
        defaultDoc: '—',
        envDoc: `\`${name.toUpperCase()}_UPSTREAMS\` (pool \`${name}\`)`,
        doc: 'the pool that serves the tier',
      }),
      /** The model id the pool serves; the upstream always receives this id. */
      model: text({
        optional: true,
        values: 'model id',
        defaultDoc: '—',
        envDoc: `\`${name.toUpperCase()}_MODEL\``,
        doc: 'the id the pool serves; the upstream always receives it',
      }),
      /** What reaches the caller of reasoning text (`reasoning_content`, `reasoning`, `<think>`). */
      reasoning: oneOf(REASONING_MODES, {
        default: 'passthrough',
        doc:
          'whether reasoning text (`reasoning_content`, `reasoning`, `<think>…</think>`) reaches ' +
          'the caller',
      }),
      /** The model's context window in tokens, when known (context-fit routing uses it). */
      contextWindow: integer(1, Number.MAX_SAFE_INTEGER, {
        optional: true,
        values: 'tokens',
        defaultDoc: 'unknown',
        doc: 'for context-fit routing and `truncate: oldest`',
      }),
      timeouts: timeouts(name),
      /** With no healthy replica in this tier's pool, requests go to the other tier. */
      fallback: boolean({
        default: true,
        doc: 'with no healthy replica, requests go to the other tier (`fallback:<from>-><to>`)',
      }),
      /** With this tier's pool saturated, `auto` requests go to the other tier. */
      spill: boolean({
        default: false,
        doc: 'with the pool saturated, `auto` requests go to the other tier (`spill:<from>-><to>`)',
      }),
    },
    {
      optional: true,
      name: 'TierSchema',
      // Complete once validated (the cross-field rule above).
      resolve: ({ pool, model, ...rest }) => ({
        name,
        pool: pool as string,
        model: model as string,
        ...rest,
      }),
    },
  );

/** `tiers`: the chat tiers; at least one is configured. */
export const TIERS_KEYS = section(
  { instant: tier(TIER_NAMES[0]), thinking: tier(TIER_NAMES[1]) },
  { name: 'TiersSchema' },
);

/** `embeddings`: the pool behind `POST /v1/embeddings`, when there is one. */
export const EMBEDDINGS_KEYS = section(
  {
    pool: text({
      optional: true,
      values: 'a key of `pools`',
      defaultDoc: 'none (no `/v1/embeddings`)',
      envDoc: '`EMBEDDINGS_UPSTREAMS` (pool `embeddings`)',
      doc: 'the pool behind `POST /v1/embeddings`',
    }),
    model: text({
      optional: true,
      values: 'model id',
      defaultDoc: '—',
      envDoc: '`EMBEDDINGS_MODEL`',
      doc: 'the id that pool serves',
    }),
    timeouts: timeouts('embeddings'),
  },
  {
    optional: true,
    name: 'EmbeddingsSchema',
    resolve: ({ pool, model, timeouts: limits }) => ({
      pool: pool as string,
      model: model as string,
      timeouts: limits,
    }),
  },
);

/** `aliases`: public model name → tier (YAML accepts `name: instant` or `name: { tier, truncate }`). */
export const ALIASES_KEYS = namedMap(
  section(
    {
      tier: oneOf(TIER_NAMES, {
        required: true,
        defaultDoc: '—',
        doc: 'the tier it selects (must be configured)',
      }),
      /** `oldest` drops the oldest non-system turns to fit the context window; `none` never truncates. */
      truncate: oneOf(TRUNCATE_POLICIES, {
        default: 'none',
        doc: "`oldest` drops the oldest non-system turns to fit the tier's `context_window`",
      }),
    },
    { name: 'AliasSchema' },
  ),
  {
    placeholder: '<alias>',
    values: 'a tier, or a mapping',
    defaultDoc: 'none',
    doc:
      'a public model name that selects a tier (`gpt-4o-mini: instant` is short for ' +
      "`{tier: instant}`); not `auto`/`instant`/`thinking`, nor a tier's model id",
  },
);

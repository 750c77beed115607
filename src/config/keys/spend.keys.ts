import { IsArray, IsNumber, Max, Min, ValidateBy } from 'class-validator';
import { decimal, namedMap, oneOf, section, text, type LeafNode } from '../config-key.builders';
import { Optional, stacked } from '../config-key.validators';

/** The largest price or budget (per million tokens, per replica-hour, per period). */
const MAX_AMOUNT = 1e9;

/** A duration written `24h`, `7d`, `90m`, `30s` or `1500ms`. */
const DURATION = /^\s*(\d+)\s*(ms|s|m|h|d)\s*$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 };

function durationMs(text: string): number {
  const match = DURATION.exec(text) as RegExpExecArray;
  return Number(match[1]) * UNIT_MS[match[2]];
}

const isDuration = (value: unknown): boolean =>
  typeof value === 'string' && DURATION.test(value) && durationMs(value) > 0;

/** An optional duration (`24h`), resolved to milliseconds. */
function duration(options: {
  doc: string;
  defaultDoc?: string;
}): LeafNode<string | undefined, number | undefined> {
  return {
    kind: 'leaf',
    decorators: [
      Optional(),
      ValidateBy(
        { name: 'isDuration', validator: { validate: isDuration } },
        { message: 'must be a duration such as 24h, 7d, 90m or 30s' },
      ),
    ],
    optional: true,
    docs: {
      values: 'duration (`24h`, `7d`, `90m`)',
      defaultDoc: options.defaultDoc ?? 'none',
      doc: options.doc,
    },
    resolve: (value) => (value === undefined ? undefined : durationMs(value)),
  };
}

const WARN_MESSAGE = 'must be a list of fractions in (0, 1], e.g. [0.8, 0.95]';

/** Warning thresholds: fractions of the amount, kept ascending and distinct. */
function fractions(defaults: number[], doc: string): LeafNode<number[], number[]> {
  return {
    kind: 'leaf',
    decorators: [
      stacked(
        IsArray({ message: WARN_MESSAGE }),
        IsNumber({ allowNaN: false, allowInfinity: false }, { each: true, message: WARN_MESSAGE }),
        Min(Number.MIN_VALUE, { each: true, message: WARN_MESSAGE }),
        Max(1, { each: true, message: WARN_MESSAGE }),
      ),
    ],
    optional: false,
    makeDefault: () => [...defaults],
    docs: { values: 'list of fractions', doc },
    resolve: (value) => [...new Set(value)].sort((a, b) => a - b),
  };
}

/** A price per million tokens of each kind. */
const PRICE = section(
  {
    input: decimal(0, MAX_AMOUNT, {
      required: true,
      defaultDoc: '—',
      values: 'per million tokens',
      doc: 'prompt tokens not served from a prompt cache',
    }),
    cachedInput: decimal(0, MAX_AMOUNT, {
      optional: true,
      defaultDoc: '`input`',
      values: 'per million tokens',
      doc: 'prompt tokens served from the cache (`prompt_tokens_details.cached_tokens`)',
    }),
    output: decimal(0, MAX_AMOUNT, {
      required: true,
      defaultDoc: '—',
      values: 'per million tokens',
      doc: 'completion tokens other than reasoning',
    }),
    reasoning: decimal(0, MAX_AMOUNT, {
      optional: true,
      defaultDoc: '`output`',
      values: 'per million tokens',
      doc: 'reasoning tokens (`completion_tokens_details.reasoning_tokens`)',
    }),
  },
  { name: 'PriceSchema' },
);

/** `pricing`: what each upstream call costs ([spend.md](spend.md)). */
export const PRICING_KEYS = section(
  {
    currency: text({
      default: 'USD',
      doc: 'the currency of every price and budget (a label: `USD`, `EUR`, `credits`)',
    }),
    tiers: namedMap(PRICE, {
      placeholder: '<tier>',
      defaultDoc: 'none',
      doc: 'the price of a tier (`instant`, `thinking`, `embeddings`): `{input, cached_input, output, reasoning}`',
    }),
    models: namedMap(PRICE, {
      placeholder: '<pool model id>',
      defaultDoc: 'none',
      doc: 'the price of a pool model id, whichever tier serves it (below a tier’s own price)',
    }),
    aliases: namedMap(PRICE, {
      placeholder: '<alias>',
      defaultDoc: 'none',
      doc: "the price of an alias, for its requests' calls on the alias's own tier (above the tier's)",
    }),
    pools: namedMap(
      section(
        {
          gpuHourCost: decimal(0, MAX_AMOUNT, {
            required: true,
            defaultDoc: '—',
            values: 'per replica-hour',
            doc: 'what one replica (upstream) of the pool costs per hour',
          }),
          throughputWindow: duration({
            defaultDoc: '`5m`',
            doc: 'the recent window over which the pool’s tokens per second are measured',
          }),
        },
        {
          name: 'GpuHourSchema',
          resolve: ({ gpuHourCost, throughputWindow }) => ({
            gpuHourCost,
            throughputWindowMs: throughputWindow ?? 300_000,
          }),
        },
      ),
      {
        placeholder: '<pool>',
        defaultDoc: 'none',
        doc: 'a self-hosted pool priced per GPU-hour: `{gpu_hour_cost, throughput_window}`, turned into a price per token from its measured throughput',
      },
    ),
  },
  { name: 'PricingSchema' },
);

function budgetKeys(defaults: { mode: 'soft' | 'hard' }) {
  return section(
    {
      amount: decimal(Number.MIN_VALUE, MAX_AMOUNT, {
        optional: true,
        defaultDoc: 'none (no budget; spend is still kept)',
        values: '> 0, in `pricing.currency`',
        doc: 'the amount per period',
      }),
      period: oneOf(['day', 'week', 'month'] as const, {
        optional: true,
        defaultDoc: '`month`',
        doc: 'a UTC calendar period (a week starts on Monday 00:00)',
      }),
      rolling: duration({ doc: 'a rolling window instead of `period`: `24h`, `7d`' }),
      mode: oneOf(['soft', 'hard'] as const, {
        default: defaults.mode,
        doc: '`soft` warns; `hard` refuses with 429 `insufficient_quota` once the budget cannot hold a request',
      }),
      warnAt: fractions(
        [0.8, 0.95],
        'fractions of `amount` at which a warning header and log line are given',
      ),
    },
    {
      name: 'BudgetSchema',
      resolve: ({ amount, period, rolling, mode, warnAt }) => ({
        ...(amount === undefined ? {} : { amount }),
        ...(rolling === undefined
          ? { period: period ?? ('month' as const) }
          : { period: 'rolling' as const, rollingMs: rolling }),
        mode,
        warnAt,
      }),
    },
  );
}

/** `budgets`: per key and a default, over a UTC period or a rolling window ([spend.md](spend.md)). */
export const BUDGETS_KEYS = section(
  {
    default: budgetKeys({ mode: 'soft' }),
    keys: namedMap(budgetKeys({ mode: 'soft' }), {
      placeholder: '<key name>',
      defaultDoc: 'none',
      doc: "a key's own budget (an `auth.keys[].name`), instead of `default`",
    }),
    keyPrefix: text({
      default: 'tiergate:spend:',
      doc: 'prefix of the spend keys in Redis',
    }),
  },
  { name: 'BudgetsSchema' },
);

import { parseDurationMs } from './budget-period';
import {
  DEFAULT_BUDGET,
  DEFAULT_SPEND_OPTIONS,
  DEFAULT_THROUGHPUT_WINDOW_MS,
  type BudgetConfig,
  type BudgetsOptions,
  type GpuHourConfig,
  type PriceConfig,
  type PricingOptions,
  type SpendOptions,
} from './spend.options';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The configuration's `pricing` and `budgets` sections as written (snake_case YAML keys). */
export interface SpendSections {
  pricing?: unknown;
  budgets?: unknown;
}

/**
 * Reads and validates the `pricing` and `budgets` sections of the configuration into
 * {@link SpendOptions}; every problem is reported with its key path, and nothing unknown is
 * ignored. `keyNames` are the configured `auth.keys[].name` (a budget for another name is an
 * error); `aliases` the configured alias names.
 *
 * @example
 * parseSpendSections({ pricing: { currency: 'EUR', tiers: { instant: { input: 0.1, output: 0.4 } } } }, …)
 */
export function parseSpendSections(
  sections: SpendSections,
  known: {
    keyNames?: readonly string[];
    aliases?: readonly string[];
    pools?: readonly string[];
  } = {},
): { options: SpendOptions; errors: string[] } {
  const errors: string[] = [];
  const pricing = parsePricing(sections.pricing, errors, known);
  const budgets = parseBudgets(sections.budgets, errors, known);
  return { options: { pricing, budgets }, errors };
}

function parsePricing(
  raw: unknown,
  errors: string[],
  known: { aliases?: readonly string[]; pools?: readonly string[] },
): PricingOptions {
  const defaults = DEFAULT_SPEND_OPTIONS.pricing;
  if (raw === undefined || raw === null) return defaults;
  if (!isObject(raw)) {
    errors.push('pricing: must be an object');
    return defaults;
  }
  unknownKeys(raw, ['currency', 'tiers', 'models', 'aliases', 'pools'], 'pricing', errors);
  let currency = defaults.currency;
  if (raw.currency !== undefined) {
    if (typeof raw.currency === 'string' && /^[A-Za-z0-9_$€£¥.-]{1,12}$/.test(raw.currency))
      currency = raw.currency;
    else errors.push('pricing.currency: must be a short code such as USD or EUR');
  }
  const prices = (key: 'tiers' | 'models' | 'aliases', allowed?: readonly string[]) =>
    mapOf(raw[key], `pricing.${key}`, errors, (value, path, name) => {
      if (allowed && !allowed.includes(name)) {
        errors.push(
          `${path}: unknown ${key === 'tiers' ? 'tier' : 'alias'} '${name}' (known: ${allowed.join(', ') || 'none'})`,
        );
      }
      return parsePrice(value, path, errors);
    });
  return {
    currency,
    tiers: prices('tiers', ['instant', 'thinking', 'embeddings']),
    models: prices('models'),
    aliases: prices('aliases', known.aliases),
    pools: mapOf(raw.pools, 'pricing.pools', errors, (value, path, name) => {
      if (known.pools && !known.pools.includes(name)) {
        errors.push(`${path}: unknown pool '${name}' (known: ${known.pools.join(', ')})`);
      }
      return parseGpuHour(value, path, errors);
    }),
  };
}

function parsePrice(raw: unknown, path: string, errors: string[]): PriceConfig {
  const price: PriceConfig = { input: 0, output: 0 };
  if (!isObject(raw)) {
    errors.push(
      `${path}: must be an object { input, cached_input?, output, reasoning? } (per million tokens)`,
    );
    return price;
  }
  unknownKeys(raw, ['input', 'cached_input', 'output', 'reasoning'], path, errors);
  for (const [key, field, required] of [
    ['input', 'input', true],
    ['cached_input', 'cachedInput', false],
    ['output', 'output', true],
    ['reasoning', 'reasoning', false],
  ] as const) {
    const value = raw[key];
    if (value === undefined && !required) continue;
    const number = amountOf(value);
    if (number === undefined)
      errors.push(`${path}.${key}: must be a number ≥ 0 (per million tokens)`);
    else price[field] = number;
  }
  return price;
}

function parseGpuHour(raw: unknown, path: string, errors: string[]): GpuHourConfig {
  const gpu: GpuHourConfig = { gpuHourCost: 0, throughputWindowMs: DEFAULT_THROUGHPUT_WINDOW_MS };
  if (!isObject(raw)) {
    errors.push(`${path}: must be an object { gpu_hour_cost, throughput_window? }`);
    return gpu;
  }
  unknownKeys(raw, ['gpu_hour_cost', 'throughput_window'], path, errors);
  const cost = amountOf(raw.gpu_hour_cost);
  if (cost === undefined)
    errors.push(`${path}.gpu_hour_cost: must be a number ≥ 0 (per replica per hour)`);
  else gpu.gpuHourCost = cost;
  if (raw.throughput_window !== undefined) {
    const ms =
      typeof raw.throughput_window === 'string'
        ? parseDurationMs(raw.throughput_window)
        : undefined;
    if (ms === undefined) errors.push(`${path}.throughput_window: must be a duration such as 5m`);
    else gpu.throughputWindowMs = ms;
  }
  return gpu;
}

function parseBudgets(
  raw: unknown,
  errors: string[],
  known: { keyNames?: readonly string[] },
): BudgetsOptions {
  const defaults = DEFAULT_SPEND_OPTIONS.budgets;
  if (raw === undefined || raw === null) return defaults;
  if (!isObject(raw)) {
    errors.push('budgets: must be an object');
    return defaults;
  }
  unknownKeys(raw, ['default', 'keys', 'key_prefix'], 'budgets', errors);
  let keyPrefix = defaults.keyPrefix;
  if (raw.key_prefix !== undefined) {
    if (typeof raw.key_prefix === 'string' && raw.key_prefix !== '') keyPrefix = raw.key_prefix;
    else errors.push('budgets.key_prefix: must be a non-empty string');
  }
  return {
    default:
      raw.default === undefined
        ? DEFAULT_BUDGET
        : parseBudget(raw.default, 'budgets.default', errors),
    keys: mapOf(raw.keys, 'budgets.keys', errors, (value, path, name) => {
      if (known.keyNames && !known.keyNames.includes(name)) {
        errors.push(`${path}: no key named '${name}' in auth.keys`);
      }
      return parseBudget(value, path, errors);
    }),
    keyPrefix,
  };
}

function parseBudget(raw: unknown, path: string, errors: string[]): BudgetConfig {
  const budget: BudgetConfig = { ...DEFAULT_BUDGET, warnAt: [...DEFAULT_BUDGET.warnAt] };
  if (!isObject(raw)) {
    errors.push(`${path}: must be an object { amount, period | rolling, mode, warn_at }`);
    return budget;
  }
  unknownKeys(raw, ['amount', 'period', 'rolling', 'mode', 'warn_at'], path, errors);
  if (raw.amount !== undefined && raw.amount !== null) {
    const amount = amountOf(raw.amount);
    if (amount === undefined || amount <= 0) errors.push(`${path}.amount: must be a number > 0`);
    else budget.amount = amount;
  }
  if (raw.period !== undefined && raw.rolling !== undefined) {
    errors.push(
      `${path}: give either period (day, week, month) or rolling (a duration such as 24h), not both`,
    );
  } else if (raw.rolling !== undefined) {
    const ms = typeof raw.rolling === 'string' ? parseDurationMs(raw.rolling) : undefined;
    if (ms === undefined) errors.push(`${path}.rolling: must be a duration such as 24h or 7d`);
    else Object.assign(budget, { period: 'rolling', rollingMs: ms });
  } else if (raw.period !== undefined) {
    if (raw.period === 'day' || raw.period === 'week' || raw.period === 'month')
      budget.period = raw.period;
    else
      errors.push(
        `${path}.period: must be day, week or month (UTC); use rolling: 24h for a rolling window`,
      );
  }
  if (raw.mode !== undefined) {
    if (raw.mode === 'soft' || raw.mode === 'hard') budget.mode = raw.mode;
    else errors.push(`${path}.mode: must be soft or hard`);
  }
  if (raw.warn_at !== undefined) {
    const list = Array.isArray(raw.warn_at) ? raw.warn_at.map(amountOf) : undefined;
    if (
      !list ||
      list.some(
        (t, i) => t === undefined || t <= 0 || t > 1 || (i > 0 && t <= (list[i - 1] as number)),
      )
    ) {
      errors.push(
        `${path}.warn_at: must be a list of ascending fractions in (0, 1], e.g. [0.8, 0.95]`,
      );
    } else budget.warnAt = list as number[];
  }
  return budget;
}

function mapOf<T>(
  raw: unknown,
  path: string,
  errors: string[],
  parse: (value: unknown, path: string, name: string) => T,
): Record<string, T> {
  const out: Record<string, T> = {};
  if (raw === undefined || raw === null) return out;
  if (!isObject(raw)) {
    errors.push(`${path}: must be a map of names to entries`);
    return out;
  }
  for (const [name, value] of Object.entries(raw))
    out[name] = parse(value, `${path}.${name}`, name);
  return out;
}

/** A number ≥ 0 (`"0.5"` from `${VAR}` expansion too); undefined otherwise. */
function amountOf(value: unknown): number | undefined {
  const number =
    typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) && number >= 0 ? number : undefined;
}

function unknownKeys(raw: Json, allowed: readonly string[], path: string, errors: string[]): void {
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key))
      errors.push(`${path}.${key}: unknown key (allowed: ${allowed.join(', ')})`);
  }
}

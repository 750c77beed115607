/** Small helpers shared by the classifier tools: arguments, tables, the classifiers off Nest. */
import { Logger } from '@nestjs/common';
import { parseArgs } from 'node:util';
import { defaultsOf, GATEWAY_CONFIG_KEYS } from '../../src/config';
import type { ClassifiersSlice } from '../../src/tier-routing/classifiers/classifiers.config';
import type { ClassifierName, RoutingConfig } from '../../src/config/gateway-config.interface';

export const DEFAULT_DATA_FILE = 'data/tiering/train.jsonl';
export const DEV_FILE = 'data/tiering/dev.jsonl';
export const MODEL_DIR = 'src/tier-routing/classifiers/model';
export const MODEL_FILE = `${MODEL_DIR}/learned-tier-model.v1.json`;
export const EXEMPLARS_FILE = `${MODEL_DIR}/semantic-exemplars.v1.json`;

export type Options = Record<string, string | boolean | undefined>;

/** `--name value` and `--flag` arguments, each declared with its type. */
export function args(spec: Record<string, 'string' | 'boolean'>): Options {
  const { values } = parseArgs({
    options: Object.fromEntries(Object.entries(spec).map(([name, type]) => [name, { type }])),
    allowPositionals: false,
    strict: true,
  });
  return values as Options;
}

export const num = (value: string | boolean | undefined, fallback: number): number => {
  if (typeof value !== 'string') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`not a number: ${value}`);
  return n;
};

/** The gateway's default routing configuration, with overrides. */
export function routingConfig(overrides: Partial<RoutingConfig> = {}): RoutingConfig {
  return {
    ...ROUTING_DEFAULTS,
    defaultTier: 'instant',
    classifiers: [...ROUTING_DEFAULTS.classifiers],
    steps: defaultSteps(),
    ...overrides,
  };
}

/** The `routing` section as the loader builds it when nothing is configured. */
const ROUTING_DEFAULTS = defaultsOf(GATEWAY_CONFIG_KEYS.shape.routing);

/** Each step's default `min_confidence`, exactly as the configuration loader fills it. */
export function defaultSteps(): RoutingConfig['steps'] {
  const steps = ROUTING_DEFAULTS.steps;
  return Object.fromEntries(
    (Object.keys(steps) as ClassifierName[]).map((name) => [
      name,
      { minConfidence: steps[name]!.minConfidence },
    ]),
  );
}

/** The classifiers' configuration slice for a `routing` section. */
export function configOf(routing: RoutingConfig): ClassifiersSlice {
  return { routing };
}

export function parseClassifiers(
  value: string | boolean | undefined,
): ClassifierName[] | undefined {
  if (typeof value !== 'string') return undefined;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0) as ClassifierName[];
}

/** A plain text table with right-aligned numeric columns. */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [
    line(cells[0]),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.slice(1).map(line),
  ].join('\n');
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

/** The tools build classifiers outside an application: Nest's boot logs are noise here. */
export function quietNestLogs(): void {
  Logger.overrideLogger(false);
}

/**
 * `--min-confidence 0.7` (every step) or `--min-confidence rules=0.9,learned=0.5` (per step) as
 * `routing.steps`.
 */
export function parseMinConfidence(
  value: string | boolean | undefined,
  classifiers: readonly ClassifierName[],
): RoutingConfig['steps'] {
  if (typeof value !== 'string') return defaultSteps();
  if (!value.includes('=')) {
    const all = num(value, NaN);
    return {
      ...defaultSteps(),
      ...Object.fromEntries(classifiers.map((c) => [c, { minConfidence: all }])),
    };
  }
  return {
    ...defaultSteps(),
    ...Object.fromEntries(
      value.split(',').map((pair) => {
        const [name, v] = pair.split('=');
        return [name.trim(), { minConfidence: num(v, NaN) }];
      }),
    ),
  };
}

/** `learned 0.6, rules 0.5` for the report headers. */
export function describeSteps(
  classifiers: readonly ClassifierName[],
  steps: RoutingConfig['steps'],
): string {
  return classifiers
    .map((c) => `${c} ${steps[c]?.minConfidence ?? ROUTING_DEFAULTS.steps[c]?.minConfidence}`)
    .join(', ');
}

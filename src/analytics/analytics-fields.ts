import { percentiles, type Percentiles } from './latency-sketch';

/**
 * One group's figures in one time bucket, as flat counters (field → value) that merge by
 * addition: the same shape in memory and in a Redis hash (HINCRBY / HINCRBYFLOAT), so a
 * process's flush, another process's and a read across buckets all add up the same way.
 */
export type Fields = Map<string, number>;

/** The counters' names; `e:`, `l:`, `f:`, `t:` and `d:` fields carry a suffix. */
export const F = {
  requests: 'n',
  /** `e:<code>`: failed requests by error code. */
  error: 'e:',
  input: 'ti',
  cachedInput: 'tc',
  output: 'to',
  reasoning: 'tr',
  /** The only fractional counter (HINCRBYFLOAT in Redis). */
  cost: 'c',
  /** `l:<bucket>`: the latency sketch (see latency-sketch.ts). */
  latency: 'l:',
  /** `f:<bucket>`: the time-to-first-token sketch. */
  ttft: 'f:',
  /** Output tokens and the ms spent generating them, for tokens per second. */
  generatedTokens: 'gt',
  generationMs: 'gm',
  fallbacks: 'fb',
  spills: 'sp',
  /** Routing of `auto`: requests, `t:<tier>` where they went, `d:<step>` what decided. */
  autoRequests: 'a',
  autoTier: 't:',
  decision: 'd:',
} as const;

/** What one request (or one upstream attempt, for replicas) adds to a group. */
export interface Outcome {
  /** The error code its caller saw (or `http_<status>` when none); undefined when it succeeded. */
  errorCode?: string;
  input: number;
  cachedInput: number;
  output: number;
  reasoning: number;
  cost: number;
  latencyMs: number;
  ttftMs?: number;
  fallback?: boolean;
  spill?: boolean;
}

export function add(fields: Fields, name: string, value: number): void {
  if (value !== 0) fields.set(name, (fields.get(name) ?? 0) + value);
}

export function mergeFields(into: Fields, from: ReadonlyMap<string, number>): void {
  for (const [name, value] of from) add(into, name, value);
}

/** A group's figures as `GET /v1/analytics` answers them (snake_case, C5). */
export interface GroupFigures {
  requests: number;
  errors: Record<string, number>;
  error_rate: number;
  tokens: { input: number; cached_input: number; output: number; reasoning: number };
  cost: number;
  latency_ms: Percentiles | null;
  ttft_ms: Percentiles | null;
  tokens_per_second: number | null;
  fallbacks: number;
  spills: number;
}

/** One point of a series (C5). */
export interface SeriesPoint {
  t: string;
  requests: number;
  errors: number;
  latency_ms: Percentiles | null;
  ttft_ms: Percentiles | null;
  tokens_per_second: number | null;
  cost: number;
}

export function figuresOf(fields: ReadonlyMap<string, number>): GroupFigures {
  const requests = get(fields, F.requests);
  const errors: Record<string, number> = {};
  let failed = 0;
  for (const [name, value] of fields) {
    if (!name.startsWith(F.error) || value === 0) continue;
    errors[name.slice(F.error.length)] = value;
    failed += value;
  }
  return {
    requests,
    errors,
    error_rate: requests === 0 ? 0 : round(failed / requests, 4),
    tokens: {
      input: get(fields, F.input),
      cached_input: get(fields, F.cachedInput),
      output: get(fields, F.output),
      reasoning: get(fields, F.reasoning),
    },
    cost: roundCost(get(fields, F.cost)),
    latency_ms: percentiles(sketchOf(fields, F.latency)),
    ttft_ms: percentiles(sketchOf(fields, F.ttft)),
    tokens_per_second: tokensPerSecond(fields),
    fallbacks: get(fields, F.fallbacks),
    spills: get(fields, F.spills),
  };
}

export function pointOf(t: string, fields: ReadonlyMap<string, number>): SeriesPoint {
  let errors = 0;
  for (const [name, value] of fields) if (name.startsWith(F.error)) errors += value;
  return {
    t,
    requests: get(fields, F.requests),
    errors,
    latency_ms: percentiles(sketchOf(fields, F.latency)),
    ttft_ms: percentiles(sketchOf(fields, F.ttft)),
    tokens_per_second: tokensPerSecond(fields),
    cost: roundCost(get(fields, F.cost)),
  };
}

/** The counters of one sketch (`l:` or `f:` fields). */
export function sketchOf(fields: ReadonlyMap<string, number>, prefix: string): Map<number, number> {
  const counts = new Map<number, number>();
  for (const [name, value] of fields) {
    if (!name.startsWith(prefix)) continue;
    const bucket = Number(name.slice(prefix.length));
    counts.set(bucket, (counts.get(bucket) ?? 0) + value);
  }
  return counts;
}

function tokensPerSecond(fields: ReadonlyMap<string, number>): number | null {
  const ms = get(fields, F.generationMs);
  return ms > 0 ? round((get(fields, F.generatedTokens) * 1000) / ms, 1) : null;
}

export function get(fields: ReadonlyMap<string, number>, name: string): number {
  return fields.get(name) ?? 0;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Costs are sums of small fractions: shown to a billionth of the currency unit. */
function roundCost(value: number): number {
  return round(value, 9);
}

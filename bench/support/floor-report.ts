import type { OpenStreamsResult } from '../scenarios/open-streams.scenario';
import type { ChunkRateRun } from '../scenarios/chunk-rate.scenario';
import type { RouteCostResult } from '../scenarios/route-cost.scenario';
import type { SequentialResult } from '../scenarios/sequential-latency.scenario';
import type { ThroughputRun } from '../scenarios/throughput.scenario';
import { median, round } from './stats';

/** Everything one run of `npm run bench` measured, by scenario. */
export interface RunResults {
  a?: SequentialResult;
  b?: Record<string, ThroughputRun>;
  c?: SequentialResult;
  d?: Record<string, OpenStreamsResult>;
  e?: Record<string, ChunkRateRun>;
  f?: RouteCostResult;
}

/** One figure of the table: each path's value and the gateway's judged against the floor. */
export interface Figure {
  id: string;
  label: string;
  unit: string;
  direct?: number;
  floor?: number;
  gateway?: number;
  /** How the gateway compares with the floor: a ratio (%) or a difference, per `kind`. */
  vsFloor?: number;
  /** `--before`: the gateway built from another checkout, and how it compared with the floor. */
  before?: number;
  beforeVsFloor?: number;
  kind: 'ratio' | 'delta' | 'value';
  target?: string;
  pass?: boolean;
}

/** The targets (issue 17), as ratios to or differences from the floor. */
export const TARGETS = {
  throughputPct: 70,
  chunkRatePct: 70,
  addedLatencyMs: 0.25,
  ttfbMs: 0.25,
  autoUs: 10,
  kibPerStream: 20,
  abortMs: 1000,
} as const;

/** The figures of one run. */
export function figuresOf(r: RunResults): Figure[] {
  const out: Figure[] = [];
  const push = (f: Figure): void => void out.push(f);
  if (r.b) {
    const { direct, floor, gateway, before } = r.b;
    const vs = gateway && floor ? (gateway.rps / floor.rps) * 100 : undefined;
    push({
      before: before?.rps,
      beforeVsFloor: before && floor ? (before.rps / floor.rps) * 100 : undefined,
      id: 'b.rps',
      label: '(b) saturation, non-streamed, 50 connections: req/s',
      unit: 'req/s',
      direct: direct?.rps,
      floor: floor?.rps,
      gateway: gateway?.rps,
      vsFloor: vs,
      kind: 'ratio',
      target: `≥ ${TARGETS.throughputPct} %`,
      pass: vs === undefined ? undefined : vs >= TARGETS.throughputPct,
    });
    push({
      before: before?.cpuUsPerRequest,
      beforeVsFloor:
        before?.cpuUsPerRequest && floor?.cpuUsPerRequest
          ? (before.cpuUsPerRequest / floor.cpuUsPerRequest) * 100
          : undefined,
      id: 'b.cpu',
      label: '(b) CPU per request, µs',
      unit: 'µs',
      floor: floor?.cpuUsPerRequest,
      gateway: gateway?.cpuUsPerRequest,
      vsFloor:
        gateway?.cpuUsPerRequest && floor?.cpuUsPerRequest
          ? (gateway.cpuUsPerRequest / floor.cpuUsPerRequest) * 100
          : undefined,
      kind: 'ratio',
    });
  }
  if (r.e) {
    const { direct, floor, gateway, before } = r.e;
    const vs = gateway && floor ? (gateway.chunksPerS / floor.chunksPerS) * 100 : undefined;
    push({
      before: before?.chunksPerS,
      beforeVsFloor: before && floor ? (before.chunksPerS / floor.chunksPerS) * 100 : undefined,
      id: 'e.chunks',
      label: '(e) streamed chunks/s, 200 streams × 200 chunks',
      unit: 'chunks/s',
      direct: direct?.chunksPerS,
      floor: floor?.chunksPerS,
      gateway: gateway?.chunksPerS,
      vsFloor: vs,
      kind: 'ratio',
      target: `≥ ${TARGETS.chunkRatePct} %`,
      pass: vs === undefined ? undefined : vs >= TARGETS.chunkRatePct,
    });
  }
  for (const [section, field, what] of [
    ['a', 'complete', 'latency'],
    ['c', 'ttfb', 'streaming TTFB'],
  ] as const) {
    const res = r[section];
    if (!res?.direct) continue;
    const pcts = section === 'a' ? (['p50', 'p99'] as const) : (['p50'] as const);
    for (const p of pcts) {
      const d = res.direct[field][p];
      const added = (name: string) => (res[name] ? res[name][field][p] - d : undefined);
      const fl = added('floor');
      const gw = added('gateway');
      const bf = added('before');
      const delta = fl !== undefined && gw !== undefined ? gw - fl : undefined;
      const limit = section === 'a' ? TARGETS.addedLatencyMs : TARGETS.ttfbMs;
      push({
        id: `${section}.${p}`,
        label: `(${section}) one at a time, ${what} ${p}: added over direct, ms`,
        unit: 'ms',
        direct: d,
        floor: fl,
        gateway: gw,
        vsFloor: delta,
        before: bf,
        beforeVsFloor: fl !== undefined && bf !== undefined ? bf - fl : undefined,
        kind: 'delta',
        target: `≤ +${limit} ms`,
        pass: delta === undefined ? undefined : delta <= limit,
      });
    }
  }
  if (r.a?.direct) {
    // Not judged: which requests make (a)'s p99 (the first of each batch follows an idle spell).
    const a = r.a;
    for (const [field, what, p] of [
      ['completeBackToBack', 'p99 of requests back to back', 'p99'],
      ['completeAfterIdle', 'p50 of the first request of each batch', 'p50'],
    ] as const) {
      const d = a.direct[field]?.[p];
      const added = (name: string) =>
        d !== undefined && a[name]?.[field] ? a[name][field][p] - d : undefined;
      const fl = added('floor');
      const gw = added('gateway');
      push({
        id: `a.${field}.${p}`,
        label: `(a) … ${what}: added over direct, ms`,
        unit: 'ms',
        direct: d,
        floor: fl,
        gateway: gw,
        vsFloor: fl !== undefined && gw !== undefined ? gw - fl : undefined,
        before: added('before'),
        kind: 'delta',
      });
    }
  }
  if (r.f) {
    push({
      id: 'f.auto',
      label: '(f) `auto` over `instant`: gateway CPU per request, µs',
      unit: 'µs',
      gateway: r.f.cpuUsPerRequest.auto,
      vsFloor: r.f.addedUs,
      kind: 'delta',
      target: `≤ +${TARGETS.autoUs} µs`,
      pass: r.f.addedUs <= TARGETS.autoUs,
    });
  }
  if (r.d) {
    const { floor, gateway } = r.d;
    push({
      id: 'd.rss',
      label: `(d) ${gateway?.streams ?? floor?.streams} open streams: RSS per stream, KiB`,
      unit: 'KiB',
      floor: floor?.kibPerStream,
      gateway: gateway?.kibPerStream,
      vsFloor: gateway && floor ? (gateway.kibPerStream / floor.kibPerStream) * 100 : undefined,
      kind: 'ratio',
      target: `gateway ≤ ${TARGETS.kibPerStream} KiB`,
      pass: gateway ? gateway.allOpen && gateway.kibPerStream <= TARGETS.kibPerStream : undefined,
    });
    const allAborted = (x?: OpenStreamsResult) => !!x && x.allOpen && x.allAborted;
    push({
      id: 'd.abort',
      label: '(d) callers leave: time until every upstream request is aborted, ms',
      unit: 'ms',
      floor: floor && (allAborted(floor) ? floor.abortMs : Number.POSITIVE_INFINITY),
      gateway: gateway && (allAborted(gateway) ? gateway.abortMs : Number.POSITIVE_INFINITY),
      vsFloor: gateway && floor ? gateway.abortMs - floor.abortMs : undefined,
      kind: 'delta',
      target: `gateway ≤ ${TARGETS.abortMs} ms, all`,
      pass: gateway ? allAborted(gateway) && gateway.abortMs <= TARGETS.abortMs : undefined,
    });
    // The figure above starts before the load generator's own destroy loop; this one at its end.
    push({
      id: 'd.abortFromLast',
      label: '(d) … the same, timed from the last caller’s destroy, ms',
      unit: 'ms',
      floor: floor && (allAborted(floor) ? floor.abortMsFromLastLeave : Number.POSITIVE_INFINITY),
      gateway:
        gateway && (allAborted(gateway) ? gateway.abortMsFromLastLeave : Number.POSITIVE_INFINITY),
      vsFloor:
        gateway && floor ? gateway.abortMsFromLastLeave - floor.abortMsFromLastLeave : undefined,
      kind: 'delta',
      target: `gateway ≤ ${TARGETS.abortMs} ms, all`,
      pass: gateway
        ? allAborted(gateway) && gateway.abortMsFromLastLeave <= TARGETS.abortMs
        : undefined,
    });
  }
  return out;
}

/** Per figure, the median over runs of each column (and the verdict on the median). */
export function medianFigures(runs: Figure[][]): Figure[] {
  if (runs.length === 1) return runs[0];
  const first = runs[0];
  return first.map((f) => {
    const same = runs.map((r) => r.find((x) => x.id === f.id)).filter((x): x is Figure => !!x);
    const med = (k: 'direct' | 'floor' | 'gateway' | 'vsFloor' | 'before' | 'beforeVsFloor') => {
      const v = same.map((x) => x[k]).filter((x): x is number => x !== undefined);
      return v.length ? median(v) : undefined;
    };
    const vsFloor = med('vsFloor');
    const gateway = med('gateway');
    return {
      ...f,
      direct: med('direct'),
      floor: med('floor'),
      gateway,
      vsFloor,
      before: med('before'),
      beforeVsFloor: med('beforeVsFloor'),
      pass: f.pass === undefined ? undefined : judge(f.id, vsFloor, gateway),
    };
  });
}

function judge(id: string, vsFloor?: number, gateway?: number): boolean | undefined {
  if (vsFloor === undefined) return undefined;
  switch (id) {
    case 'b.rps':
      return vsFloor >= TARGETS.throughputPct;
    case 'e.chunks':
      return vsFloor >= TARGETS.chunkRatePct;
    case 'a.p50':
    case 'a.p99':
      return vsFloor <= TARGETS.addedLatencyMs;
    case 'c.p50':
      return vsFloor <= TARGETS.ttfbMs;
    case 'f.auto':
      return vsFloor <= TARGETS.autoUs;
    case 'd.rss':
      return gateway !== undefined && gateway <= TARGETS.kibPerStream;
    case 'd.abort':
    case 'd.abortFromLast':
      return gateway !== undefined && gateway <= TARGETS.abortMs;
    default:
      return undefined;
  }
}

const num = (v: number | undefined): string => {
  if (v === undefined) return '—';
  if (!Number.isFinite(v)) return 'not all';
  return String(round(v));
};
const versus = (f: Figure, v: number | undefined): string => {
  if (v === undefined) return '—';
  if (f.kind === 'ratio') return `${v.toFixed(1)} %`;
  return `${v >= 0 ? '+' : ''}${round(v)} ${f.unit}`;
};
const hasBefore = (figures: Figure[]): boolean => figures.some((f) => f.before !== undefined);
const verdict = (f: Figure): string => (f.pass === undefined ? '' : f.pass ? 'PASS' : 'FAIL');

/** The table as markdown (the same columns as the console table). */
export function markdownTable(figures: Figure[]): string {
  const b = hasBefore(figures);
  const rows = [
    `| figure | direct | floor |${b ? ' before | before vs floor |' : ''} gateway | gateway vs floor | target | result |`,
    `| --- | ---: | ---: |${b ? ' ---: | ---: |' : ''} ---: | ---: | --- | --- |`,
  ];
  for (const f of figures) {
    const before = b ? ` ${num(f.before)} | ${versus(f, f.beforeVsFloor)} |` : '';
    rows.push(
      `| ${f.label} | ${num(f.direct)} | ${num(f.floor)} |${before} ${num(f.gateway)} | ${versus(f, f.vsFloor)} | ${f.target ?? ''} | ${verdict(f)} |`,
    );
  }
  return rows.join('\n');
}

/** The table for the console. */
export function consoleTable(figures: Figure[]): string {
  const b = hasBefore(figures);
  const rows = [
    [
      'figure',
      'direct',
      'floor',
      ...(b ? ['before', 'vs floor'] : []),
      'gateway',
      'vs floor',
      'target',
      'result',
    ],
  ];
  for (const f of figures) {
    rows.push([
      f.label,
      num(f.direct),
      num(f.floor),
      ...(b ? [num(f.before), versus(f, f.beforeVsFloor)] : []),
      num(f.gateway),
      versus(f, f.vsFloor),
      f.target ?? '',
      verdict(f),
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '))
    .join('\n');
}

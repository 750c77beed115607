import type { OpenStreamsResult } from '../scenarios/open-streams.scenario';
import type { SequentialLatencyResult } from '../scenarios/sequential-latency.scenario';
import type { StreamTtfbResult } from '../scenarios/stream-ttfb.scenario';
import type { ThroughputResult } from '../scenarios/throughput.scenario';
import { round } from './stats';

export interface ScenarioResults {
  a?: SequentialLatencyResult;
  b?: ThroughputResult;
  c?: StreamTtfbResult;
  d?: OpenStreamsResult;
  /** `--only ref`: (a) and (b) through minimal proxies, for comparison with the gateway. */
  reference?: Partial<
    Record<'http' | 'fastify', { a: SequentialLatencyResult; b: ThroughputResult }>
  >;
}

/** One target of the issue, judged on a measured figure. */
export interface TargetCheck {
  id: string;
  description: string;
  /** e.g. `≤ 0.3 ms`. */
  limit: string;
  measured: number;
  unit: string;
  pass: boolean;
}

/** The targets, for the scenarios that ran. */
export function checkTargets(r: ScenarioResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const check = (
    id: string,
    description: string,
    limit: string,
    measured: number,
    unit: string,
    pass: boolean,
  ) => checks.push({ id, description, limit, measured: round(measured), unit, pass });
  if (r.a) {
    check(
      'a.p50',
      'added latency p50, one at a time',
      '≤ 0.3 ms',
      r.a.added.p50,
      'ms',
      r.a.added.p50 <= 0.3,
    );
    check(
      'a.p99',
      'added latency p99, one at a time',
      '≤ 1.5 ms',
      r.a.added.p99,
      'ms',
      r.a.added.p99 <= 1.5,
    );
  }
  if (r.b) {
    const pct = r.b.ratio * 100;
    check('b.ratio', 'gateway throughput / direct, 50 connections', '≥ 25 %', pct, '%', pct >= 25);
  }
  if (r.c) {
    const added = r.c.added.ttfbP50;
    check('c.p50', 'added streaming TTFB p50', '≤ 0.5 ms', added, 'ms', added <= 0.5);
  }
  if (r.d) {
    check(
      'd.rss',
      'RSS per open stream',
      '≤ 40 KB',
      r.d.kibPerStream,
      'KiB',
      r.d.kibPerStream <= 40,
    );
    check(
      'd.open',
      "every stream's first byte, on the default configuration",
      '≤ 10000 ms',
      r.d.firstByteMsMax,
      'ms',
      r.d.firstByteMsMax <= 10_000,
    );
    check(
      'd.aborted',
      'upstream requests aborted when callers leave',
      `= ${r.d.streams}`,
      r.d.upstreamAborted,
      'requests',
      r.d.upstreamAborted >= r.d.streams,
    );
  }
  return checks;
}

type Row = [string, string, string, string, string, string, string];

const fmt = (v: number | undefined, digits = 3): string =>
  v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits);
const plus = (v: number, digits = 3): string => (v >= 0 ? '+' : '') + v.toFixed(digits);
const verdict = (checks: TargetCheck[], id: string): string => {
  const c = checks.find((x) => x.id === id);
  return c ? (c.pass ? 'PASS' : 'FAIL') : '';
};

/** The side-by-side table: direct, gateway, the gateway's added cost, the target and PASS/FAIL. */
export function formatTable(r: ScenarioResults, checks: TargetCheck[]): string {
  const rows: Row[] = [
    ['scenario', 'metric', 'direct', 'gateway', 'added / ratio', 'target', 'result'],
  ];
  const sep = (): void => {
    const last = rows[rows.length - 1];
    if (rows.length > 1 && last.some((c) => c !== '')) rows.push(['', '', '', '', '', '', '']);
  };
  if (r.a) {
    const { direct: d, gateway: g, added } = r.a;
    const name = `(a) one at a time, n=${d.n}`;
    rows.push([
      name,
      'latency p50 ms',
      fmt(d.p50),
      fmt(g.p50),
      plus(added.p50),
      'added ≤ 0.3',
      verdict(checks, 'a.p50'),
    ]);
    rows.push(['', 'latency p90 ms', fmt(d.p90), fmt(g.p90), plus(added.p90), '', '']);
    rows.push([
      '',
      'latency p99 ms',
      fmt(d.p99),
      fmt(g.p99),
      plus(added.p99),
      'added ≤ 1.5',
      verdict(checks, 'a.p99'),
    ]);
    // Direct column: the simulator's CPU per request; gateway column: the gateway's own.
    rows.push([
      '',
      'CPU µs/req sim | gw',
      fmt(r.a.simulatorCpuUsPerRequest, 0),
      fmt(r.a.gatewayCpuUsPerRequest, 0),
      '',
      '',
      '',
    ]);
    sep();
  }
  if (r.b) {
    const { direct: d, gateway: g } = r.b;
    const name = `(b) ${r.b.connections} connections, ${r.b.durationS} s`;
    rows.push([
      name,
      'req/s',
      fmt(d.rps, 0),
      fmt(g.rps, 0),
      `${fmt(r.b.ratio * 100, 1)} %`,
      '≥ 25 %',
      verdict(checks, 'b.ratio'),
    ]);
    rows.push([
      '',
      'latency p50 ms',
      fmt(d.latencyP50Ms, 0),
      fmt(g.latencyP50Ms, 0),
      plus(g.latencyP50Ms - d.latencyP50Ms, 0),
      '',
      '',
    ]);
    rows.push([
      '',
      'latency p99 ms',
      fmt(d.latencyP99Ms, 0),
      fmt(g.latencyP99Ms, 0),
      plus(g.latencyP99Ms - d.latencyP99Ms, 0),
      '',
      '',
    ]);
    rows.push([
      '',
      'non-2xx + errors',
      String(d.non2xx + d.errors),
      String(g.non2xx + g.errors),
      '',
      '',
      '',
    ]);
    const cpu = (c: typeof d.cpuPercent): string =>
      [c.simulator, c.gateway, c.loadGenerator]
        .map((v) => (v === undefined ? '-' : fmt(v, 0)))
        .join('/');
    rows.push(['', 'CPU % sim/gw/loadgen', cpu(d.cpuPercent), cpu(g.cpuPercent), '', '', '']);
    rows.push([
      '',
      'CPU µs/req sim/gw/loadgen',
      cpu(d.cpuUsPerRequest),
      cpu(g.cpuUsPerRequest),
      '',
      '',
      '',
    ]);
    sep();
  }
  if (r.c) {
    const { direct: d, gateway: g, added } = r.c;
    const name = `(c) streaming, n=${d.ttfb.n}`;
    rows.push([
      name,
      'TTFB p50 ms',
      fmt(d.ttfb.p50),
      fmt(g.ttfb.p50),
      plus(added.ttfbP50),
      'added ≤ 0.5',
      verdict(checks, 'c.p50'),
    ]);
    rows.push(['', 'TTFB p99 ms', fmt(d.ttfb.p99), fmt(g.ttfb.p99), plus(added.ttfbP99), '', '']);
    rows.push([
      '',
      'whole stream p50 ms',
      fmt(d.complete.p50),
      fmt(g.complete.p50),
      plus(added.completeP50),
      '',
      '',
    ]);
    sep();
  }
  if (r.d) {
    const d = r.d;
    const name = `(d) ${d.streams} open streams`;
    const mib = (kib: number): string => (kib / 1024).toFixed(1);
    rows.push([
      name,
      'RSS KiB per stream',
      '',
      fmt(d.kibPerStream, 1),
      '',
      '≤ 40',
      verdict(checks, 'd.rss'),
    ]);
    rows.push(['', '  from fresh start', '', fmt(d.kibPerStreamFromFresh, 1), '', '', '']);
    rows.push([
      '',
      'RSS MiB fresh/base/open',
      '',
      `${mib(d.rssFreshKiB)}/${mib(d.rssBaselineKiB)}/${mib(d.rssOpenKiB)}`,
      '',
      '',
      '',
    ]);
    rows.push([
      '',
      'callers with 1st byte',
      '',
      `${d.callersWithFirstByte}/${d.streams}`,
      '',
      '',
      '',
    ]);
    rows.push([
      '',
      '1st byte ms p50/max',
      '',
      `${fmt(d.firstByteMsP50, 0)}/${fmt(d.firstByteMsMax, 0)}`,
      '',
      '≤ 10000',
      verdict(checks, 'd.open'),
    ]);
    rows.push([
      '',
      'upstream aborted',
      '',
      `${d.upstreamAborted}/${d.streams}`,
      '',
      `all ${d.streams}`,
      verdict(checks, 'd.aborted'),
    ]);
    rows.push(['', 'time to abort all ms', '', fmt(d.abortMs, 0), '', '', '']);
  }
  for (const [kind, ref] of Object.entries(r.reference ?? {})) {
    if (!ref) continue;
    sep();
    const name = `(ref) minimal ${kind} proxy`;
    rows.push([
      name,
      'added p50 / p99 ms',
      '',
      `${plus(ref.a.added.p50)} / ${plus(ref.a.added.p99)}`,
      '',
      '',
      '',
    ]);
    rows.push([
      '',
      'CPU µs/req, one at a time',
      '',
      fmt(ref.a.gatewayCpuUsPerRequest, 0),
      '',
      '',
      '',
    ]);
    const b = ref.b;
    rows.push([
      '',
      'req/s',
      fmt(b.direct.rps, 0),
      fmt(b.gateway.rps, 0),
      `${fmt(b.ratio * 100, 1)} %`,
      '',
      '',
    ]);
    rows.push([
      '',
      'CPU µs/req, saturated',
      '',
      fmt(b.gateway.cpuUsPerRequest.gateway, 0),
      '',
      '',
      '',
    ]);
  }
  while (rows.length > 1 && rows[rows.length - 1].every((c) => c === '')) rows.pop();
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => [...row[i]].length)));
  const line = (row: Row): string =>
    row
      .map((cell, i) => (i >= 2 && i <= 4 ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const out = [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const row of rows.slice(1)) out.push(line(row));
  return out.join('\n');
}

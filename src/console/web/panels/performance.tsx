import { useState } from 'preact/hooks';
import { Chart } from '../chart';
import { formatCount, formatMs, formatRate, formatShare } from '../format';
import { groupChart, METRICS, percentileChart } from '../series';
import { useLoad, useSession } from '../session';
import { EmptyNotice, ErrorNotice, Loading, TableScroll } from '../ui';
import type { AnalyticsGroup, Percentiles } from '../wire.types';

const WINDOW_SECONDS: Record<string, number> = {
  '5m': 300,
  '1h': 3600,
  '24h': 86400,
  '7d': 604800,
};

/** Request rate, latency and TTFT percentiles, tokens/s and errors, per tier or per replica. */
export function PerformancePanel() {
  const { api, tick, window } = useSession();
  const [by, setBy] = useState<'tier' | 'replica'>('tier');
  const [focus, setFocus] = useState<string | undefined>(undefined);
  const analytics = useLoad((signal) => api.analytics(window, by, signal), [tick, window, by]);
  const data = analytics.data;
  const groups = data?.groups ?? [];
  const bucket = data?.bucket_seconds ?? 60;
  const labels = groups.map((g) => g.key);
  const focused = groups.find((g) => g.key === focus) ?? groups[0];
  const empty = `No requests in the last ${window}: send traffic through the gateway and it shows here at the next refresh.`;
  return (
    <section aria-labelledby="performance-title" class="panel">
      <h2 id="performance-title">Performance</h2>
      <fieldset class="segmented">
        <legend>Per</legend>
        {(['tier', 'replica'] as const).map((value) => (
          <label key={value}>
            <input
              type="radio"
              name="perf-by"
              value={value}
              checked={by === value}
              onChange={() => setBy(value)}
            />{' '}
            {value}
          </label>
        ))}
      </fieldset>
      <ErrorNotice failure={analytics.failure} />
      {!data && analytics.loading && <Loading what="performance analytics" />}
      {data && groups.length === 0 && <EmptyNotice>{empty}</EmptyNotice>}
      {groups.length > 0 && (
        <>
          <TableScroll label={`Performance per ${by}`}>
            <table data-testid="performance-table">
              <thead>
                <tr>
                  <th scope="col">{by}</th>
                  <th scope="col">Requests</th>
                  <th scope="col">Rate</th>
                  <th scope="col">Errors</th>
                  <th scope="col">Latency p50 / p95 / p99</th>
                  <th scope="col">TTFT p50 / p95 / p99</th>
                  <th scope="col">Tokens/s</th>
                </tr>
              </thead>
              <tbody>
                {groups.map((g) => (
                  <GroupRow key={g.key} group={g} seconds={WINDOW_SECONDS[window]} />
                ))}
              </tbody>
            </table>
          </TableScroll>
          <div class="grid">
            <Chart
              title={`Request rate per ${by}`}
              data={groupChart(groups, METRICS.requestRate, bucket)}
              lines={labels}
              format={(v) => formatRate(v)}
              empty={empty}
              testId="chart-rate"
            />
            <Chart
              title={`Error rate per ${by}`}
              data={groupChart(groups, METRICS.errorRate, bucket)}
              lines={labels}
              format={(v) => formatShare(v)}
              empty="No errors in this window."
              testId="chart-errors"
            />
            <Chart
              title={`Tokens per second per ${by}`}
              data={groupChart(groups, METRICS.tokensPerSecond, bucket)}
              lines={labels}
              format={(v) => formatRate(v, '')}
              empty="No token throughput measured in this window (streamed answers carry it)."
              testId="chart-tokens"
            />
          </div>
          <label class="inline">
            Percentiles of{' '}
            <select
              value={focused?.key}
              onChange={(e) => setFocus((e.target as HTMLSelectElement).value)}
            >
              {groups.map((g) => (
                <option key={g.key} value={g.key}>
                  {g.key}
                </option>
              ))}
            </select>
          </label>
          {focused && (
            <div class="grid">
              <Chart
                title={`Latency of ${focused.key}`}
                data={percentileChart(focused.series, 'latency_ms')}
                lines={['p50', 'p95', 'p99']}
                format={(v) => formatMs(v)}
                empty={empty}
                testId="chart-latency"
              />
              <Chart
                title={`Time to first token of ${focused.key}`}
                data={percentileChart(focused.series, 'ttft_ms')}
                lines={['p50', 'p95', 'p99']}
                format={(v) => formatMs(v)}
                empty="No streamed answers in this window: time to first token is measured on streams."
                testId="chart-ttft"
              />
            </div>
          )}
        </>
      )}
    </section>
  );
}

const percentiles = (p: Percentiles | null) =>
  p ? `${formatMs(p.p50)} / ${formatMs(p.p95)} / ${formatMs(p.p99)}` : '—';

function GroupRow({ group, seconds }: { group: AnalyticsGroup; seconds: number }) {
  return (
    <tr>
      <th scope="row" class="mono">
        {group.key}
      </th>
      <td>{formatCount(group.requests)}</td>
      <td>{formatRate(group.requests / seconds)}</td>
      <td>{formatShare(group.error_rate)}</td>
      <td>{percentiles(group.latency_ms)}</td>
      <td>{percentiles(group.ttft_ms)}</td>
      <td>{formatRate(group.tokens_per_second, '')}</td>
    </tr>
  );
}

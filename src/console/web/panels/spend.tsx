import { Chart } from '../chart';
import { formatClock, formatCount, formatMoney, formatShare } from '../format';
import { budgetUse, groupChart, METRICS, topSpenders } from '../series';
import { useLoad, useSession } from '../session';
import { EmptyNotice, ErrorNotice, Loading, ShareBar, Stat, TableScroll } from '../ui';
import type { AnalyticsGroup, AnalyticsResponse } from '../wire.types';

/** Cost per key, tier and model; budgets and their use; the top spenders. */
export function SpendPanel() {
  const { api, tick, window } = useSession();
  const byKey = useLoad((signal) => api.analytics(window, 'key', signal), [tick, window]);
  const byTier = useLoad((signal) => api.analytics(window, 'tier', signal), [tick, window]);
  const byModel = useLoad((signal) => api.analytics(window, 'model', signal), [tick, window]);
  const usage = useLoad((signal) => api.usage(signal), [tick]);
  const keys = byKey.data;
  const currency = keys?.currency ?? 'USD';
  const budgets = (keys?.groups ?? []).filter((g) => g.budget);
  const spenders = topSpenders(keys?.groups ?? [], 5);
  const most = spenders[0]?.cost ?? 0;
  return (
    <section aria-labelledby="spend-title" class="panel">
      <h2 id="spend-title">Spend</h2>
      <ErrorNotice failure={byKey.failure ?? byTier.failure ?? byModel.failure} />
      {!keys && byKey.loading && <Loading what="spend" />}
      {keys && (
        <dl class="stats">
          <Stat
            label={`cost (${window})`}
            value={formatMoney(keys.totals.cost, currency)}
            testId="total-cost"
          />
          <Stat
            label="requests"
            value={formatCount(keys.totals.requests)}
            testId="spend-requests"
          />
          <Stat label="output tokens" value={formatCount(keys.totals.tokens.output)} />
          {usage.data?.spend && (
            <Stat
              label={`this key, ${usage.data.spend.period}`}
              value={formatMoney(usage.data.spend.spent, usage.data.spend.currency)}
              testId="own-spend"
            />
          )}
        </dl>
      )}
      {keys && (
        <Chart
          title={`Cost over ${window}`}
          data={groupChart([keys.totals], METRICS.cost, keys.bucket_seconds)}
          lines={['cost']}
          format={(v) => formatMoney(v, currency)}
          empty="Nothing spent in this window: priced pools record a cost with each request."
          testId="chart-cost"
        />
      )}
      <div class="columns">
        <div>
          <h3>Top spenders</h3>
          {keys && spenders.length === 0 && (
            <EmptyNotice>No key has spent anything in this window.</EmptyNotice>
          )}
          {spenders.length > 0 && (
            <ol class="spenders" data-testid="top-spenders">
              {spenders.map((g) => (
                <li key={g.key}>
                  <span class="mono">{g.key}</span> {formatMoney(g.cost, currency)}
                  <ShareBar
                    share={most > 0 ? g.cost / most : 0}
                    label={`${formatMoney(g.cost, currency)}`}
                  />
                </li>
              ))}
            </ol>
          )}
        </div>
        <div>
          <h3>Budgets</h3>
          {keys && budgets.length === 0 && (
            <EmptyNotice>
              No key has a budget: set budgets in the configuration's spend section to track them
              here.
            </EmptyNotice>
          )}
          {budgets.length > 0 && <BudgetTable groups={budgets} currency={currency} />}
        </div>
      </div>
      <CostTable title="Cost per key" label="key" data={keys} testId="cost-by-key" />
      <CostTable title="Cost per tier" label="tier" data={byTier.data} testId="cost-by-tier" />
      <CostTable title="Cost per model" label="model" data={byModel.data} testId="cost-by-model" />
    </section>
  );
}

function BudgetTable({ groups, currency }: { groups: AnalyticsGroup[]; currency: string }) {
  return (
    <TableScroll label="Budgets">
      <table data-testid="budgets">
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Used</th>
            <th scope="col">Spent / budget</th>
            <th scope="col">Resets</th>
          </tr>
        </thead>
        <tbody>
          {groups.map((g) => {
            const budget = g.budget!;
            const use = budgetUse(budget);
            return (
              <tr key={g.key} class={use.over ? 'over-budget' : ''}>
                <th scope="row" class="mono">
                  {g.key}
                </th>
                <td>
                  <meter
                    min={0}
                    max={1}
                    low={0.8}
                    high={0.95}
                    optimum={0}
                    value={Math.min(use.fraction, 1)}
                    aria-label={`${g.key}: ${formatShare(use.fraction)} of its budget`}
                  />{' '}
                  {formatShare(use.fraction)}{' '}
                  {use.over ? `(over, ${budget.mode})` : `(${budget.mode})`}
                </td>
                <td>
                  {formatMoney(budget.spent, currency)} / {formatMoney(budget.amount, currency)} per{' '}
                  {budget.period}
                </td>
                <td>{formatClock(budget.resets_at)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableScroll>
  );
}

function CostTable({
  title,
  label,
  data,
  testId,
}: {
  title: string;
  label: string;
  data?: AnalyticsResponse;
  testId: string;
}) {
  if (!data) return null;
  const rows = [...data.groups].sort((a, b) => b.cost - a.cost || a.key.localeCompare(b.key));
  return (
    <div>
      <h3>{title}</h3>
      {rows.length === 0 ? (
        <EmptyNotice>No requests in this window.</EmptyNotice>
      ) : (
        <TableScroll label={title}>
          <table data-testid={testId}>
            <thead>
              <tr>
                <th scope="col">{label}</th>
                <th scope="col">Requests</th>
                <th scope="col">Input / cached / output / reasoning tokens</th>
                <th scope="col">Cost</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((g) => (
                <tr key={g.key}>
                  <th scope="row" class="mono">
                    {g.key}
                  </th>
                  <td>{formatCount(g.requests)}</td>
                  <td>
                    {formatCount(g.tokens.input)} / {formatCount(g.tokens.cached_input)} /{' '}
                    {formatCount(g.tokens.output)} / {formatCount(g.tokens.reasoning)}
                  </td>
                  <td>{formatMoney(g.cost, data.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </div>
  );
}

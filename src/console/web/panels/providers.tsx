import { useState } from 'preact/hooks';
import { ApiError } from '../client';
import type { ApiFailure } from '../errors';
import {
  formatClock,
  formatContext,
  formatCount,
  formatMoney,
  formatMs,
  formatRate,
  formatShare,
  NONE,
} from '../format';
import { useLoad, useSession } from '../session';
import { EmptyNotice, ErrorNotice, Loading, TableScroll } from '../ui';
import type { ProviderPool, Replica } from '../wire.types';

/** Every pool and replica: health, circuit, models, balancing, load, price; a probe per replica. */
export function ProvidersPanel() {
  const { api, tick } = useSession();
  const providers = useLoad((signal) => api.providers(signal), [tick]);
  const health = useLoad((signal) => api.health(signal), [tick]);
  const data = providers.data;
  return (
    <section aria-labelledby="providers-title" class="panel">
      <h2 id="providers-title">Providers</h2>
      {health.data && (
        <p class={`health health-${health.data.status}`} data-testid="gateway-health">
          Gateway health: <strong>{health.data.status}</strong>
        </p>
      )}
      <ErrorNotice failure={providers.failure ?? health.failure} />
      {!data && providers.loading && <Loading what="providers" />}
      {data && data.data.length === 0 && (
        <EmptyNotice>
          No pools are configured: add `pools` (or INSTANT_UPSTREAMS / THINKING_UPSTREAMS) to the
          gateway's configuration.
        </EmptyNotice>
      )}
      {data?.data.map((pool) => (
        <PoolCard key={pool.pool} pool={pool} currency={data.currency} />
      ))}
    </section>
  );
}

function PoolCard({ pool, currency }: { pool: ProviderPool; currency: string }) {
  const id = `pool-${pool.pool}`;
  return (
    <article class="card" aria-labelledby={id} data-testid={id}>
      <h3 id={id}>
        {pool.pool} <span class="muted">({pool.tiers.join(', ') || 'no tier'})</span>
      </h3>
      <dl class="facts">
        <dt>Model</dt>
        <dd>{pool.model}</dd>
        <dt>Balancing</dt>
        <dd>{pool.balancing}</dd>
        <dt>Price per million tokens</dt>
        <dd>
          {pool.price
            ? `input ${formatMoney(pool.price.input, currency)}, cached ${formatMoney(pool.price.cached_input, currency)}, output ${formatMoney(pool.price.output, currency)}, reasoning ${formatMoney(pool.price.reasoning, currency)} (${pool.price.source === 'gpu_hour' ? 'from the GPU-hour price' : 'configured'})`
            : 'not priced (add pricing to the configuration)'}
        </dd>
      </dl>
      {pool.replicas.length === 0 ? (
        <EmptyNotice>
          This pool has no replica: list its upstream URLs in the configuration.
        </EmptyNotice>
      ) : (
        <TableScroll label={`Replicas of ${pool.pool}`}>
          <table>
            <thead>
              <tr>
                <th scope="col">Replica</th>
                <th scope="col">Health</th>
                <th scope="col">Circuit</th>
                <th scope="col">Models</th>
                <th scope="col">Load</th>
                <th scope="col">Performance ({pool.replicas[0].performance.window})</th>
                <th scope="col">Connection</th>
              </tr>
            </thead>
            <tbody>
              {pool.replicas.map((replica) => (
                <ReplicaRow key={replica.id} pool={pool.pool} replica={replica} />
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </article>
  );
}

type ProbeState =
  { running: true } | { running: false; result?: Replica; failure?: ApiFailure; at: string };

function ReplicaRow({ pool, replica }: { pool: string; replica: Replica }) {
  const { api, onFailure } = useSession();
  const [probe, setProbe] = useState<ProbeState | undefined>(undefined);
  // A probe's answer shows in its own status line; the row keeps following the live poll.
  const perf = replica.performance;
  const test = () => {
    setProbe({ running: true });
    api.probe(pool, replica.id).then(
      (result) => setProbe({ running: false, result, at: new Date().toISOString() }),
      (error: unknown) => {
        const failure: ApiFailure =
          error instanceof ApiError
            ? error.failure
            : { status: 0, code: null, message: String(error), call: 'POST probe' };
        setProbe({ running: false, failure, at: new Date().toISOString() });
        onFailure(failure);
      },
    );
  };
  return (
    <tr data-testid={`replica-${replica.id}`}>
      <th scope="row">
        <span class="mono">{replica.id}</span>
        <br />
        <span class="muted mono">{replica.url}</span>
      </th>
      <td>
        <span class={`badge badge-${replica.health}`}>{replica.health}</span>
      </td>
      <td>
        <span class={`badge badge-circuit-${replica.circuit}`}>
          {replica.circuit.replace('_', ' ')}
        </span>
      </td>
      <td>
        {replica.models.length === 0
          ? 'none discovered yet'
          : replica.models.map((m) => (
              <div key={m.id}>
                <span class="mono">{m.id}</span> · {formatContext(m.context_length)}
                {m.serves_configured_model ? '' : ' · not the configured model'}
              </div>
            ))}
        <div class="muted">discovered {formatClock(replica.discovered_at)}</div>
      </td>
      <td>
        in flight {formatCount(replica.load.in_flight)}, queued {formatCount(replica.load.queued)}
        {replica.load.server_running !== null && (
          <div class="muted">
            server running {formatCount(replica.load.server_running)}, waiting{' '}
            {formatCount(replica.load.server_waiting)}
          </div>
        )}
        {replica.load.kv_cache_usage !== null && (
          <div class="muted">KV cache {formatShare(replica.load.kv_cache_usage)}</div>
        )}
      </td>
      <td>
        {formatCount(perf.requests)} req, errors {formatShare(perf.error_rate)}
        <div class="muted">
          p50/p95/p99{' '}
          {perf.latency_ms
            ? `${formatMs(perf.latency_ms.p50)} / ${formatMs(perf.latency_ms.p95)} / ${formatMs(perf.latency_ms.p99)}`
            : NONE}
        </div>
        <div class="muted">
          TTFT p95 {formatMs(perf.ttft_ms?.p95)}, {formatRate(perf.tokens_per_second, ' tok/s')}
        </div>
      </td>
      <td>
        <button
          type="button"
          onClick={test}
          disabled={probe?.running}
          aria-label={`Test connection to ${replica.id}`}
        >
          {probe?.running ? 'Testing…' : 'Test connection'}
        </button>
        <div role="status" class="probe-result" data-testid={`probe-${replica.id}`}>
          {probe &&
            !probe.running &&
            probe.result &&
            `${probe.result.health} at ${formatClock(probe.at)}`}
          {probe &&
            !probe.running &&
            probe.failure &&
            `failed: ${probe.failure.status || 'no answer'} ${probe.failure.message}`}
        </div>
      </td>
    </tr>
  );
}

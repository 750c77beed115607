import type { ReplicaState } from './replica';

/** Log lines of the providers module, so specs assert on the words operators read. */
export const ProvidersMessages = {
  stateChanged: (
    pool: string,
    upstream: string,
    from: ReplicaState,
    to: ReplicaState,
    reason: string,
  ) => `Upstream ${upstream} of pool ${pool}: ${from} -> ${to} (${reason})`,
  /** Why a replica is out of rotation although it answers its health check. */
  credentialsRejected: (status: number, path: string) =>
    `rejects the gateway's credentials (HTTP ${status} on GET ${path}): check the pool's api_key / <TIER>_API_KEY`,
  modelNotServed: (missing: readonly string[], served: readonly string[], path: string) =>
    `does not serve model ${missing.map((id) => `'${id}'`).join(', ')} (GET ${path} lists ${
      served.length === 0
        ? 'none'
        : served
            .slice(0, 5)
            .map((id) => `'${id}'`)
            .join(', ') + (served.length > 5 ? `, … ${served.length - 5} more` : '')
    })`,
  /** `load-aware` balancing without figures from a replica: it balances as least-outstanding. */
  loadMetricsMissing: (pool: string, upstream: string, problem: string) =>
    `Pool ${pool} is configured for load-aware balancing, but upstream ${upstream} ${problem}: ` +
    `the pool balances as least-outstanding until every replica reports its load`,
  loadMetricsFound: (pool: string, upstream: string, server: string) =>
    `Load-aware balancing of pool ${pool} reads ${server} load gauges from upstream ${upstream}`,
  noLoadGauges: (path: string, names: readonly string[]) =>
    `exposes none of the load gauges the gateway reads at ${path} (${names.join(', ')})`,
  metricsUnavailable: (path: string, status: number) =>
    `answers GET ${path} with HTTP ${status} (llama-server needs --metrics, SGLang --enable-metrics)`,
  streamingRefused: (upstream: string) =>
    `Upstream ${upstream} refused to stream: streamed requests to it are answered from non-streamed calls; set \`streaming: false\` on its pool to skip the refused attempt`,
  poolsStarted: (pools: number, replicas: number) =>
    `Watching ${replicas} upstream replica${replicas === 1 ? '' : 's'} in ${pools} pool${pools === 1 ? '' : 's'}`,
} as const;

/** The model servers whose load gauges the gateway reads. */
export type LoadMetricsServer = 'vllm' | 'tgi' | 'llamacpp' | 'sglang';

/** Load figures a model server reports in Prometheus text format; absent ones are undefined. */
export interface ReportedLoad {
  running?: number;
  waiting?: number;
  kvUsage?: number;
  /** Whose names were found (the first one seen). */
  server?: LoadMetricsServer;
}

type Figure = 'running' | 'waiting' | 'kvUsage';

/**
 * The gauges read, by server. Running and waiting are summed over label sets (several engines,
 * models or data-parallel ranks); KV-cache use is a 0..1 fraction everywhere:
 * - vLLM V1 and V0: `kv_cache_usage_perc` replaced `gpu_cache_usage_perc` (both 0..1);
 * - TGI: the current batch and its queue;
 * - llama.cpp `llama-server --metrics`: busy slots and deferred tasks; `kv_cache_usage_ratio`
 *   only in builds before the KV-cache refactor;
 * - SGLang `--enable-metrics`: `token_usage` is the share of the KV pool in use.
 */
const GAUGES: ReadonlyMap<string, { figure: Figure; server: LoadMetricsServer }> = new Map([
  ['vllm:num_requests_running', { figure: 'running', server: 'vllm' }],
  ['vllm:num_requests_waiting', { figure: 'waiting', server: 'vllm' }],
  ['vllm:kv_cache_usage_perc', { figure: 'kvUsage', server: 'vllm' }],
  ['vllm:gpu_cache_usage_perc', { figure: 'kvUsage', server: 'vllm' }],
  ['tgi_batch_current_size', { figure: 'running', server: 'tgi' }],
  ['tgi_queue_size', { figure: 'waiting', server: 'tgi' }],
  ['llamacpp:requests_processing', { figure: 'running', server: 'llamacpp' }],
  ['llamacpp:requests_deferred', { figure: 'waiting', server: 'llamacpp' }],
  ['llamacpp:kv_cache_usage_ratio', { figure: 'kvUsage', server: 'llamacpp' }],
  ['sglang:num_running_reqs', { figure: 'running', server: 'sglang' }],
  ['sglang:num_queue_reqs', { figure: 'waiting', server: 'sglang' }],
  ['sglang:token_usage', { figure: 'kvUsage', server: 'sglang' }],
] as const);

/** First characters of the names above: every other line is skipped without slicing. */
const FIRST_CHARS = new Set([...GAUGES.keys()].map((name) => name.charCodeAt(0)));

/** What the gateway looks for in a `/metrics` body, for messages. */
export const LOAD_GAUGE_NAMES: readonly string[] = [...GAUGES.keys()];

/**
 * Reads the load gauges out of a `/metrics` body. Only the names above are looked at;
 * everything else (histograms, comments) is skipped without parsing. The KV-cache figure is
 * the highest reported, since one full engine is enough to preempt requests.
 */
export function parseLoadMetrics(text: string): ReportedLoad {
  const load: ReportedLoad = {};
  let at = 0;
  while (at < text.length) {
    let end = text.indexOf('\n', at);
    if (end === -1) end = text.length;
    if (FIRST_CHARS.has(text.charCodeAt(at))) readSample(text.slice(at, end), load);
    at = end + 1;
  }
  return load;
}

function readSample(line: string, load: ReportedLoad): void {
  const brace = line.indexOf('{');
  const space = line.indexOf(' ');
  const nameEnd = brace !== -1 && (space === -1 || brace < space) ? brace : space;
  if (nameEnd <= 0) return;
  const gauge = GAUGES.get(line.slice(0, nameEnd));
  if (gauge === undefined) return;
  // `name{labels} value [timestamp]`: the value follows the closing brace (labels may hold spaces).
  const afterLabels = brace === nameEnd ? line.indexOf('}', brace) + 1 : nameEnd;
  const fields = line.slice(afterLabels).trim().split(/\s+/);
  const value = Number(fields[0]);
  if (!Number.isFinite(value)) return;
  load.server ??= gauge.server;
  if (gauge.figure === 'kvUsage') {
    load.kvUsage = Math.max(load.kvUsage ?? 0, Math.min(1, Math.max(0, value)));
  } else {
    load[gauge.figure] = (load[gauge.figure] ?? 0) + value;
  }
}

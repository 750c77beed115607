/** Load figures a model server reports in Prometheus text format; absent ones are undefined. */
export interface ReportedLoad {
  running?: number;
  waiting?: number;
  kvUsage?: number;
}

/** vLLM (V0 and V1 names) and TGI gauges, summed over label sets (several engines or models). */
const RUNNING = new Set(['vllm:num_requests_running', 'tgi_batch_current_size']);
const WAITING = new Set(['vllm:num_requests_waiting', 'tgi_queue_size']);
/** `gpu_cache_usage_perc` was renamed `kv_cache_usage_perc`; either is a 0..1 fraction. */
const KV_USAGE = new Set(['vllm:kv_cache_usage_perc', 'vllm:gpu_cache_usage_perc']);

/**
 * Reads the load gauges out of a `/metrics` body. Only the few names above are looked at;
 * everything else (histograms, comments) is skipped without parsing. The KV-cache figure is
 * the highest reported, since one full engine is enough to preempt requests.
 */
export function parseLoadMetrics(text: string): ReportedLoad {
  const load: ReportedLoad = {};
  let at = 0;
  while (at < text.length) {
    let end = text.indexOf('\n', at);
    if (end === -1) end = text.length;
    const first = text.charCodeAt(at);
    // 'v' or 't': the only names of interest; '#' comments and everything else are skipped.
    if (first === 118 || first === 116) readSample(text.slice(at, end), load);
    at = end + 1;
  }
  return load;
}

function readSample(line: string, load: ReportedLoad): void {
  const brace = line.indexOf('{');
  const space = line.indexOf(' ');
  const nameEnd = brace !== -1 && (space === -1 || brace < space) ? brace : space;
  if (nameEnd <= 0) return;
  const name = line.slice(0, nameEnd);
  const isRunning = RUNNING.has(name);
  const isWaiting = !isRunning && WAITING.has(name);
  const isKv = !isRunning && !isWaiting && KV_USAGE.has(name);
  if (!isRunning && !isWaiting && !isKv) return;
  // `name{labels} value [timestamp]`: the value follows the closing brace (labels may hold spaces).
  const afterLabels = brace === nameEnd ? line.indexOf('}', brace) + 1 : nameEnd;
  const fields = line.slice(afterLabels).trim().split(/\s+/);
  const value = Number(fields[0]);
  if (!Number.isFinite(value)) return;
  if (isRunning) load.running = (load.running ?? 0) + value;
  else if (isWaiting) load.waiting = (load.waiting ?? 0) + value;
  else load.kvUsage = Math.max(load.kvUsage ?? 0, Math.min(1, Math.max(0, value)));
}

import { parseLoadMetrics, type ReportedLoad } from './load-metrics';

/** `/metrics` bodies as each server writes them (names, labels, value formats), trimmed. */
const BODIES: { server: string; text: string; load: ReportedLoad }[] = [
  {
    server: 'vLLM V1: engines summed, the fullest KV cache kept, timestamps ignored',
    text: [
      '# HELP vllm:num_requests_running Number of requests in model execution batches.',
      '# TYPE vllm:num_requests_running gauge',
      'vllm:num_requests_running{engine="0",model_name="m"} 3.0',
      'vllm:num_requests_running{engine="1",model_name="m"} 2.0',
      'vllm:num_requests_waiting{engine="0",model_name="m"} 4.0 1732096800000',
      'vllm:kv_cache_usage_perc{engine="0",model_name="m"} 0.25',
      'vllm:kv_cache_usage_perc{engine="1",model_name="m"} 0.75',
      'vllm:generation_tokens_total{model_name="m"} 1234.0',
    ].join('\n'),
    load: { running: 5, waiting: 4, kvUsage: 0.75, server: 'vllm' },
  },
  {
    server: 'vLLM V0: gpu_cache_usage_perc, label values with spaces',
    text: 'vllm:gpu_cache_usage_perc{model_name="a b"} 0.5\nvllm:num_requests_waiting 1',
    load: { waiting: 1, kvUsage: 0.5, server: 'vllm' },
  },
  {
    server: 'TGI: batch and queue sizes',
    text: [
      '# TYPE tgi_queue_size gauge',
      'tgi_queue_size 7',
      '# TYPE tgi_batch_current_size gauge',
      'tgi_batch_current_size 12',
      'tgi_request_count 100',
    ].join('\n'),
    load: { running: 12, waiting: 7, server: 'tgi' },
  },
  {
    server: 'llama.cpp llama-server --metrics (current build: no KV-cache gauge)',
    text: [
      '# HELP llamacpp:prompt_tokens_total Number of prompt tokens processed, excluding cached tokens',
      '# TYPE llamacpp:prompt_tokens_total counter',
      'llamacpp:prompt_tokens_total 1024',
      '# HELP llamacpp:prompt_tokens_seconds Average prompt throughput in tokens/s',
      '# TYPE llamacpp:prompt_tokens_seconds gauge',
      'llamacpp:prompt_tokens_seconds 812.345',
      '# HELP llamacpp:requests_processing Number of requests processing',
      '# TYPE llamacpp:requests_processing gauge',
      'llamacpp:requests_processing 4',
      '# HELP llamacpp:requests_deferred Number of requests deferred',
      '# TYPE llamacpp:requests_deferred gauge',
      'llamacpp:requests_deferred 6',
      '# HELP llamacpp:n_busy_slots_per_decode Average number of busy slots per llama_decode() call',
      '# TYPE llamacpp:n_busy_slots_per_decode gauge',
      'llamacpp:n_busy_slots_per_decode 3.5',
      '',
    ].join('\n'),
    load: { running: 4, waiting: 6, server: 'llamacpp' },
  },
  {
    server: 'llama.cpp, older builds: kv_cache_usage_ratio',
    text: [
      '# TYPE llamacpp:kv_cache_usage_ratio gauge',
      'llamacpp:kv_cache_usage_ratio 0.125',
      '# TYPE llamacpp:kv_cache_tokens gauge',
      'llamacpp:kv_cache_tokens 512',
      'llamacpp:requests_processing 1',
      'llamacpp:requests_deferred 0',
    ].join('\n'),
    load: { running: 1, waiting: 0, kvUsage: 0.125, server: 'llamacpp' },
  },
  {
    server: 'SGLang --enable-metrics: running, queued and token usage',
    text: [
      '# HELP sglang:prompt_tokens_total Number of prefill tokens processed.',
      '# TYPE sglang:prompt_tokens_total counter',
      'sglang:prompt_tokens_total{model_name="meta-llama/Llama-3.1-8B-Instruct"} 8.128902e+06',
      '# HELP sglang:num_running_reqs The number of running requests.',
      '# TYPE sglang:num_running_reqs gauge',
      'sglang:num_running_reqs{engine_type="unified",model_name="meta-llama/Llama-3.1-8B-Instruct",tp_rank="0"} 12.0',
      '# HELP sglang:num_queue_reqs The number of requests in the waiting queue.',
      '# TYPE sglang:num_queue_reqs gauge',
      'sglang:num_queue_reqs{engine_type="unified",model_name="meta-llama/Llama-3.1-8B-Instruct",tp_rank="0"} 3.0',
      '# HELP sglang:token_usage The token usage',
      '# TYPE sglang:token_usage gauge',
      'sglang:token_usage{model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.28',
      '# HELP sglang:cache_hit_rate The cache hit rate',
      'sglang:cache_hit_rate{model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.0075',
    ].join('\n'),
    load: { running: 12, waiting: 3, kvUsage: 0.28, server: 'sglang' },
  },
  {
    server: 'a server with none of these names',
    text: '# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 1\n',
    load: {},
  },
  {
    server: 'llama-server without --metrics (its 501 body) or junk',
    text: '{"error":{"code":501,"message":"This server does not support metrics endpoint. Start it with `--metrics`","type":"not_supported_error"}}',
    load: {},
  },
  {
    server: 'values that are not numbers',
    text: 'vllm:num_requests_waiting{model_name="m"} NaNish\nllamacpp:requests_processing\n<html>',
    load: {},
  },
];

describe('load metrics of a replica', () => {
  it.each(BODIES)('$server', ({ text, load }) => {
    expect(parseLoadMetrics(text)).toEqual(load);
  });

  it('clamps KV-cache use to 0..1', () => {
    expect(parseLoadMetrics('sglang:token_usage 1.7\nsglang:num_running_reqs 1').kvUsage).toBe(1);
  });
});

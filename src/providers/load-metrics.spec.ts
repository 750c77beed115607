import { parseLoadMetrics } from './load-metrics';

describe('load metrics of a replica', () => {
  it('reads vLLM gauges, summing engines and keeping the fullest KV cache', () => {
    const text = [
      '# HELP vllm:num_requests_running Number of requests in model execution batches.',
      '# TYPE vllm:num_requests_running gauge',
      'vllm:num_requests_running{engine="0",model_name="m"} 3.0',
      'vllm:num_requests_running{engine="1",model_name="m"} 2.0',
      'vllm:num_requests_waiting{engine="0",model_name="m"} 4.0 1732096800000',
      'vllm:kv_cache_usage_perc{engine="0",model_name="m"} 0.25',
      'vllm:kv_cache_usage_perc{engine="1",model_name="m"} 0.75',
      'vllm:generation_tokens_total{model_name="m"} 1234.0',
    ].join('\n');
    expect(parseLoadMetrics(text)).toEqual({ running: 5, waiting: 4, kvUsage: 0.75 });
  });

  it('reads the older gpu_cache_usage_perc name and label values with spaces', () => {
    expect(
      parseLoadMetrics(
        'vllm:gpu_cache_usage_perc{model_name="a b"} 0.5\nvllm:num_requests_waiting 1',
      ),
    ).toEqual({ waiting: 1, kvUsage: 0.5 });
  });

  it("reads TGI's queue and batch sizes", () => {
    expect(parseLoadMetrics('tgi_queue_size 7\ntgi_batch_current_size 12\n')).toEqual({
      running: 12,
      waiting: 7,
    });
  });

  it('gives nothing for a server without these names, or for junk', () => {
    expect(parseLoadMetrics('process_cpu_seconds_total 1\n')).toEqual({});
    expect(parseLoadMetrics('vllm:num_requests_waiting{model_name="m"} NaNish\n<html>')).toEqual(
      {},
    );
  });
});

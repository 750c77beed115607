import { Logger } from '@nestjs/common';
import { Registry } from 'prom-client';
import type { PoolConfig } from '../config';
import { PoolMonitor } from './pool-monitor';
import { ProvidersMessages } from './providers.messages';
import { Replica, type ReplicaTransport } from './replica';
import type { ProbeResult, ReplicaProber } from './replica-probe';
import { UpstreamMetrics } from './upstream-metrics';

/** Answers by path; records what was asked. */
class PathProbe implements ReplicaProber {
  readonly asked: string[] = [];
  constructor(public answers: Record<string, ProbeResult>) {}
  get(path: string): Promise<ProbeResult> {
    this.asked.push(path);
    return Promise.resolve(this.answers[path] ?? { ok: false, status: 404, error: 'HTTP 404' });
  }
  close = (): Promise<void> => Promise.resolve();
}

const config = {
  name: 'p',
  upstreams: [
    { url: 'http://10.0.0.1:8000/v1', weight: 1, tls: { rejectUnauthorized: true } },
    { url: 'https://api.example.com/openai/v1/', weight: 1, tls: { rejectUnauthorized: true } },
  ],
  balancing: 'load-aware',
  healthCheck: {
    enabled: false,
    path: '/health',
    intervalMs: 60_000,
    timeoutMs: 100,
    healthyThreshold: 1,
    unhealthyThreshold: 1,
    verifyIntervalMs: 60_000,
  },
  outlier: { consecutiveFailures: 3, ejectionMs: 1000, maxEjectionMs: 8000 },
  loadAware: { metricsPath: '/metrics', scrapeIntervalMs: 60_000, staleAfterMs: 1000 },
} as PoolConfig;

function setup(answers: Record<string, ProbeResult>[]) {
  const changes: string[] = [];
  const replicas = config.upstreams.map(
    (u, i) =>
      new Replica(i, u.url, 1, {} as ReplicaTransport, config, (r, from, to, why) =>
        changes.push(`${r.index}:${from}->${to} (${why})`),
      ),
  );
  const probes = answers.map((a) => new PathProbe(a));
  const hooks: string[] = [];
  const monitor = new PoolMonitor(replicas, probes, config, () => 5_000, ['m'], {
    loadMetricsChanged: (replica, problem, server) =>
      hooks.push(`${replica.index}:${problem ?? `found ${server}`}`),
  });
  return { replicas, probes, monitor, changes, hooks };
}

const models = (...ids: string[]): ProbeResult => ({
  ok: true,
  status: 200,
  body: JSON.stringify({ data: ids.map((id) => ({ id })) }),
});

describe('pool monitor', () => {
  it("keeps what each replica's /v1/models says (context windows), and llama.cpp's tool support from /props", async () => {
    const llama = JSON.stringify({
      models: [{ name: 'm', capabilities: ['completion'] }],
      data: [{ id: 'm', owned_by: 'llamacpp', meta: { n_ctx: 4096, n_ctx_train: 65536 } }],
    });
    const { replicas, probes, monitor } = setup([
      {
        '/v1/models': { ok: true, status: 200, body: llama },
        '/props': {
          ok: true,
          status: 200,
          body: JSON.stringify({ chat_template_caps: { supports_tool_calls: true } }),
        },
      },
      {
        '/openai/v1/models': {
          ok: true,
          status: 200,
          body: JSON.stringify({ data: [{ id: 'other', max_model_len: 1024 }] }),
        },
      },
    ]);
    await monitor.verifyAll();
    expect(probes.map((p) => p.asked)).toEqual([['/v1/models', '/props'], ['/openai/v1/models']]);
    expect(replicas[0].discovery).toEqual({
      models: [{ id: 'm', contextLength: 4096, serverCapabilities: ['completion'] }],
      tools: true,
      at: 5_000,
    });
    // Serving the wrong model: out of rotation, and what it does serve is on record.
    expect(replicas[1]).toMatchObject({ serving: false, refused: { kind: 'model' } });
    expect(replicas[1].discovery).toEqual({
      models: [{ id: 'other', contextLength: 1024 }],
      at: 5_000,
    });
  });

  it('leaves the last discovery in place when /v1/models proves nothing', async () => {
    const { replicas, probes, monitor } = setup([{ '/v1/models': models('m') }, {}]);
    await monitor.verifyAll();
    probes[0].answers = {};
    await monitor.verifyAll();
    expect(replicas[0].discovery?.models).toEqual([{ id: 'm', contextLength: null }]);
    expect(replicas[1].discovery).toBeUndefined();
  });

  it("verifies each replica's <base>/models with its own path, and takes a refusing one out of rotation", async () => {
    const { replicas, probes, monitor, changes } = setup([
      { '/v1/models': { ok: false, status: 401, error: 'HTTP 401' } },
      { '/openai/v1/models': models('m', 'other') },
    ]);
    await monitor.verifyAll();
    expect(probes.map((p) => p.asked)).toEqual([['/v1/models'], ['/openai/v1/models']]);
    expect(replicas[0]).toMatchObject({ serving: false, state: 'unhealthy' });
    expect(replicas[0].selectable(5_000)).toBe(false);
    expect(replicas[0].refused?.kind).toBe('credentials');
    expect(replicas[1]).toMatchObject({ serving: true, state: 'healthy', verifiedAt: 5_000 });
    expect(changes).toEqual([
      `0:healthy->unhealthy (${ProvidersMessages.credentialsRejected(401, '/v1/models')})`,
    ]);

    // The key is fixed (a rotated secret): the next verification brings it back.
    probes[0].answers['/v1/models'] = models('m');
    await monitor.verifyAll();
    expect(replicas[0]).toMatchObject({ serving: true, state: 'healthy' });
    expect(changes.at(-1)).toBe('0:unhealthy->healthy (credentials check passed)');
  });

  it('an inconclusive answer leaves a replica as it was', async () => {
    const { replicas, probes, monitor } = setup([
      { '/v1/models': models('not-m') },
      { '/openai/v1/models': models('m') },
    ]);
    await monitor.verifyAll();
    expect(replicas[0].refused?.kind).toBe('model');
    probes[0].answers['/v1/models'] = { ok: false, error: 'ECONNREFUSED' };
    await monitor.verifyAll();
    expect(replicas[0].refused?.kind).toBe('model');
  });

  it('reports a replica without load gauges once per reason, and when its gauges appear', async () => {
    const { replicas, probes, monitor, hooks } = setup([
      { '/metrics': { ok: false, status: 501, error: 'HTTP 501' } },
      {
        '/metrics': {
          ok: true,
          status: 200,
          body: 'llamacpp:requests_processing 2\nllamacpp:requests_deferred 3\n',
        },
      },
    ]);
    await monitor.scrapeAll();
    await monitor.scrapeAll();
    expect(hooks).toEqual([
      `0:${ProvidersMessages.metricsUnavailable('/metrics', 501)}`,
      '1:found llamacpp',
    ]);
    expect(replicas[0].load).toBeUndefined();
    expect(replicas[1].load).toMatchObject({ running: 2, waiting: 3, at: 5_000 });

    probes[0].answers['/metrics'] = {
      ok: true,
      status: 200,
      body: 'process_cpu_seconds_total 1\n',
    };
    await monitor.scrapeAll();
    expect(hooks.at(-1)).toMatch(
      /^0:exposes none of the load gauges .* llamacpp:requests_processing/,
    );
    probes[0].answers['/metrics'] = { ok: false, error: 'ECONNREFUSED' };
    await monitor.scrapeAll();
    expect(hooks).toHaveLength(3);
    probes[0].answers['/metrics'] = { ok: true, status: 200, body: 'sglang:num_queue_reqs 1\n' };
    await monitor.scrapeAll();
    expect(hooks.at(-1)).toBe('0:found sglang');
    expect(replicas[0]).toMatchObject({
      loadMetricsProblem: undefined,
      loadMetricsServer: 'sglang',
    });
  });

  it('the warning operators read names the pool, the upstream and the reason', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const metrics = new UpstreamMetrics(new Registry(), () => []);
      const replica = setup([{}, {}]).replicas[0];
      metrics.loadMetricsChanged(
        'instant',
        replica,
        'answers GET /metrics with HTTP 501',
        undefined,
      );
      expect(warn).toHaveBeenCalledWith(
        'Pool instant is configured for load-aware balancing, but upstream http://10.0.0.1:8000/v1 ' +
          'answers GET /metrics with HTTP 501: the pool balances as least-outstanding until every replica reports its load',
      );
    } finally {
      warn.mockRestore();
    }
  });
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadGatewayConfig } from './config.loader';
import { ConfigValidationError, type ConfigIssue } from './config.errors';
import { ConfigMessages as M } from './config.messages';
import type { EnvSource } from './env-expand';
import type { GatewayConfig } from './gateway-config.interface';
import { CONFIG_LIMITS } from './config.constants';
import { defaultMaxClientConnections, openFilesLimit } from './open-files';

/** `server.max_connections` unset: from this process's open-file limit. */
const DEFAULT_CLIENT_CONNECTIONS = defaultMaxClientConnections(
  CONFIG_LIMITS.maxClientConnections,
  openFilesLimit(),
);

let dir: string;
let fileCount = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tiergate-config-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a YAML fixture and returns its path. */
function yamlFile(text: string): string {
  const file = join(dir, `gateway-${++fileCount}.yaml`);
  writeFileSync(file, text);
  return file;
}

/** The issues a configuration is rejected with (fails the test if it is accepted). */
function issuesOf(env: EnvSource): ConfigIssue[] {
  try {
    loadGatewayConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return [...error.issues];
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

const line = (path: string, message: string): ConfigIssue => ({ path, message });

/** What a pool gets for balancing, health checks, retries and protection when nothing is set. */
const POOL_RESILIENCE_DEFAULTS = {
  streaming: true,
  responsesApi: 'bridge',
  balancing: 'least-outstanding',
  maxConcurrency: Number.POSITIVE_INFINITY,
  queueSize: 1024,
  healthCheck: {
    enabled: true,
    path: '/health',
    intervalMs: 5000,
    timeoutMs: 2000,
    healthyThreshold: 2,
    unhealthyThreshold: 3,
    verifyIntervalMs: 30000,
  },
  outlier: { consecutiveFailures: 5, ejectionMs: 30000, maxEjectionMs: 300000 },
  retries: { maxAttempts: 3, backoffBaseMs: 25, backoffMaxMs: 1000, maxRetryAfterMs: 10000 },
  loadAware: { metricsPath: '/metrics', scrapeIntervalMs: 1000, staleAfterMs: 3000 },
  prefixAffinity: { enabled: false, loadFactor: 1.25 },
} as const;

const SHA = 'a'.repeat(64);
const CHAT_ENV = {
  INSTANT_UPSTREAMS: 'http://127.0.0.1:8001/v1',
  INSTANT_MODEL: 'Qwen/Qwen2.5-7B-Instruct',
  THINKING_UPSTREAMS: 'http://127.0.0.1:8002/v1',
  THINKING_MODEL: 'Qwen/QwQ-32B',
  GATEWAY_API_KEYS: 'client-secret-1',
};

/** A minimal valid YAML body to which a case appends its own sections. */
const MINIMAL_YAML = `
auth: { mode: disabled }
pools:
  p: { upstreams: [ { url: "http://u:8000/v1" } ] }
tiers:
  instant: { pool: p, model: m }
`;

describe('loadGatewayConfig', () => {
  describe('environment only', () => {
    it('builds the whole configuration with defaults from the docs/api.md §3 variables', () => {
      const config = loadGatewayConfig(CHAT_ENV);
      const expected: GatewayConfig = {
        server: {
          port: 9000,
          host: '0.0.0.0',
          bodyLimitBytes: 10485760,
          bodyTimeoutMs: 30000,
          maxConnections: DEFAULT_CLIENT_CONNECTIONS,
          logLevel: 'info',
          shutdown: { drainDelayMs: 5000, gracePeriodMs: 30000 },
          cors: { allowedOrigins: [] },
        },
        auth: { mode: 'required', keys: [{ name: 'env-1', key: 'client-secret-1' }] },
        pools: {
          instant: {
            name: 'instant',
            upstreams: [
              { url: 'http://127.0.0.1:8001/v1', weight: 1, tls: { rejectUnauthorized: true } },
            ],
            // No bound by default: the model server queues what it cannot run yet (issue 12).
            maxConnections: undefined,
            connectTimeoutMs: 5000,
            maxResponseBytes: 64 * 1024 * 1024,
            maxStreamLineBytes: 1024 * 1024,
            ...POOL_RESILIENCE_DEFAULTS,
          },
          thinking: {
            name: 'thinking',
            upstreams: [
              { url: 'http://127.0.0.1:8002/v1', weight: 1, tls: { rejectUnauthorized: true } },
            ],
            // No bound by default: the model server queues what it cannot run yet (issue 12).
            maxConnections: undefined,
            connectTimeoutMs: 5000,
            maxResponseBytes: 64 * 1024 * 1024,
            maxStreamLineBytes: 1024 * 1024,
            ...POOL_RESILIENCE_DEFAULTS,
          },
        },
        tiers: {
          instant: {
            name: 'instant',
            pool: 'instant',
            model: 'Qwen/Qwen2.5-7B-Instruct',
            timeouts: { requestMs: 300000, ttfbMs: 60000, idleMs: 30000, queueMs: 5000 },
            reasoning: 'passthrough',
            fallback: true,
            spill: false,
          },
          thinking: {
            name: 'thinking',
            pool: 'thinking',
            model: 'Qwen/QwQ-32B',
            timeouts: { requestMs: 300000, ttfbMs: 300000, idleMs: 30000, queueMs: 30000 },
            reasoning: 'passthrough',
            fallback: true,
            spill: false,
          },
        },
        aliases: {},
        routing: {
          defaultModel: 'auto',
          defaultTier: 'instant',
          classifiers: ['learned', 'rules'],
          thinkingThreshold: 0.5,
          steps: {
            rules: { minConfidence: 0.5 },
            learned: { minConfidence: 0.5 },
            semantic: { minConfidence: 0.6 },
          },
          semanticBudgetMs: 20,
        },
        streaming: { heartbeatMs: 15000 },
        tools: {
          maxRounds: 8,
          timeoutMs: 10000,
          maxCallsPerRound: 16,
          maxCallsPerRequest: 64,
          sandbox: { maxWorkers: 4, queueTimeoutMs: 5000 },
          escalation: { enabled: true, invalidArguments: 2, rounds: 4 },
          builtin: {
            calculator: { enabled: true },
            currentTime: { enabled: true },
            runJavascript: { enabled: false },
            webSearch: { enabled: true },
            memory: { enabled: false },
          },
          runJavascript: { timeoutMs: 2000, memoryLimitMb: 32 },
          webSearch: { maxResults: 5, timeoutMs: 5000, maxBodyBytes: 1048576, redirectHosts: [] },
          memory: { maxNotes: 200, keyPrefix: 'tiergate:memory:' },
        },
        redis: {},
        limits: {
          defaults: {},
          reserveCompletionTokens: 1024,
          redis: { onError: 'open', keyPrefix: 'tiergate:limits:', timeoutMs: 1000 },
          request: {
            maxMessages: 2048,
            maxContentChars: 1000000,
            maxTools: 128,
            maxJsonDepth: 64,
            maxJsonContainers: 100000,
          },
        },
        responses: {
          store: { ttlSeconds: 86400, maxEntries: 10000, keyPrefix: 'tiergate:responses:' },
        },
        pricing: { currency: 'USD', tiers: {}, models: {}, aliases: {}, pools: {} },
        budgets: {
          default: { period: 'month', mode: 'soft', warnAt: [0.8, 0.95] },
          keys: {},
          keyPrefix: 'tiergate:spend:',
        },
        analytics: {
          enabled: true,
          flushIntervalMs: 1000,
          redis: { keyPrefix: 'tiergate:analytics:' },
        },
      };
      expect(config).toEqual(expected);
    });

    it.each<[string, EnvSource, (config: GatewayConfig) => unknown, unknown]>([
      ['PORT', { PORT: '8080' }, (c) => c.server.port, 8080],
      ['HOST', { HOST: '127.0.0.1' }, (c) => c.server.host, '127.0.0.1'],
      ['BODY_LIMIT_BYTES', { BODY_LIMIT_BYTES: '1024' }, (c) => c.server.bodyLimitBytes, 1024],
      ['BODY_TIMEOUT_MS', { BODY_TIMEOUT_MS: '5000' }, (c) => c.server.bodyTimeoutMs, 5000],
      [
        'MAX_CLIENT_CONNECTIONS',
        { MAX_CLIENT_CONNECTIONS: '100' },
        (c) => c.server.maxConnections,
        100,
      ],
      ['LOG_LEVEL', { LOG_LEVEL: 'debug' }, (c) => c.server.logLevel, 'debug'],
      ['LOG_LEVEL in capitals', { LOG_LEVEL: 'WARN' }, (c) => c.server.logLevel, 'warn'],
      ['GATEWAY_AUTH', { GATEWAY_AUTH: 'disabled' }, (c) => c.auth.mode, 'disabled'],
      [
        'STREAM_HEARTBEAT_MS',
        { STREAM_HEARTBEAT_MS: '5000' },
        (c) => c.streaming.heartbeatMs,
        5000,
      ],
      [
        'REQUEST_TIMEOUT_MS',
        { REQUEST_TIMEOUT_MS: '60000' },
        (c) => [c.tiers.instant?.timeouts.requestMs, c.tiers.thinking?.timeouts.requestMs],
        [60000, 60000],
      ],
      [
        'ROUTING_DEFAULT_MODEL',
        { ROUTING_DEFAULT_MODEL: 'thinking' },
        (c) => c.routing.defaultModel,
        'thinking',
      ],
      [
        'several upstreams, spaces and a trailing slash',
        { INSTANT_UPSTREAMS: ' http://a:1/v1/ , https://b/v1,' },
        (c) => c.pools.instant.upstreams.map((u) => u.url),
        ['http://a:1/v1', 'https://b/v1'],
      ],
      [
        'GATEWAY_API_KEYS with several entries',
        { GATEWAY_API_KEYS: `k1, sha256:${SHA.toUpperCase()} ,k3` },
        (c) => c.auth.keys,
        [
          { name: 'env-1', key: 'k1' },
          { name: 'env-2', key: `sha256:${SHA}` },
          { name: 'env-3', key: 'k3' },
        ],
      ],
      [
        'embeddings pool',
        { EMBEDDINGS_UPSTREAMS: 'http://e:8000/v1', EMBEDDINGS_MODEL: 'BAAI/bge-m3' },
        (c) => [c.embeddings, c.pools.embeddings.upstreams.length],
        [
          {
            pool: 'embeddings',
            model: 'BAAI/bge-m3',
            timeouts: { requestMs: 300000, ttfbMs: 60000, idleMs: 30000, queueMs: 5000 },
          },
          1,
        ],
      ],
      [
        'empty variables as unset',
        { PORT: '', LOG_LEVEL: '  ' },
        (c) => [c.server.port, c.server.logLevel],
        [9000, 'info'],
      ],
      [
        'later issues’ variables (rate limits, Redis, OpenTelemetry) tolerated',
        { RATE_LIMIT_RPM: '60', REDIS_URL: 'redis://r', OTEL_SDK_DISABLED: 'true' },
        (c) => c.server.port,
        9000,
      ],
    ])('reads %s', (_name, extra, pick, expected) => {
      expect(pick(loadGatewayConfig({ ...CHAT_ENV, ...extra }))).toEqual(expected);
    });

    it('serves a single tier, which then becomes the default tier', () => {
      const config = loadGatewayConfig({
        THINKING_UPSTREAMS: 'http://t/v1',
        THINKING_MODEL: 'qwq',
        GATEWAY_AUTH: 'disabled',
      });
      expect(Object.keys(config.tiers)).toEqual(['thinking']);
      expect(config.routing.defaultTier).toBe('thinking');
    });

    it.each<[string, EnvSource, ConfigIssue[]]>([
      ['PORT 0', { PORT: '0' }, [line('PORT', M.integerBetween(1, 65535))]],
      ['PORT 65536', { PORT: '65536' }, [line('PORT', M.integerBetween(1, 65535))]],
      ['PORT not a number', { PORT: 'http' }, [line('PORT', M.integerBetween(1, 65535))]],
      ['PORT a fraction', { PORT: '80.5' }, [line('PORT', M.integerBetween(1, 65535))]],
      [
        'a negative timeout',
        { REQUEST_TIMEOUT_MS: '-1' },
        [line('REQUEST_TIMEOUT_MS', M.integerBetween(1, 86400000))],
      ],
      [
        'LOG_LEVEL',
        { LOG_LEVEL: 'verbose' },
        [line('LOG_LEVEL', M.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace']))],
      ],
      [
        'GATEWAY_AUTH',
        { GATEWAY_AUTH: 'off' },
        [line('GATEWAY_AUTH', M.oneOf(['required', 'disabled']))],
      ],
      [
        'an upstream URL without /v1',
        { INSTANT_UPSTREAMS: 'http://a:8000/v1,http://b:8000' },
        [
          line(
            'pools.instant.upstreams[1].url',
            `${M.upstreamUrl()} ${M.setBy('INSTANT_UPSTREAMS')}`,
          ),
        ],
      ],
      [
        'an upstream URL that is not http(s)',
        { THINKING_UPSTREAMS: 'ftp://t/v1' },
        [
          line(
            'pools.thinking.upstreams[0].url',
            `${M.upstreamUrl()} ${M.setBy('THINKING_UPSTREAMS')}`,
          ),
        ],
      ],
      [
        'upstreams without a model',
        { INSTANT_MODEL: '' },
        [line('INSTANT_MODEL', M.requiredWhenSet('INSTANT_UPSTREAMS', 'tiers.instant.model'))],
      ],
      [
        'a model without upstreams',
        { THINKING_UPSTREAMS: undefined },
        [line('THINKING_UPSTREAMS', M.requiredWhenSet('THINKING_MODEL', 'tiers.thinking.pool'))],
      ],
      [
        'half an embeddings pool',
        { EMBEDDINGS_UPSTREAMS: 'http://e/v1' },
        [line('EMBEDDINGS_MODEL', M.requiredWhenSet('EMBEDDINGS_UPSTREAMS', 'embeddings.model'))],
      ],
      [
        'no client keys while auth is required',
        { GATEWAY_API_KEYS: undefined },
        [
          line(
            'auth.keys',
            'GATEWAY_AUTH=required but no client keys are configured (GATEWAY_API_KEYS or auth.keys)',
          ),
        ],
      ],
      [
        'a short sha256 key',
        { GATEWAY_API_KEYS: 'ok,sha256:abc' },
        [line('auth.keys[1].key', `${M.sha256Key()} ${M.setBy('GATEWAY_API_KEYS entry 2')}`)],
      ],
      [
        'a sha256 key with a non-hex digit',
        { GATEWAY_API_KEYS: `sha256:${'g'.repeat(64)}` },
        [line('auth.keys[0].key', `${M.sha256Key()} ${M.setBy('GATEWAY_API_KEYS entry 1')}`)],
      ],
      [
        'a repeated client key',
        { GATEWAY_API_KEYS: 'same,same' },
        [
          line(
            'auth.keys[1].key',
            `${M.duplicateKeyValue('auth.keys[0].key')} ${M.setBy('GATEWAY_API_KEYS entry 2')}`,
          ),
        ],
      ],
      [
        'a default model that names nothing',
        { ROUTING_DEFAULT_MODEL: 'gpt-5' },
        [
          line(
            'routing.default_model',
            `${M.unknownDefaultModel()} ${M.setBy('ROUTING_DEFAULT_MODEL')}`,
          ),
        ],
      ],
      [
        'a default model on a tier that is not configured',
        {
          ROUTING_DEFAULT_MODEL: 'thinking',
          THINKING_UPSTREAMS: undefined,
          THINKING_MODEL: undefined,
        },
        [
          line(
            'routing.default_model',
            `${M.tierNotConfigured('thinking')} ${M.setBy('ROUTING_DEFAULT_MODEL')}`,
          ),
        ],
      ],
      [
        'no chat tier at all',
        {
          INSTANT_UPSTREAMS: undefined,
          INSTANT_MODEL: undefined,
          THINKING_UPSTREAMS: undefined,
          THINKING_MODEL: undefined,
        },
        [line('tiers', M.noChatTier())],
      ],
    ])('rejects %s, naming the key', (_name, extra, expected) => {
      expect(issuesOf({ ...CHAT_ENV, ...extra })).toEqual(expected);
    });

    it.each<[string, EnvSource, (config: GatewayConfig) => unknown, unknown]>([
      ['TOOLS_MAX_ROUNDS', { TOOLS_MAX_ROUNDS: '5' }, (c) => c.tools.maxRounds, 5],
      [
        'TOOLS_MAX_ROUNDS into the escalation default (half, rounded up)',
        { TOOLS_MAX_ROUNDS: '5' },
        (c) => c.tools.escalation.rounds,
        3,
      ],
      ['TOOLS_TIMEOUT_MS', { TOOLS_TIMEOUT_MS: '2500' }, (c) => c.tools.timeoutMs, 2500],
      [
        'WEB_SEARCH_ENDPOINT',
        { WEB_SEARCH_ENDPOINT: 'http://searx:8080/search' },
        (c) => c.tools.webSearch.endpoint,
        'http://searx:8080/search',
      ],
      [
        'REDIS_URL',
        { REDIS_URL: 'redis://127.0.0.1:6379/2' },
        (c) => c.redis.url,
        'redis://127.0.0.1:6379/2',
      ],
    ])('reads the tool setting %s', (_name, extra, pick, expected) => {
      expect(pick(loadGatewayConfig({ ...CHAT_ENV, ...extra }))).toEqual(expected);
    });

    it.each<[string, EnvSource, ConfigIssue[]]>([
      [
        'TOOLS_MAX_ROUNDS 0',
        { TOOLS_MAX_ROUNDS: '0' },
        [line('TOOLS_MAX_ROUNDS', M.integerBetween(1, 100))],
      ],
      [
        'a REDIS_URL that is not redis://',
        { REDIS_URL: 'http://r:6379' },
        [line('redis.url', `${M.redisUrl()} ${M.setBy('REDIS_URL')}`)],
      ],
      [
        'a WEB_SEARCH_ENDPOINT that is not a URL',
        { WEB_SEARCH_ENDPOINT: 'searx/search' },
        [line('tools.web_search.endpoint', `${M.httpUrl()} ${M.setBy('WEB_SEARCH_ENDPOINT')}`)],
      ],
    ])('rejects the tool setting %s, naming the key', (_name, extra, expected) => {
      expect(issuesOf({ ...CHAT_ENV, ...extra })).toEqual(expected);
    });

    it('accepts a model id as the default model', () => {
      const config = loadGatewayConfig({ ...CHAT_ENV, ROUTING_DEFAULT_MODEL: 'Qwen/QwQ-32B' });
      expect(config.routing.defaultModel).toBe('Qwen/QwQ-32B');
    });
  });

  describe('YAML file', () => {
    const FULL_YAML = `
server:
  { port: 9100, host: 127.0.0.1, body_limit_bytes: 2048, log_level: warn,
    shutdown: { drain_delay_ms: 0, grace_period_ms: 2000 } }
auth:
  mode: required
  keys:
    - { name: team-a, key: "\${TEAM_A_KEY}" }
    - { name: team-b, key: "sha256:${SHA}" }
pools:
  instant-vllm:
    max_connections: 16
    connect_timeout_ms: 1000
    max_response_bytes: 2048
    max_stream_line_bytes: 1024
    streaming: false
    responses_api: native
    balancing: load-aware
    max_concurrency: 8
    queue_size: 0
    health_check: { enabled: false, path: /v1/models, interval_ms: 100, timeout_ms: 50, healthy_threshold: 1, unhealthy_threshold: 4, verify_interval_ms: 0 }
    outlier: { consecutive_failures: 2, ejection_ms: 500, max_ejection_ms: 4000 }
    retries: { max_attempts: 1, backoff_base_ms: 0, backoff_max_ms: 10, max_retry_after_ms: 0 }
    load_aware: { metrics_path: /prometheus/metrics, scrape_interval_ms: 250 }
    prefix_affinity: { enabled: true, load_factor: 1.5 }
    api_key: \${POOL_KEY:-pool-default}
    upstreams:
      - url: http://vllm-instant-0:8000/v1/
        weight: 3
      - url: https://vllm-instant-1/v1
        api_key: own-key
        tls: { reject_unauthorized: false }
  thinking-vllm:
    upstreams: [ { url: "http://vllm-thinking:8000/v1" } ]
  embed:
    upstreams: [ { url: "http://tei:8080/v1" } ]
tiers:
  instant: { pool: instant-vllm, model: Qwen/Qwen2.5-7B-Instruct, reasoning: strip, context_window: 32768, fallback: false, spill: true,
             timeouts: { request_ms: 60000, ttfb_ms: 20000, idle_ms: 5000, queue_ms: 0 } }
  thinking: { pool: thinking-vllm, model: Qwen/QwQ-32B }
embeddings: { pool: embed, model: BAAI/bge-m3, timeouts: { request_ms: 30000 } }
aliases:
  gpt-4o-mini: instant
  o3-mini: { tier: thinking, truncate: oldest }
  Qwen/QwQ-32B: thinking
routing:
  default_model: gpt-4o-mini
  default_tier: thinking
  classifiers: [rules, semantic]
  thinking_threshold: 0.7
  steps: { rules: { min_confidence: 0.9 } }
  semantic_budget_ms: 35
streaming: { heartbeat_ms: 5000 }
`;

    it('reads every key, converting snake_case to the typed shape', () => {
      const config = loadGatewayConfig({ GATEWAY_CONFIG: yamlFile(FULL_YAML), TEAM_A_KEY: 'ka' });
      expect(config.server).toEqual({
        port: 9100,
        host: '127.0.0.1',
        bodyLimitBytes: 2048,
        bodyTimeoutMs: 30000,
        maxConnections: DEFAULT_CLIENT_CONNECTIONS,
        logLevel: 'warn',
        shutdown: { drainDelayMs: 0, gracePeriodMs: 2000 },
        cors: { allowedOrigins: [] },
      });
      expect(config.auth).toEqual({
        mode: 'required',
        keys: [
          { name: 'team-a', key: 'ka' },
          { name: 'team-b', key: `sha256:${SHA}` },
        ],
      });
      expect(config.pools['instant-vllm']).toEqual({
        name: 'instant-vllm',
        maxConnections: 16,
        connectTimeoutMs: 1000,
        maxResponseBytes: 2048,
        maxStreamLineBytes: 1024,
        streaming: false,
        responsesApi: 'native',
        balancing: 'load-aware',
        maxConcurrency: 8,
        queueSize: 0,
        healthCheck: {
          enabled: false,
          path: '/v1/models',
          intervalMs: 100,
          timeoutMs: 50,
          healthyThreshold: 1,
          unhealthyThreshold: 4,
          verifyIntervalMs: 0,
        },
        outlier: { consecutiveFailures: 2, ejectionMs: 500, maxEjectionMs: 4000 },
        retries: { maxAttempts: 1, backoffBaseMs: 0, backoffMaxMs: 10, maxRetryAfterMs: 0 },
        loadAware: { metricsPath: '/prometheus/metrics', scrapeIntervalMs: 250, staleAfterMs: 750 },
        prefixAffinity: { enabled: true, loadFactor: 1.5 },
        upstreams: [
          {
            url: 'http://vllm-instant-0:8000/v1',
            apiKey: 'pool-default',
            weight: 3,
            tls: { rejectUnauthorized: true },
          },
          {
            url: 'https://vllm-instant-1/v1',
            apiKey: 'own-key',
            weight: 1,
            tls: { rejectUnauthorized: false },
          },
        ],
      });
      expect(config.tiers).toEqual({
        instant: {
          name: 'instant',
          pool: 'instant-vllm',
          model: 'Qwen/Qwen2.5-7B-Instruct',
          reasoning: 'strip',
          contextWindow: 32768,
          timeouts: { requestMs: 60000, ttfbMs: 20000, idleMs: 5000, queueMs: 0 },
          fallback: false,
          spill: true,
        },
        thinking: {
          name: 'thinking',
          pool: 'thinking-vllm',
          model: 'Qwen/QwQ-32B',
          reasoning: 'passthrough',
          timeouts: { requestMs: 300000, ttfbMs: 300000, idleMs: 30000, queueMs: 30000 },
          fallback: true,
          spill: false,
        },
      });
      expect(config.embeddings).toEqual({
        pool: 'embed',
        model: 'BAAI/bge-m3',
        timeouts: { requestMs: 30000, ttfbMs: 60000, idleMs: 30000, queueMs: 5000 },
      });
      expect(config.routing).toEqual({
        defaultModel: 'gpt-4o-mini',
        defaultTier: 'thinking',
        classifiers: ['rules', 'semantic'],
        thinkingThreshold: 0.7,
        steps: {
          rules: { minConfidence: 0.9 },
          learned: { minConfidence: 0.5 },
          semantic: { minConfidence: 0.6 },
        },
        semanticBudgetMs: 35,
      });
      expect(config.streaming).toEqual({ heartbeatMs: 5000 });
    });

    it('reads the tools and redis sections', () => {
      const file = yamlFile(
        mergeYaml(
          MINIMAL_YAML,
          [
            'tools: { max_rounds: 6, timeout_ms: 500, escalation: { enabled: false, invalid_arguments: 3, rounds: 2 }, ' +
              'max_calls_per_round: 5, max_calls_per_request: 9, sandbox: { max_workers: 2, queue_timeout_ms: 300 }, ' +
              'builtin: { calculator: { enabled: false }, web_search: { enabled: "false" }, memory: { enabled: true } }, ' +
              'run_javascript: { timeout_ms: 700, memory_limit_mb: 8 }, ' +
              'web_search: { endpoint: "https://search.example/search", max_results: 3, timeout_ms: 900, ' +
              'max_body_bytes: 4096, redirect_hosts: [Mirror.Example] }, ' +
              'memory: { max_notes: 7, key_prefix: "prod-eu:memory:" } }',
            'redis: { url: "${REDIS_URL:-}" }',
          ].join('\n'),
        ),
      );
      const config = loadGatewayConfig({ GATEWAY_CONFIG: file });
      expect(config.tools).toEqual({
        maxRounds: 6,
        timeoutMs: 500,
        maxCallsPerRound: 5,
        maxCallsPerRequest: 9,
        sandbox: { maxWorkers: 2, queueTimeoutMs: 300 },
        escalation: { enabled: false, invalidArguments: 3, rounds: 2 },
        builtin: {
          calculator: { enabled: false },
          currentTime: { enabled: true },
          // Runs code: off unless switched on.
          runJavascript: { enabled: false },
          webSearch: { enabled: false },
          memory: { enabled: true },
        },
        runJavascript: { timeoutMs: 700, memoryLimitMb: 8 },
        webSearch: {
          endpoint: 'https://search.example/search',
          maxResults: 3,
          timeoutMs: 900,
          maxBodyBytes: 4096,
          redirectHosts: ['mirror.example'],
        },
        memory: { maxNotes: 7, keyPrefix: 'prod-eu:memory:' },
      });
      // `${REDIS_URL:-}` with the variable unset means no Redis.
      expect(config.redis).toEqual({});
    });

    it('reads aliases in shorthand and in object form', () => {
      const config = loadGatewayConfig({ GATEWAY_CONFIG: yamlFile(FULL_YAML), TEAM_A_KEY: 'ka' });
      expect(config.aliases).toEqual({
        'gpt-4o-mini': { tier: 'instant', truncate: 'none' },
        'o3-mini': { tier: 'thinking', truncate: 'oldest' },
        'Qwen/QwQ-32B': { tier: 'thinking', truncate: 'none' },
      });
    });

    it('lets the environment override the file, keeping the pool tuning of a replaced pool', () => {
      const config = loadGatewayConfig({
        GATEWAY_CONFIG: yamlFile(`
server: { port: 9100, log_level: warn }
auth: { keys: [ { name: team-a, key: from-yaml } ] }
pools:
  instant: { max_connections: 8, upstreams: [ { url: "http://old:8000/v1" } ] }
tiers:
  instant: { pool: instant, model: old-model, timeouts: { request_ms: 1000 } }
routing: { default_model: instant }
`),
        PORT: '9200',
        INSTANT_UPSTREAMS: 'http://new-0:8000/v1,http://new-1:8000/v1',
        INSTANT_MODEL: 'new-model',
        GATEWAY_API_KEYS: 'from-env',
        ROUTING_DEFAULT_MODEL: 'auto',
        REQUEST_TIMEOUT_MS: '5000',
      });
      expect(config.server.port).toBe(9200);
      expect(config.server.logLevel).toBe('warn');
      expect(config.pools.instant.maxConnections).toBe(8);
      expect(config.pools.instant.upstreams.map((u) => u.url)).toEqual([
        'http://new-0:8000/v1',
        'http://new-1:8000/v1',
      ]);
      expect(config.tiers.instant?.model).toBe('new-model');
      // An explicit per-tier timeout is more specific than the global default.
      expect(config.tiers.instant?.timeouts.requestMs).toBe(1000);
      expect(config.auth.keys).toEqual([
        { name: 'team-a', key: 'from-yaml' },
        { name: 'env-1', key: 'from-env' },
      ]);
      expect(config.routing.defaultModel).toBe('auto');
    });

    it('points a tier at the env-defined pool, leaving the YAML pool defined', () => {
      const config = loadGatewayConfig({
        GATEWAY_CONFIG: yamlFile(MINIMAL_YAML),
        INSTANT_UPSTREAMS: 'http://env:8000/v1',
      });
      expect(config.tiers.instant).toMatchObject({ pool: 'instant', model: 'm' });
      expect(Object.keys(config.pools).sort()).toEqual(['instant', 'p']);
    });

    it.each<[string, string, EnvSource, (c: GatewayConfig) => unknown, unknown]>([
      [
        'a number from a default',
        'server: { port: "${GW_PORT:-9300}" }',
        {},
        (c) => c.server.port,
        9300,
      ],
      [
        'a number from a variable',
        'server: { port: "${GW_PORT}" }',
        { GW_PORT: '9400' },
        (c) => c.server.port,
        9400,
      ],
      [
        'a boolean from a default',
        'pools: { p: { upstreams: [ { url: "http://q/v1", tls: { reject_unauthorized: "${TLS_VERIFY:-false}" } } ] } }',
        {},
        (c) => c.pools.p.upstreams[0].tls.rejectUnauthorized,
        false,
      ],
      [
        'a URL assembled from parts',
        'pools: { p: { upstreams: [ { url: "http://${Q_HOST:-localhost}:${Q_PORT:-8000}/v1" } ] } }',
        { Q_HOST: 'vllm' },
        (c) => c.pools.p.upstreams[0].url,
        'http://vllm:8000/v1',
      ],
      [
        'an empty key default meaning "no key"',
        'pools: { p: { api_key: "${Q_KEY:-}", upstreams: [ { url: "http://q/v1" } ] } }',
        {},
        (c) => 'apiKey' in c.pools.p.upstreams[0],
        false,
      ],
      [
        'a literal $ through $$',
        'routing: { default_model: "m$$" }\naliases: { m$: instant }',
        {},
        (c) => c.routing.defaultModel,
        'm$',
      ],
    ])('expands %s', (_name, yaml, env, pick, expected) => {
      const config = loadGatewayConfig({
        GATEWAY_CONFIG: yamlFile(mergeYaml(MINIMAL_YAML, yaml)),
        ...env,
      });
      expect(pick(config)).toEqual(expected);
    });

    it('reports every unset variable with its path', () => {
      const file = yamlFile(
        `${MINIMAL_YAML}server: { host: "\${GW_HOST}" }\nrouting: { default_model: "\${DEFAULT}" }\n`,
      );
      expect(issuesOf({ GATEWAY_CONFIG: file })).toEqual([
        line('server.host', M.unsetVariable('GW_HOST')),
        line('routing.default_model', M.unsetVariable('DEFAULT')),
      ]);
    });

    it('lists every mistake at once (a config with three mistakes reports three)', () => {
      const file = yamlFile(`
auth: { mode: disabled }
server: { port: 70000 }
pools:
  p:
    max_conections: 8
    upstreams: [ { url: "http://u:8000" } ]
tiers:
  instant: { pool: nope, model: m }
`);
      expect(issuesOf({ GATEWAY_CONFIG: file })).toEqual([
        line('server.port', M.integerBetween(1, 65535)),
        line('pools.p.max_conections', M.unknownKey()),
        line('pools.p.upstreams[0].url', M.upstreamUrl()),
        line('tiers.instant.pool', M.unknownPool('nope')),
      ]);
    });

    it('puts each problem on its own line of the message', () => {
      const file = yamlFile('server: { port: 0, host: "" }\n');
      let message = '';
      try {
        loadGatewayConfig({ GATEWAY_CONFIG: file, ...CHAT_ENV, PORT: 'x' });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message.split('\n')).toEqual([
        M.header(3),
        `  PORT: ${M.integerBetween(1, 65535)}`,
        `  server.port: ${M.integerBetween(1, 65535)}`,
        `  server.host: ${M.mustBeNonEmptyString()}`,
      ]);
    });

    it.each<[string, string, ConfigIssue[]]>([
      ['a misspelt key', 'server: { prot: 1 }', [line('server.prot', M.unknownKey())]],
      [
        'a camelCase key',
        'server: { bodyLimitBytes: 1 }',
        [line('server.bodyLimitBytes', M.unknownKey())],
      ],
      ['an unknown section', 'telemetry: {}', [line('telemetry', M.unknownKey())]],
      [
        'an unknown upstream key',
        'pools: { p: { upstreams: [ { url: "http://q/v1", wieght: 2 } ] } }',
        [line('pools.p.upstreams[0].wieght', M.unknownKey())],
      ],
      [
        'an unknown tier',
        'tiers: { instant: { pool: p, model: m }, fast: { pool: p, model: m } }',
        [line('tiers.fast', M.unknownKey())],
      ],
      [
        'an unknown classifier step',
        'routing: { steps: { bert: { min_confidence: 0.7 } } }',
        [line('routing.steps.bert', M.unknownKey())],
      ],
      [
        'an unknown alias key',
        'aliases: { a: { tier: instant, trunc: none } }',
        [line('aliases.a.trunc', M.unknownKey())],
      ],
      [
        'an unknown built-in tool',
        'tools: { builtin: { shell: { enabled: true } } }',
        [line('tools.builtin.shell', M.unknownKey())],
      ],
      [
        'a tool round limit of 0',
        'tools: { max_rounds: 0 }',
        [line('tools.max_rounds', M.integerBetween(1, 100))],
      ],
      ['an unknown redis key', 'redis: { host: r }', [line('redis.host', M.unknownKey())]],
      [
        'an unknown balancing policy',
        'pools: { p: { balancing: random, upstreams: [ { url: "http://u:8000/v1" } ] } }',
        [line('pools.p.balancing', M.oneOf(['least-outstanding', 'round-robin', 'load-aware']))],
      ],
      [
        'a concurrency limit above the connection bound',
        'pools: { p: { max_connections: 4, max_concurrency: 8, upstreams: [ { url: "http://u:8000/v1" } ] } }',
        [line('pools.p.max_concurrency', M.notAbove('max_connections', 4))],
      ],
      [
        'a health check path that is a URL',
        'pools: { p: { health_check: { path: "http://u/health" }, upstreams: [ { url: "http://u:8000/v1" } ] } }',
        [line('pools.p.health_check.path', M.originPath())],
      ],
      [
        'zero attempts',
        'pools: { p: { retries: { max_attempts: 0 }, upstreams: [ { url: "http://u:8000/v1" } ] } }',
        [line('pools.p.retries.max_attempts', M.integerBetween(1, 10))],
      ],
      [
        'an unknown outlier key',
        'pools: { p: { outlier: { failures: 3 }, upstreams: [ { url: "http://u:8000/v1" } ] } }',
        [line('pools.p.outlier.failures', M.unknownKey())],
      ],
      [
        'a negative drain delay',
        'server: { shutdown: { drain_delay_ms: -1 } }',
        [line('server.shutdown.drain_delay_ms', M.integerBetween(0, 86400000))],
      ],
      [
        'a tier fallback that is not a boolean',
        'tiers: { instant: { pool: p, model: m, fallback: sometimes } }',
        [line('tiers.instant.fallback', M.mustBeBoolean())],
      ],
      [
        'an unknown auth key entry',
        'auth: { mode: disabled, keys: [ { name: n, key: k, scope: x } ] }',
        [line('auth.keys[0].scope', M.unknownKey())],
      ],
    ])('rejects %s', (_name, yaml, expected) => {
      // Later sections replace MINIMAL_YAML's of the same name, so the file stays valid otherwise.
      const file = yamlFile(mergeYaml(MINIMAL_YAML, yaml));
      expect(issuesOf({ GATEWAY_CONFIG: file })).toEqual(expected);
    });

    it.each<[string, string, ConfigIssue[]]>([
      [
        'a pool without upstreams',
        'pools: { p: { upstreams: [] } }',
        [line('pools.p.upstreams', M.atLeastOneUpstream())],
      ],
      [
        'a pool without the upstreams key',
        'pools: { p: { max_connections: 2 } }',
        [line('pools.p.upstreams', M.required())],
      ],
      [
        'pools as a list',
        'pools: [ p ]',
        [line('pools', M.mustBeMapping()), line('tiers.instant.pool', M.unknownPool('p'))],
      ],
      [
        'an upstream as a string',
        'pools: { p: { upstreams: [ "http://u/v1" ] } }',
        [line('pools.p.upstreams[0]', M.mustBeMapping())],
      ],
      [
        'a zero weight',
        'pools: { p: { upstreams: [ { url: "http://u/v1", weight: 0 } ] } }',
        [line('pools.p.upstreams[0].weight', M.positiveNumber())],
      ],
      [
        'an URL with a query',
        'pools: { p: { upstreams: [ { url: "http://u/v1?x=1" } ] } }',
        [line('pools.p.upstreams[0].url', M.upstreamUrl())],
      ],
      [
        'a bad pool name',
        'pools: { "p q": { upstreams: [ { url: "http://u/v1" } ] }, p: { upstreams: [ { url: "http://u/v1" } ] } }',
        [line('pools["p q"]', M.poolName())],
      ],
      [
        'a tier without a model',
        'tiers: { instant: { pool: p } }',
        [line('tiers.instant.model', M.requiredWhenSet('tiers.instant.pool', 'INSTANT_MODEL'))],
      ],
      [
        'a tier without a pool',
        'tiers: { instant: { model: m } }',
        [line('tiers.instant.pool', M.requiredWhenSet('tiers.instant.model', 'INSTANT_UPSTREAMS'))],
      ],
      [
        'an unknown reasoning mode',
        'tiers: { instant: { pool: p, model: m, reasoning: hide } }',
        [line('tiers.instant.reasoning', M.oneOf(['passthrough', 'strip']))],
      ],
      [
        'embeddings on a missing pool',
        'embeddings: { pool: e, model: x }',
        [line('embeddings.pool', M.unknownPool('e'))],
      ],
      [
        'an alias on a tier that does not exist',
        'aliases: { a: fast }',
        [line('aliases.a.tier', M.oneOf(['instant', 'thinking']))],
      ],
      [
        'an alias on a tier that is not configured',
        'aliases: { o3-mini: thinking }',
        [line('aliases.o3-mini.tier', M.tierNotConfigured('thinking'))],
      ],
      [
        'an alias named auto',
        'aliases: { auto: instant }',
        [line('aliases.auto', M.reservedAlias('auto'))],
      ],
      [
        'an alias named thinking',
        'aliases: { thinking: instant }',
        [line('aliases.thinking', M.reservedAlias('thinking'))],
      ],
      [
        'an unknown truncate policy',
        'aliases: { a: { tier: instant, truncate: newest } }',
        [line('aliases.a.truncate', M.oneOf(['none', 'oldest']))],
      ],
      [
        'an alias without a tier',
        'aliases: { a: { truncate: none } }',
        [line('aliases.a.tier', M.required())],
      ],
      [
        'a default tier that is not configured',
        'routing: { default_tier: thinking }',
        [line('routing.default_tier', M.tierNotConfigured('thinking'))],
      ],
      [
        'an unknown classifier',
        'routing: { classifiers: [rules, bert] }',
        [line('routing.classifiers', M.listOf(['rules', 'learned', 'semantic']))],
      ],
      [
        'a repeated classifier',
        'routing: { classifiers: [rules, rules] }',
        [line('routing.classifiers', M.listOf(['rules', 'learned', 'semantic']))],
      ],
      [
        'a threshold above 1',
        'routing: { thinking_threshold: 1.5 }',
        [line('routing.thinking_threshold', M.numberBetween(0, 1))],
      ],
      [
        'a step confidence below 0.5',
        'routing: { steps: { learned: { min_confidence: 0.4 } } }',
        [line('routing.steps.learned.min_confidence', M.numberBetween(0.5, 1))],
      ],
      [
        'a string where a number belongs',
        'streaming: { heartbeat_ms: soon }',
        [line('streaming.heartbeat_ms', M.integerBetween(1, 86400000))],
      ],
      ['a section as a scalar', 'server: 9000', [line('server', M.mustBeMapping())]],
      ['a section as a list', 'streaming: [ 1 ]', [line('streaming', M.mustBeMapping())]],
      [
        'a non-boolean tls flag',
        'pools: { p: { upstreams: [ { url: "http://u/v1", tls: { reject_unauthorized: maybe } } ] } }',
        [line('pools.p.upstreams[0].tls.reject_unauthorized', M.mustBeBoolean())],
      ],
      [
        'a client key without a name',
        'auth: { keys: [ { key: k } ] }',
        [line('auth.keys[0].name', M.required())],
      ],
      [
        'two client keys with one name',
        'auth: { keys: [ { name: a, key: k1 }, { name: a, key: k2 } ] }',
        [line('auth.keys[1].name', M.duplicateKeyName('a'))],
      ],
      [
        'a bad sha256 client key',
        'auth: { keys: [ { name: a, key: "sha256:1234" } ] }',
        [line('auth.keys[0].key', M.sha256Key())],
      ],
    ])('rejects %s', (_name, yaml, expected) => {
      const file = yamlFile(mergeYaml(MINIMAL_YAML, yaml));
      expect(issuesOf({ GATEWAY_CONFIG: file })).toEqual(expected);
    });

    it.each<[string, string, RegExp]>([
      ['an unparsable file', 'server: { port: 1\n', /is not valid YAML/],
      [
        'a duplicated key',
        'server: {}\nserver: {}\n',
        /is not valid YAML: Map keys must be unique/,
      ],
      ['a list at the top level', '- a\n- b\n', /must hold a mapping at the top level/],
    ])('rejects %s, naming the file', (_name, yaml, pattern) => {
      const file = yamlFile(yaml);
      const issues = issuesOf({ GATEWAY_CONFIG: file, ...CHAT_ENV });
      expect(issues).toHaveLength(1);
      expect(issues[0].path).toBe('GATEWAY_CONFIG');
      expect(issues[0].message).toContain(file);
      expect(issues[0].message).toMatch(pattern);
    });

    it('rejects a file that does not exist, naming it', () => {
      const file = join(dir, 'missing.yaml');
      expect(issuesOf({ GATEWAY_CONFIG: file, ...CHAT_ENV })).toEqual([
        line('GATEWAY_CONFIG', M.fileNotFound(file)),
      ]);
    });

    it('accepts an empty file', () => {
      expect(
        loadGatewayConfig({ GATEWAY_CONFIG: yamlFile(''), ...CHAT_ENV }).tiers.instant,
      ).toBeDefined();
    });
  });

  describe('upstream API keys', () => {
    const POOL_YAML = `
auth: { mode: disabled }
pools:
  shared:
    api_key: pool-key
    upstreams:
      - { url: "http://a/v1", api_key: upstream-key }
      - { url: "http://b/v1" }
tiers:
  instant: { pool: shared, model: m }
`;
    it.each<[string, EnvSource, [string | undefined, string | undefined]]>([
      ['the upstream key, then the pool key, from YAML', {}, ['upstream-key', 'pool-key']],
      ['UPSTREAM_API_KEY over YAML', { UPSTREAM_API_KEY: 'global' }, ['global', 'global']],
      [
        'INSTANT_API_KEY over UPSTREAM_API_KEY',
        { UPSTREAM_API_KEY: 'global', INSTANT_API_KEY: 'tier' },
        ['tier', 'tier'],
      ],
      [
        'THINKING_API_KEY not applied to the instant pool',
        { THINKING_API_KEY: 'other' },
        ['upstream-key', 'pool-key'],
      ],
    ])('takes %s', (_name, env, expected) => {
      const config = loadGatewayConfig({ GATEWAY_CONFIG: yamlFile(POOL_YAML), ...env });
      expect(config.pools.shared.upstreams.map((u) => u.apiKey)).toEqual(expected);
    });

    it('sends no key when none is configured', () => {
      const config = loadGatewayConfig(CHAT_ENV);
      expect('apiKey' in config.pools.instant.upstreams[0]).toBe(false);
    });

    it('gives each env-defined pool its own key', () => {
      const config = loadGatewayConfig({
        ...CHAT_ENV,
        UPSTREAM_API_KEY: 'global',
        THINKING_API_KEY: 'thinking-key',
      });
      expect(config.pools.instant.upstreams[0].apiKey).toBe('global');
      expect(config.pools.thinking.upstreams[0].apiKey).toBe('thinking-key');
    });

    it('rejects two different tier keys for one shared pool', () => {
      const file = yamlFile(`${POOL_YAML}  thinking: { pool: shared, model: t }\n`);
      expect(
        issuesOf({ GATEWAY_CONFIG: file, INSTANT_API_KEY: 'one', THINKING_API_KEY: 'two' }),
      ).toEqual([
        line('pools.shared', M.conflictingPoolKeys('INSTANT_API_KEY', 'THINKING_API_KEY')),
      ]);
    });
  });

  it('never puts a key in an error message', () => {
    const file = yamlFile(`
pools:
  p: { api_key: pool-secret, upstreams: [ { url: "ftp://x", api_key: upstream-secret } ] }
auth: { keys: [ { name: a, key: "sha256:client-secret" }, { name: b, key: "sha256:client-secret" } ] }
tiers: { instant: { pool: p, model: m } }
`);
    let message = '';
    try {
      loadGatewayConfig({
        GATEWAY_CONFIG: file,
        GATEWAY_API_KEYS: 'sha256:env-secret',
        PORT: 'env-secret',
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('auth.keys[0].key');
    expect(message).not.toMatch(/secret/);
  });

  it('returns a frozen object', () => {
    const config = loadGatewayConfig(CHAT_ENV);
    expect(Object.isFrozen(config.pools.instant.upstreams[0].tls)).toBe(true);
    expect(() => {
      (config.server as { port: number }).port = 1;
    }).toThrow(TypeError);
  });
});

/**
 * Replaces MINIMAL_YAML's top-level sections with those of `overrides` (flow-style one-liners
 * keyed at column 0), so each case states only what it changes.
 */
function mergeYaml(base: string, overrides: string): string {
  const replaced = new Set(
    overrides
      .split('\n')
      .map((l) => /^([a-z_]+):/.exec(l)?.[1])
      .filter((k): k is string => k !== undefined),
  );
  const kept: string[] = [];
  let skipping = false;
  for (const l of base.split('\n')) {
    const key = /^([a-z_]+):/.exec(l)?.[1];
    if (key !== undefined) skipping = replaced.has(key);
    if (!skipping) kept.push(l);
  }
  return `${kept.join('\n')}\n${overrides}\n`;
}

describe('docs/gateway.example.yaml', () => {
  it('is a valid configuration that sets every key', () => {
    const file = join(__dirname, '..', '..', 'docs', 'gateway.example.yaml');
    const config = loadGatewayConfig({ GATEWAY_CONFIG: file, TEAM_A_KEY: 'team-a-secret' });
    expect(Object.keys(config).sort()).toEqual(
      [
        'aliases',
        'analytics',
        'auth',
        'embeddings',
        'pools',
        'redis',
        'routing',
        'server',
        'streaming',
        'tiers',
        'tools',
        'limits',
        'responses',
        'pricing',
        'budgets',
      ].sort(),
    );
    expect(config.pricing.tiers.instant).toEqual({
      input: 0.15,
      cachedInput: 0.075,
      output: 0.6,
      reasoning: 0.6,
    });
    expect(config.pricing.pools.embed).toEqual({ gpuHourCost: 1.2, throughputWindowMs: 300_000 });
    expect(config.budgets.keys['team-b']).toEqual({
      amount: 20,
      period: 'rolling',
      rollingMs: 86_400_000,
      mode: 'hard',
      warnAt: [0.5, 0.9],
    });
    expect(config.tools.webSearch.endpoint).toBe('http://searxng:8080/search');
    expect(config.redis.url).toBe('redis://redis:6379/0');
    expect(config.tiers.instant?.contextWindow).toBe(32768);
    expect(config.aliases['o3-mini']).toEqual({ tier: 'thinking', truncate: 'none' });
    expect(config.auth.keys.map((k) => k.name)).toEqual(['team-a', 'team-b', 'ops']);
    expect(config.auth.keys[2].role).toBe('admin');
    expect(config.auth.keys[1]).toMatchObject({
      allowedTiers: ['instant', 'embeddings'],
      limits: { rpm: 60, tpm: 100000, concurrency: 4 },
    });
    expect(config.limits.defaults).toEqual({ rpm: 600, tpm: 200000, concurrency: 16 });
    expect(config.server.cors.allowedOrigins).toEqual(['https://chat.example.com']);
  });
});

describe('client keys, rate limits and request bounds', () => {
  const KEYS_YAML = `
auth:
  keys:
    - { name: open, key: k-open }
    - name: narrow
      key: k-narrow
      allowed_tiers: [instant]
      allowed_models: [auto, gpt-4o-mini]
      allowed_tools: []
      limits: { rpm: 10, concurrency: 2 }
    - { name: unlimited, key: k-unlimited, limits: {} }
pools:
  p: { upstreams: [ { url: "http://u:8000/v1" } ] }
tiers:
  instant: { pool: p, model: m }
aliases: { gpt-4o-mini: instant }
server: { cors: { allowed_origins: ["https://a.example", "http://localhost:3000"] } }
limits:
  defaults: { rpm: 100, tpm: 5000, concurrency: 8 }
  reserve_completion_tokens: 64
  redis: { on_error: closed, key_prefix: "t:", timeout_ms: 200 }
  request: { max_messages: 10, max_content_chars: 100, max_tools: 3, max_json_depth: 8 }
`;

  it('reads per-key access and limits, keeping plain keys plain', () => {
    const config = loadGatewayConfig({ GATEWAY_CONFIG: yamlFile(KEYS_YAML) });
    expect(config.auth.keys).toEqual([
      { name: 'open', key: 'k-open' },
      {
        name: 'narrow',
        key: 'k-narrow',
        allowedTiers: ['instant'],
        allowedModels: ['auto', 'gpt-4o-mini'],
        allowedTools: [],
        limits: { rpm: 10, concurrency: 2 },
      },
      { name: 'unlimited', key: 'k-unlimited', limits: {} },
    ]);
    expect(config.limits).toEqual({
      defaults: { rpm: 100, tpm: 5000, concurrency: 8 },
      reserveCompletionTokens: 64,
      redis: { onError: 'closed', keyPrefix: 't:', timeoutMs: 200 },
      request: {
        maxMessages: 10,
        maxContentChars: 100,
        maxTools: 3,
        maxJsonDepth: 8,
        maxJsonContainers: 100000,
      },
    });
    expect(config.server.cors.allowedOrigins).toEqual([
      'https://a.example',
      'http://localhost:3000',
    ]);
  });

  it.each<[string, EnvSource, (config: GatewayConfig) => unknown, unknown]>([
    [
      'RATE_LIMIT_RPM, _TPM and _CONCURRENCY as the defaults',
      { RATE_LIMIT_RPM: '60', RATE_LIMIT_TPM: '9000', RATE_LIMIT_CONCURRENCY: '3' },
      (c) => c.limits.defaults,
      { rpm: 60, tpm: 9000, concurrency: 3 },
    ],
    [
      'RATE_LIMIT_ON_REDIS_ERROR',
      { RATE_LIMIT_ON_REDIS_ERROR: 'Closed' },
      (c) => c.limits.redis.onError,
      'closed',
    ],
    [
      'CORS_ALLOWED_ORIGINS',
      { CORS_ALLOWED_ORIGINS: 'https://a.example, *' },
      (c) => c.server.cors.allowedOrigins,
      ['https://a.example', '*'],
    ],
  ])('reads %s', (_name, extra, pick, expected) => {
    expect(pick(loadGatewayConfig({ ...CHAT_ENV, ...extra }))).toEqual(expected);
  });

  it('lets RATE_LIMIT_* override the YAML defaults, not a key’s own limits', () => {
    const config = loadGatewayConfig({
      GATEWAY_CONFIG: yamlFile(KEYS_YAML),
      RATE_LIMIT_RPM: '7',
    });
    expect(config.limits.defaults.rpm).toBe(7);
    expect(config.auth.keys[1].limits).toEqual({ rpm: 10, concurrency: 2 });
  });

  it.each<[string, EnvSource, ConfigIssue[]]>([
    [
      'RATE_LIMIT_RPM 0',
      { RATE_LIMIT_RPM: '0' },
      [line('RATE_LIMIT_RPM', M.integerBetween(1, 1000000000))],
    ],
    [
      'RATE_LIMIT_CONCURRENCY not a number',
      { RATE_LIMIT_CONCURRENCY: 'many' },
      [line('RATE_LIMIT_CONCURRENCY', M.integerBetween(1, 1000000))],
    ],
    [
      'RATE_LIMIT_ON_REDIS_ERROR',
      { RATE_LIMIT_ON_REDIS_ERROR: 'maybe' },
      [line('RATE_LIMIT_ON_REDIS_ERROR', M.oneOf(['open', 'closed']))],
    ],
    [
      'a CORS origin with a path',
      { CORS_ALLOWED_ORIGINS: 'https://a.example/app' },
      [line('server.cors.allowed_origins', `${M.corsOrigin()} ${M.setBy('CORS_ALLOWED_ORIGINS')}`)],
    ],
  ])('rejects %s, naming the variable', (_name, extra, expected) => {
    expect(issuesOf({ ...CHAT_ENV, ...extra })).toEqual(expected);
  });

  it.each<[string, string, ConfigIssue[]]>([
    [
      'an unknown tier',
      'auth: { keys: [ { name: a, key: k, allowed_tiers: [fast] } ] }',
      [line('auth.keys[0].allowed_tiers', M.listOf(['instant', 'thinking', 'embeddings']))],
    ],
    [
      'a tier that is not configured',
      'auth: { keys: [ { name: a, key: k, allowed_tiers: [thinking, embeddings] } ] }',
      [
        line('auth.keys[0].allowed_tiers', M.tierNotConfigured('thinking')),
        line('auth.keys[0].allowed_tiers', M.tierNotConfigured('embeddings')),
      ],
    ],
    [
      'a model name the gateway does not answer to',
      'auth: { keys: [ { name: a, key: k, allowed_models: [auto, gpt-5] } ] }',
      [line('auth.keys[0].allowed_models', M.unknownModelName('gpt-5'))],
    ],
    [
      'a repeated tool',
      'auth: { keys: [ { name: a, key: k, allowed_tools: [calculator, calculator] } ] }',
      [line('auth.keys[0].allowed_tools', M.nameList())],
    ],
    [
      'a zero limit and an unknown limit',
      'auth: { keys: [ { name: a, key: k, limits: { rpm: 0, rph: 5 } } ] }',
      [
        line('auth.keys[0].limits.rph', M.unknownKey()),
        line('auth.keys[0].limits.rpm', M.integerBetween(1, 1000000000)),
      ],
    ],
    [
      'a JSON depth beyond what is safe',
      'limits: { request: { max_json_depth: 100000 } }',
      [line('limits.request.max_json_depth', M.integerBetween(2, 256))],
    ],
    [
      'an unknown failure mode',
      'limits: { redis: { on_error: ignore } }',
      [line('limits.redis.on_error', M.oneOf(['open', 'closed']))],
    ],
    [
      'CORS origins that are not a list',
      'server: { cors: { allowed_origins: "https://a.example" } }',
      [line('server.cors.allowed_origins', M.mustBeList())],
    ],
  ])('rejects %s', (_name, yaml, expected) => {
    expect(issuesOf({ GATEWAY_CONFIG: yamlFile(mergeYaml(MINIMAL_YAML, yaml)) })).toEqual(expected);
  });
});

describe('.env.example', () => {
  const text = readFileSync(join(__dirname, '..', '..', '.env.example'), 'utf8');

  it('loads as a valid configuration (the demo wiring)', () => {
    const env: Record<string, string> = {};
    for (const entry of text.split('\n')) {
      const match = /^([A-Z0-9_]+)=(.*)$/.exec(entry);
      if (match) env[match[1]] = match[2];
    }
    const config = loadGatewayConfig(env);
    expect(config.pools.instant.upstreams[0].url).toBe('http://127.0.0.1:8001/v1');
    expect(config.pools.thinking.upstreams[0].url).toBe('http://127.0.0.1:8002/v1');
  });

  it.each([
    'PORT',
    'HOST',
    'GATEWAY_CONFIG',
    'INSTANT_UPSTREAMS',
    'INSTANT_MODEL',
    'THINKING_UPSTREAMS',
    'THINKING_MODEL',
    'EMBEDDINGS_UPSTREAMS',
    'EMBEDDINGS_MODEL',
    'UPSTREAM_API_KEY',
    'INSTANT_API_KEY',
    'THINKING_API_KEY',
    'EMBEDDINGS_API_KEY',
    'GATEWAY_API_KEYS',
    'GATEWAY_AUTH',
    'ROUTING_DEFAULT_MODEL',
    'REQUEST_TIMEOUT_MS',
    'RATE_LIMIT_RPM',
    'RATE_LIMIT_TPM',
    'RATE_LIMIT_CONCURRENCY',
    'REDIS_URL',
    'LOG_LEVEL',
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    'OTEL_SDK_DISABLED',
    'OTEL_SERVICE_NAME',
    'BODY_LIMIT_BYTES',
    'BODY_TIMEOUT_MS',
    'MAX_CLIENT_CONNECTIONS',
    'STREAM_HEARTBEAT_MS',
    'TOOLS_MAX_ROUNDS',
    'TOOLS_TIMEOUT_MS',
    'WEB_SEARCH_ENDPOINT',
    'RATE_LIMIT_ON_REDIS_ERROR',
    'CORS_ALLOWED_ORIGINS',
  ])('documents %s', (name) => {
    expect(text).toMatch(new RegExp(`^(# )?${name}=`, 'm'));
  });
});

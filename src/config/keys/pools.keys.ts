import {
  boolean,
  decimal,
  integer,
  list,
  ms,
  namedMap,
  oneOf,
  originPath,
  positive,
  secret,
  section,
  upstreamUrl,
} from '../config-key.builders';
import { BALANCING_POLICIES, CONFIG_LIMITS, RESPONSES_APIS } from '../config.constants';

const TIER_KEY_VARIABLES = '`<TIER>_API_KEY`, `UPSTREAM_API_KEY`';

const UPSTREAM = section(
  {
    /** Base URL ending in `/v1`, e.g. `http://vllm-0:8000/v1`. Normalised without a trailing slash. */
    url: upstreamUrl({
      required: true,
      defaultDoc: '— (at least one upstream)',
      envDoc: '`<TIER>_UPSTREAMS`',
      doc: 'base URL of one replica (a trailing slash is dropped)',
    }),
    /**
     * Bearer token sent to this upstream, already resolved: `<TIER>_API_KEY` > `UPSTREAM_API_KEY` >
     * the upstream's `api_key` > its pool's `api_key`. Absent means no `authorization` header.
     */
    apiKey: secret({
      optional: true,
      defaultDoc: "the pool's `api_key`",
      envDoc: TIER_KEY_VARIABLES,
      doc: 'bearer token of this replica',
    }),
    /** Relative share of the pool's traffic. */
    weight: positive({ default: 1, doc: "relative share of the pool's traffic" }),
    tls: section(
      {
        rejectUnauthorized: boolean({
          default: true,
          doc: "verify the replica's certificate (https only)",
        }),
      },
      { name: 'TlsSchema' },
    ),
  },
  { name: 'UpstreamSchema' },
);

/** Active checks: a GET that never runs a model. */
const HEALTH_CHECK = section(
  {
    enabled: boolean({
      default: true,
      doc: 'active checks; when off, replicas are healthy unless their circuit is open',
    }),
    /** Path on the upstream's origin: `/health` (vLLM, TGI, llama.cpp) or `/v1/models`. */
    path: originPath({
      default: '/health',
      doc: '`/health` for vLLM, TGI, llama.cpp; `/v1/models` for servers without one; any 2xx is healthy',
    }),
    intervalMs: ms(1, { default: 5_000, doc: 'between checks' }),
    timeoutMs: ms(1, { default: 2_000, doc: 'of one check' }),
    healthyThreshold: integer(1, CONFIG_LIMITS.maxThreshold, {
      default: 2,
      values: 'count',
      doc: 'consecutive successes that make an unhealthy replica healthy',
    }),
    unhealthyThreshold: integer(1, CONFIG_LIMITS.maxThreshold, {
      default: 3,
      values: 'count',
      doc: 'consecutive failures that make a healthy replica unhealthy',
    }),
    // `/v1/models` (key and model ids) is read at start-up and this often: slower than liveness.
    verifyIntervalMs: ms(0, {
      default: 30_000,
      values: 'ms; `0` turns it off',
      doc:
        '`GET <base>/models` with the key, at start and this often: 401/403 or a missing model ' +
        'id takes the replica out',
    }),
  },
  { name: 'HealthCheckSchema' },
);

/** Passive outlier ejection: a circuit per replica, opened by consecutive failures. */
const OUTLIER = section(
  {
    consecutiveFailures: integer(1, CONFIG_LIMITS.maxThreshold, {
      default: 5,
      values: 'count',
      doc: "failed requests in a row that open a replica's circuit (ejection)",
    }),
    ejectionMs: ms(1, {
      default: 30_000,
      doc: 'first ejection; each further one in a row doubles it',
    }),
    maxEjectionMs: ms(1, { default: 300_000, doc: 'longest ejection' }),
  },
  { name: 'OutlierSchema' },
);

/** Retries on another replica, before the first byte (or the stream's first content delta). */
const RETRIES = section(
  {
    maxAttempts: integer(1, CONFIG_LIMITS.maxAttempts, {
      default: 3,
      doc:
        'attempts in total, the first included (`1` turns retries off); only before the caller ' +
        'saw content',
    }),
    /** Exponential backoff with full jitter: a random wait in [0, min(max, base × 2^(n−1))]. */
    backoffBaseMs: ms(0, { default: 25, doc: 'exponential backoff with full jitter' }),
    backoffMaxMs: ms(0, { default: 1_000, doc: 'longest backoff' }),
    maxRetryAfterMs: ms(0, {
      default: 10_000,
      doc: "an upstream's longer `Retry-After` is not waited for",
    }),
  },
  { name: 'RetriesSchema' },
);

const LOAD_AWARE = section(
  {
    metricsPath: originPath({
      default: '/metrics',
      doc:
        'Prometheus metrics of each replica (`load-aware`): vLLM, TGI, llama.cpp `--metrics`, ' +
        'SGLang gauges',
    }),
    scrapeIntervalMs: ms(1, { default: 1_000, doc: 'between scrapes' }),
    staleAfterMs: ms(1, {
      optional: true,
      defaultDoc: '3 × `scrape_interval_ms`',
      doc: 'older metrics count as missing (the pool falls back to `least-outstanding`)',
    }),
  },
  {
    name: 'LoadAwareSchema',
    resolve: ({ staleAfterMs, ...loadAware }) => ({
      ...loadAware,
      staleAfterMs: staleAfterMs ?? 3 * loadAware.scrapeIntervalMs,
    }),
  },
);

/** Requests sharing a system prompt and first user turn prefer the same replica (prefix cache). */
const PREFIX_AFFINITY = section(
  {
    enabled: boolean({
      default: false,
      doc:
        "requests sharing a system prompt and first user turn prefer the same replica (vLLM's " +
        'prefix cache)',
    }),
    /** Bounded load: a replica takes an affine request only below `loadFactor` × the mean load. */
    loadFactor: decimal(1, 100, {
      default: 1.25,
      doc: "an affine replica is used only below this × the pool's mean load",
    }),
  },
  { name: 'PrefixAffinitySchema' },
);

const POOL = section(
  {
    upstreams: list(UPSTREAM, { required: true, minOne: true }),
    /** The pool's default for upstreams that give no key of their own. */
    apiKey: secret({
      optional: true,
      values: 'string (`${VAR:-}` makes it optional)',
      defaultDoc: 'none',
      envDoc: TIER_KEY_VARIABLES,
      doc: 'bearer token of every replica that gives none',
    }),
    /**
     * Unset means no bound: a model server admits and queues requests itself (vLLM runs 256
     * sequences and queues the rest), so a default cap here would only turn its queue into 503s.
     */
    maxConnections: integer(1, CONFIG_LIMITS.maxConnections, {
      optional: true,
      defaultDoc: 'none (no bound)',
      doc:
        "connections per replica origin, at most; unset, the model server's own queue decides " +
        '(one connection per request in flight)',
    }),
    connectTimeoutMs: ms(1, { default: 5_000, doc: 'connect timeout towards each replica' }),
    // Tens of MiB fit a big embeddings batch.
    maxResponseBytes: integer(1024, CONFIG_LIMITS.maxResponseBytes, {
      default: 64 * 1024 * 1024,
      defaultDoc: '`67108864` (64 MiB)',
      doc:
        'largest non-streamed answer read from a replica; over it the read stops and the caller ' +
        'gets 502 `upstream_error`',
    }),
    maxStreamLineBytes: integer(1024, CONFIG_LIMITS.maxResponseBytes, {
      default: 1024 * 1024,
      defaultDoc: '`1048576` (1 MiB)',
      doc:
        'largest streamed event (SSE event data, NDJSON line); over it the stream fails with 502 ' +
        '`upstream_error`',
    }),
    streaming: boolean({
      default: true,
      doc:
        '`false`: streamed requests are sent non-streamed and the gateway streams the answer; ' +
        '`true`: only when refused (routing.md)',
    }),
    responsesApi: oneOf(RESPONSES_APIS, {
      default: 'bridge',
      doc:
        '`/v1/responses` on this pool: `bridge` translates to `/v1/chat/completions`; `native` ' +
        "sends it to the replica's own `/v1/responses` (vLLM, llama.cpp; responses-api.md)",
    }),
    balancing: oneOf(BALANCING_POLICIES, {
      default: 'least-outstanding',
      doc:
        'how a replica is picked per attempt (power of two choices; smooth weighted ' +
        "round-robin; the replicas' own queue and KV-cache use)",
    }),
    maxConcurrency: integer(1, CONFIG_LIMITS.maxConnections, {
      optional: true,
      values: '≤ `max_connections`',
      defaultDoc: '`max_connections` or none',
      doc:
        "requests in flight per replica, per gateway process (set it from vLLM's " +
        '`--max-num-seqs`)',
    }),
    queueSize: integer(0, CONFIG_LIMITS.maxQueueSize, {
      default: 1_024,
      doc:
        'requests that may wait for a free replica; beyond it 503 `overloaded` with ' +
        '`Retry-After`; `0` sheds at once',
    }),
    healthCheck: HEALTH_CHECK,
    outlier: OUTLIER,
    retries: RETRIES,
    loadAware: LOAD_AWARE,
    prefixAffinity: PREFIX_AFFINITY,
  },
  {
    name: 'PoolSchema',
    resolve: ({ apiKey, upstreams, maxConnections, maxConcurrency, ...pool }, { key }) => ({
      name: key,
      // An empty key (`api_key: ${X:-}`) means "none", so the pool default can still apply.
      upstreams: upstreams.map(({ apiKey: own, ...upstream }) => {
        const resolved = own || apiKey || undefined;
        return { ...upstream, ...(resolved === undefined ? {} : { apiKey: resolved }) };
      }),
      /** Upper bound of connections per upstream origin; undefined means none (undici's default). */
      maxConnections,
      ...pool,
      /**
       * Requests in flight per replica (vLLM's `max_num_seqs`); at most `maxConnections`.
       * Infinity when neither is configured: the replica's own queue decides.
       */
      maxConcurrency: maxConcurrency ?? maxConnections ?? Number.POSITIVE_INFINITY,
    }),
  },
);

/** `pools`: named pools of OpenAI-compatible upstreams. */
export const POOLS_KEYS = namedMap(POOL, { placeholder: '<pool>' });

/**
 * What the console reads, as the gateway sends it: `GET /v1/providers` and `GET /v1/analytics`
 * (docs/api.md, the operator endpoints), `GET /v1/usage`, `GET /health` and `POST /v1/route`.
 * Declared here once; the view models and the panels read these types only.
 */

export type AnalyticsWindow = '5m' | '1h' | '24h' | '7d';
export type AnalyticsBy = 'key' | 'tier' | 'model' | 'pool' | 'replica';

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
}

export interface ProviderPrice {
  input: number;
  cached_input: number;
  output: number;
  reasoning: number;
  unit: 'per_million_tokens';
  source: 'configured' | 'gpu_hour';
}

export interface ReplicaModel {
  id: string;
  context_length: number | null;
  serves_configured_model: boolean;
  capabilities: { chat: boolean; stream: boolean; embeddings: boolean; tools: boolean | null };
}

export interface Replica {
  id: string;
  url: string;
  health: 'healthy' | 'unhealthy' | 'unknown';
  circuit: 'closed' | 'open' | 'half_open';
  models: ReplicaModel[];
  discovered_at: string | null;
  load: {
    in_flight: number;
    queued: number;
    server_running: number | null;
    server_waiting: number | null;
    kv_cache_usage: number | null;
  };
  performance: {
    window: string;
    requests: number;
    error_rate: number;
    latency_ms: Percentiles | null;
    ttft_ms: Percentiles | null;
    tokens_per_second: number | null;
  };
}

export interface ProviderPool {
  pool: string;
  tiers: string[];
  balancing: string;
  model: string;
  price: ProviderPrice | null;
  replicas: Replica[];
}

export interface ProvidersResponse {
  object: 'list';
  scope: 'process' | 'cluster';
  currency: string;
  data: ProviderPool[];
}

export interface TokenCounts {
  input: number;
  cached_input: number;
  output: number;
  reasoning: number;
}

export interface SeriesPoint {
  t: string;
  requests: number;
  errors: number;
  latency_ms: Percentiles | null;
  ttft_ms: Percentiles | null;
  tokens_per_second: number | null;
  cost: number;
}

export interface BudgetStatus {
  period: string;
  period_start: string;
  resets_at: string;
  amount: number;
  spent: number;
  remaining: number;
  mode: 'soft' | 'hard';
}

export interface AnalyticsTotals {
  requests: number;
  errors: Record<string, number>;
  error_rate: number;
  tokens: TokenCounts;
  cost: number;
  latency_ms: Percentiles | null;
  ttft_ms: Percentiles | null;
  tokens_per_second: number | null;
  fallbacks: number;
  spills: number;
  series: SeriesPoint[];
}

export interface AnalyticsGroup extends AnalyticsTotals {
  key: string;
  /** With `by=key` only. */
  budget?: BudgetStatus | null;
}

export interface RoutingAnalytics {
  auto_requests: number;
  tier_share: Record<string, number>;
  decisions: Record<string, number>;
  series: { t: string; instant: number; thinking: number }[];
}

export interface AnalyticsResponse {
  object: 'analytics';
  window: AnalyticsWindow;
  by: AnalyticsBy;
  scope: 'cluster' | 'process';
  from: string;
  to: string;
  bucket_seconds: number;
  currency: string;
  totals: AnalyticsTotals;
  groups: AnalyticsGroup[];
  routing: RoutingAnalytics;
}

export interface UsageDimension {
  limit: number | null;
  used: number;
  remaining: number | null;
}

export interface UsageResponse {
  object: 'usage';
  key: string;
  window_seconds: number;
  shared: boolean;
  requests: UsageDimension;
  tokens: UsageDimension;
  concurrent_requests: { limit: number | null; in_flight: number };
  spend?: {
    currency: string;
    period: string;
    period_start: string;
    resets_at: string;
    spent: number;
    budget: number | null;
    remaining: number | null;
    mode: 'soft' | 'hard' | null;
  };
}

export interface HealthResponse {
  status: 'ok' | 'degraded' | 'error';
  details?: Record<string, { status: string; [field: string]: unknown }>;
}

export interface RouteStep {
  step: string;
  status: string;
  tier?: string;
  score?: number | null;
  probability?: number;
  minConfidence?: number;
  detail?: string[];
  note?: string;
}

export interface RouteExplanation {
  model: string | null;
  tier: string;
  reason: string;
  score: number | null;
  thinkingThreshold: number;
  steps: RouteStep[];
  features: { name: string; value: number; contribution: number }[];
  ngrams?: { gram: string; contribution: number }[];
}

/** The OpenAI error envelope every failure of the gateway answers with. */
export interface ErrorEnvelope {
  error: { message: string; type: string; param: string | null; code: string | null };
}

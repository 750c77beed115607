/**
 * Every span, attribute and metric name the gateway emits, in one place.
 *
 * The GenAI semantic conventions are still marked Development (and are moving to their own
 * repository), so their names are copied here rather than imported from the unstable
 * `@opentelemetry/semantic-conventions/incubating` entry point: a rename upstream is then one
 * edit here, and the hot path loads no 10,000-constant module.
 * See https://opentelemetry.io/docs/specs/semconv/gen-ai/.
 */

/** The instrumentation scope of every gateway span. */
export const TRACER_NAME = 'tiergate';

/** `gen_ai.operation.name` values the gateway produces. */
export type GenAiOperation = 'chat' | 'text_completion' | 'embeddings' | 'execute_tool';

/** GenAI attributes (semconv Development status). */
export const GenAi = {
  OperationName: 'gen_ai.operation.name',
  RequestModel: 'gen_ai.request.model',
  ResponseModel: 'gen_ai.response.model',
  ResponseFinishReasons: 'gen_ai.response.finish_reasons',
  ResponseTimeToFirstChunk: 'gen_ai.response.time_to_first_chunk',
  UsageInputTokens: 'gen_ai.usage.input_tokens',
  UsageOutputTokens: 'gen_ai.usage.output_tokens',
  InputMessages: 'gen_ai.input.messages',
  OutputMessages: 'gen_ai.output.messages',
  ToolName: 'gen_ai.tool.name',
  ToolType: 'gen_ai.tool.type',
  ToolCallId: 'gen_ai.tool.call.id',
  ToolCallArguments: 'gen_ai.tool.call.arguments',
  ToolCallResult: 'gen_ai.tool.call.result',
} as const;

/** Stable general and HTTP attributes. */
export const Semconv = {
  ErrorType: 'error.type',
  ServerAddress: 'server.address',
  ServerPort: 'server.port',
  HttpRequestMethod: 'http.request.method',
  HttpRoute: 'http.route',
  HttpResponseStatusCode: 'http.response.status_code',
  HttpRequestResendCount: 'http.request.resend_count',
  ServiceName: 'service.name',
  ServiceVersion: 'service.version',
  ServiceInstanceId: 'service.instance.id',
} as const;

/** The gateway's own attributes, for what no convention names. */
export const Tiergate = {
  RequestId: 'tiergate.request.id',
  KeyName: 'tiergate.key.name',
  Tier: 'tiergate.tier',
  RouteStep: 'tiergate.route.step',
  RouteScore: 'tiergate.route.score',
  /** Seconds from the request's arrival to its first content delta (streams). */
  TimeToFirstToken: 'tiergate.time_to_first_token',
  /** The caller went away, or the consumer stopped reading: a normal ending, not an error. */
  Aborted: 'tiergate.aborted',
  ToolOutcome: 'tiergate.tool.outcome',
  /** The request's cost in the configured currency (`pricing.currency`), tool rounds summed. */
  Cost: 'tiergate.cost',
} as const;

export const SpanNames = {
  /** `chat sim-instant`, `text_completion …`, `embeddings …`: one per upstream attempt. */
  inference: (operation: GenAiOperation, model: string): string => `${operation} ${model}`,
  /** `route auto`: the tier decision for the model the caller asked for. */
  route: (model: string): string => `route ${model}`,
  tool: (name: string): string => `execute_tool ${name}`,
  /** `POST /v1/chat/completions`: HTTP semconv, method and route template. */
  server: (method: string, route: string): string => `${method} ${route}`,
} as const;

/**
 * Prometheus names. OpenTelemetry's Prometheus exporter maps `gen_ai.client.token.usage`
 * (unit `{token}`) to `gen_ai_client_token_usage` and a duration in `s` to `…_seconds`; label
 * names get `_` for `.` the same way.
 */
export const MetricNames = {
  ClientTokenUsage: 'gen_ai_client_token_usage',
  ClientOperationDuration: 'gen_ai_client_operation_duration_seconds',
  ClientTimeToFirstChunk: 'gen_ai_client_operation_time_to_first_chunk_seconds',
  ServerRequestDuration: 'gen_ai_server_request_duration_seconds',
  ServerTimeToFirstToken: 'gen_ai_server_time_to_first_token_seconds',
  Requests: 'tiergate_requests_total',
  RequestsInFlight: 'tiergate_requests_in_flight',
  RouteDecisions: 'tiergate_route_decisions_total',
  ToolCalls: 'tiergate_tool_calls_total',
  ToolCallDuration: 'tiergate_tool_call_duration_seconds',
  RateLimited: 'tiergate_rate_limited_total',
  /** The configured currency's amount spent, by key name, tier and model. */
  Cost: 'tiergate_cost_total',
  /** Tokens by key name, tier, model and kind (input, cached_input, output, reasoning). */
  Tokens: 'tiergate_tokens_total',
} as const;

/**
 * Histogram buckets. Durations follow the GenAI conventions' advice (0.01 s doubling to 81.92 s),
 * with 163.84 and 327.68 s added because a thinking-tier stream may run for minutes;
 * time to first token adds 15, 30 and 60 s to the advice, for long prompts on a busy pool.
 */
export const Buckets = {
  tokens: [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304],
  durationS: [
    0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92, 163.84,
    327.68,
  ],
  timeToFirstTokenS: [
    0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 15, 30,
    60,
  ],
  toolDurationS: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
} as const;

/** What a finished upstream call says of itself, read without knowing its exact type. */
export interface GenAiResult {
  model?: unknown;
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } | null;
  choices?: readonly unknown[];
}

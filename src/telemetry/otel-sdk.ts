/* eslint-disable @typescript-eslint/no-require-imports -- the SDK is loaded only when used */
import { hostname } from 'node:os';
import { propagation } from '@opentelemetry/api';
import type { OtelSettings } from '../config/otel-env';
import { Semconv } from './telemetry.constants';
import { RecordingContextManager } from './recording-context-manager';
import { assumeParentBasedSampling } from './tracing';

/** The running SDK, flushed and stopped by {@link shutdownOtelSdk}. */
let running: { shutdown(): Promise<void> } | undefined;

export type OtelMode = 'disabled' | 'propagate-only' | 'exporting';

/**
 * Starts OpenTelemetry for the process; call it before Nest, `http` or `undici` are loaded
 * (`instrumentation.ts` does, as `main.ts`'s first import).
 *
 * - `OTEL_SDK_DISABLED=true`: nothing is loaded; the API stays a no-op.
 * - No exporter configured: no SDK (spans would be recorded for nobody), only the W3C
 *   propagator, so a caller's `traceparent` still reaches the upstreams and the log lines.
 * - An exporter configured (`OTEL_EXPORTER_OTLP_ENDPOINT`, …): `@opentelemetry/sdk-node` with
 *   the exporter, propagators, sampler and limits its `OTEL_*` variables say (docs/api.md §3: SDK
 *   defaults, so every request is traced unless `OTEL_TRACES_SAMPLER` says otherwise; the Helm
 *   chart sets `parentbased_traceidratio` at 0.1, see docs/observability.md), the resource `service.name=tiergate` (`OTEL_SERVICE_NAME` /
 *   `OTEL_RESOURCE_ATTRIBUTES` override it), version and instance, and the `http` and `undici`
 *   instrumentations for outgoing calls (tools' own HTTP calls, for example). Incoming
 *   requests get the gateway's own server span (see `request-telemetry.ts`) and upstream
 *   attempts their `chat {model}` client span, which injects `traceparent` itself, so neither
 *   is traced twice.
 */
export function startOtelSdk(settings: OtelSettings, version: string): OtelMode {
  if (settings.disabled) return 'disabled';
  if (!settings.exporting) {
    const { W3CTraceContextPropagator } =
      require('@opentelemetry/core') as typeof import('@opentelemetry/core');
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    return 'propagate-only';
  }
  const { NodeSDK } =
    require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { resourceFromAttributes } =
    require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { HttpInstrumentation } =
    require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { UndiciInstrumentation } =
    require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
  const disabled = new Set(settings.disabledInstrumentations);
  const instrumentations = [];
  if (!disabled.has('http')) {
    instrumentations.push(
      new HttpInstrumentation({
        disableIncomingRequestInstrumentation: true,
        requireParentforOutgoingSpans: true,
      }),
    );
  }
  if (!disabled.has('undici')) {
    instrumentations.push(
      new UndiciInstrumentation({
        // Health checks and metric scrapes of the replicas have no parent: no span for them.
        requireParentforSpans: true,
        // Upstream attempts carry `traceparent` from their own client span already.
        ignoreRequestHook: (request) => hasTraceparent(request.headers),
      }),
    );
  }
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [Semconv.ServiceName]: 'tiergate',
      [Semconv.ServiceVersion]: version,
      [Semconv.ServiceInstanceId]: `${hostname()}:${process.pid}`,
    }),
    // Logs are JSON lines on stdout (pino) and metrics are Prometheus (/metrics): no OTLP for
    // them (the SDK would otherwise default to exporting both).
    logRecordProcessors: [],
    metricReaders: [],
    // Not the stock one: see RecordingContextManager for why.
    contextManager: new RecordingContextManager(),
    instrumentations,
  });
  sdk.start();
  running = sdk;
  assumeParentBasedSampling(
    settings.sampler === undefined || settings.sampler.startsWith('parentbased_'),
  );
  return 'exporting';
}

/** Flushes the spans still buffered and stops the SDK; a no-op when none was started. */
export async function shutdownOtelSdk(): Promise<void> {
  const sdk = running;
  running = undefined;
  await sdk?.shutdown();
}

/** undici's request headers: a flat `[name, value, …]` array (v6+) or a raw header block (v5). */
export function hasTraceparent(headers: string | readonly (string | string[])[]): boolean {
  if (typeof headers === 'string') return /(^|\r\n)traceparent:/i.test(headers);
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i];
    if (typeof name === 'string' && name.toLowerCase() === 'traceparent') return true;
  }
  return false;
}

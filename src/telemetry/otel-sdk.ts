/* eslint-disable @typescript-eslint/no-require-imports -- the SDK is loaded only when used */
import { hostname } from 'node:os';
import { propagation } from '@opentelemetry/api';
import type { Sampler } from '@opentelemetry/sdk-trace-base';
import type { OtelSettings } from '../config/otel-env';
import { Semconv } from './telemetry.constants';
import { assumeParentBasedSampling } from './tracing';

/**
 * The share of requests traced when neither the caller's `traceparent` nor
 * `OTEL_TRACES_SAMPLER` decides. Recording and exporting a request's spans costs about a third of
 * what the gateway itself spends on a request (docs/performance.md, "Cost of observability");
 * one in ten keeps most of that off the hot path while metrics and logs still see every request.
 * A caller's sampled `traceparent` is always followed.
 */
export const DEFAULT_TRACE_SAMPLE_RATIO = 0.1;

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
 *   the exporter, propagators and limits its `OTEL_*` variables say, the sampler of
 *   {@link samplerFor}, the resource `service.name=tiergate` (`OTEL_SERVICE_NAME` /
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
    sampler: samplerFor(settings),
    // Logs are JSON lines on stdout (pino) and metrics are Prometheus (/metrics): no OTLP for
    // them (the SDK would otherwise default to exporting both).
    logRecordProcessors: [],
    metricReaders: [],
    instrumentations,
  });
  sdk.start();
  running = sdk;
  assumeParentBasedSampling(
    settings.sampler === undefined || settings.sampler.startsWith('parentbased_'),
  );
  return 'exporting';
}

/**
 * `OTEL_TRACES_SAMPLER` when set (undefined: the SDK reads it, with its argument); otherwise
 * the caller's decision, and {@link DEFAULT_TRACE_SAMPLE_RATIO} of the requests that come
 * without one (`parentbased_traceidratio`).
 */
export function samplerFor(settings: Pick<OtelSettings, 'sampler'>): Sampler | undefined {
  if (settings.sampler !== undefined) return undefined;
  const { ParentBasedSampler, TraceIdRatioBasedSampler } =
    require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  return new ParentBasedSampler({
    root: new TraceIdRatioBasedSampler(DEFAULT_TRACE_SAMPLE_RATIO),
  });
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

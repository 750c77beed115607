import type { EnvSource } from './env-expand';

/**
 * The few OpenTelemetry switches the gateway reads itself (docs/api.md §3: `OTEL_*` are the SDK's
 * standard variables; the SDK reads the rest, such as `OTEL_SERVICE_NAME`,
 * `OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_TRACES_SAMPLER`, on its own). They are read before the
 * validated configuration exists, because the SDK must start before Nest, http and undici load.
 */
export interface OtelSettings {
  /** `OTEL_SDK_DISABLED=true`: no SDK at all; the API stays a no-op. */
  disabled: boolean;
  /**
   * A trace exporter is configured: `OTEL_EXPORTER_OTLP_ENDPOINT` or
   * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set, or `OTEL_TRACES_EXPORTER` names one. Without
   * one, spans would be recorded for nobody: the gateway then only passes `traceparent` on.
   */
  exporting: boolean;
  /** Where traces go, for the start-up line. */
  endpoint?: string;
  /**
   * `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true` (the GenAI instrumentations'
   * switch): prompts, completions and tool arguments and results are recorded on spans. Off by
   * default: spans carry no message content.
   */
  captureContent: boolean;
  /**
   * `OTEL_TRACES_SAMPLER`, lower-cased: the SDK samples as it says (unset: the SDK's default,
   * `parentbased_always_on`). Read here to know whether sampling follows the parent.
   */
  sampler?: string;
  /**
   * `OTEL_NODE_DISABLED_INSTRUMENTATIONS=undici,http` (the names auto-instrumentations-node
   * uses): instrumentations not to load. Both are loaded by default.
   */
  disabledInstrumentations: string[];
}

export function readOtelSettings(env: EnvSource = process.env): OtelSettings {
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const flag = (name: string): boolean => read(name)?.toLowerCase() === 'true';
  const endpoint =
    read('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? read('OTEL_EXPORTER_OTLP_ENDPOINT');
  const exporters = read('OTEL_TRACES_EXPORTER')
    ?.split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  const sampler = read('OTEL_TRACES_SAMPLER')?.toLowerCase();
  const exporting =
    exporters === undefined ? endpoint !== undefined : exporters.some((name) => name !== 'none');
  return {
    disabled: flag('OTEL_SDK_DISABLED'),
    exporting,
    ...(endpoint === undefined ? {} : { endpoint }),
    captureContent: flag('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT'),
    ...(sampler === undefined ? {} : { sampler }),
    disabledInstrumentations: (read('OTEL_NODE_DISABLED_INSTRUMENTATIONS') ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter((name) => name !== ''),
  };
}

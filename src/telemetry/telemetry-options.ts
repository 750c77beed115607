/** How much the gateway's spans may say; fixed at start-up. */
export interface TelemetryOptions {
  /**
   * Record prompts, completions and tool arguments and results on spans
   * (`gen_ai.input.messages`, `gen_ai.output.messages`, `gen_ai.tool.call.*`). Off unless
   * `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`: they may hold personal data.
   */
  captureContent: boolean;
}

export const TELEMETRY_OPTIONS = 'TELEMETRY_OPTIONS';

export const DEFAULT_TELEMETRY_OPTIONS: Readonly<TelemetryOptions> = Object.freeze({
  captureContent: false,
});

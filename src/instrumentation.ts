/**
 * OpenTelemetry, started before anything else is loaded: `main.ts` imports this file first, so
 * the SDK's instrumentations are in place before Nest, `http` and `undici` are required. It can
 * also be preloaded (`node --require ./dist/instrumentation.js dist/main.js`); starting twice is
 * harmless, the second start is skipped.
 *
 * Only the OTEL_* switches are read here (see `config/otel-env.ts`); the file is imported
 * directly rather than through the config module, whose loader need not run this early.
 */
import { readOtelSettings } from './config/otel-env';
import { startOtelSdk, type OtelMode } from './telemetry/otel-sdk';

const STARTED = Symbol.for('tiergate.otel.started');
const state = globalThis as { [STARTED]?: OtelMode };

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../package.json') as { version: string };

/** How OpenTelemetry runs in this process (for the start-up line). */
export const otelMode: OtelMode = (state[STARTED] ??= startOtelSdk(readOtelSettings(), version));

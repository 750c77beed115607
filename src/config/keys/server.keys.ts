import { corsOrigins, integer, ms, oneOf, section, text } from '../config-key.builders';
import { CONFIG_LIMITS, LOG_LEVELS } from '../config.constants';
import { defaultMaxClientConnections, openFilesLimit } from '../open-files';

/** `server`: the listener, its bounds, shutdown and browser access. */
export const SERVER_KEYS = section(
  {
    port: integer(1, CONFIG_LIMITS.maxPort, { default: 9000, env: 'PORT', doc: 'TCP port' }),
    host: text({ default: '0.0.0.0', env: 'HOST', values: 'address', doc: 'address to bind' }),
    /** Largest accepted request body, in bytes (413 above it). */
    bodyLimitBytes: integer(1, CONFIG_LIMITS.maxBodyLimitBytes, {
      default: 10 * 1024 * 1024,
      env: 'BODY_LIMIT_BYTES',
      values: 'bytes, ≤ 1 GiB',
      doc: 'largest request body; above it 413 `request_too_large`',
    }),
    // Issue 13: slow bodies. The response is not bounded by it: streams may last minutes.
    bodyTimeoutMs: ms(1, {
      default: 30_000,
      env: 'BODY_TIMEOUT_MS',
      doc:
        "a request's headers and body must arrive within it, else 408 `request_timeout` and the " +
        'connection closes; responses and streams are not bounded by it',
    }),
    // Beyond it new connections are closed at once (fd exhaustion).
    maxConnections: integer(1, CONFIG_LIMITS.maxClientConnections, {
      default: defaultMaxClientConnections(CONFIG_LIMITS.maxClientConnections, openFilesLimit()),
      defaultDoc: '(`ulimit -n` − 256) / 2',
      env: 'MAX_CLIENT_CONNECTIONS',
      doc:
        'open client connections per process; further ones are closed as they arrive (no ' +
        'file-descriptor exhaustion: each may hold an upstream connection too); 4096 by ' +
        'default where the open-file limit cannot be read',
    }),
    logLevel: oneOf(LOG_LEVELS, {
      default: 'info',
      env: 'LOG_LEVEL',
      doc: 'JSON log lines on stdout at this level and above',
    }),
    /** docs/api.md §9: what happens between SIGTERM and exit. */
    shutdown: section(
      {
        drainDelayMs: ms(0, {
          default: 5_000,
          doc:
            'after SIGTERM, readiness is 503 but connections are still accepted this long ' +
            '(endpoint removal reaches every proxy)',
        }),
        gracePeriodMs: ms(0, {
          default: 30_000,
          doc: 'then in-flight requests and streams get this long before they are cut; then exit 0',
        }),
      },
      { name: 'ShutdownSchema' },
    ),
    /** Browser access. No origins (the default) means CORS is off: no CORS headers at all. */
    cors: section(
      {
        allowedOrigins: corsOrigins({
          default: [],
          env: 'CORS_ALLOWED_ORIGINS',
          defaultDoc: '`[]` (CORS off)',
          envDoc: '`CORS_ALLOWED_ORIGINS` (comma-separated)',
          doc:
            'origins allowed to call from a browser; credentials are never allowed; with none, ' +
            'no CORS headers and preflights get 404',
        }),
      },
      { name: 'CorsSchema' },
    ),
  },
  { name: 'ServerSchema' },
);

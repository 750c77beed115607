/**
 * `npm run bench:log`: the CPU cost of one request log line (issue 17), in the same process,
 * alternating rounds: through the application's logger as an object (pino, with its redaction:
 * what the line once was, and the text the request line must still equal), and as `RequestLog`
 * writes it (`RequestLineWriter`, no pino per line). The destination takes the line and drops
 * it, so only the building and serialising is timed.
 *
 *   node .tools/bench/request-log.bench.js [--lines 100000] [--rounds 7]
 */
import type { DestinationStream } from 'pino';
import { RequestLog, createGatewayLogger, requestLogLine } from '../src/telemetry/request-logging';
import type { RequestTelemetry } from '../src/telemetry/request-telemetry';
import { TelemetryMessages } from '../src/telemetry/telemetry.messages';
import { alternatingRounds, median } from './support/stats';

const RECORD = {
  requestId: 'req-0af7651916cd43dd',
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  sampled: false,
  method: 'POST',
  route: '/v1/chat/completions',
  status: 200,
  durationMs: 1.234,
  keyName: 'team-a',
  operation: 'chat',
  tier: 'instant',
  model: 'instant',
  upstreamModel: 'sim-instant',
  reason: 'forced',
  stream: false,
  inputTokens: 31,
  outputTokens: 16,
  aborted: false,
  accounting: {
    outcome: 'ok',
    reasoningTokens: 0,
    totalTokens: 47,
    usageReported: true,
    reservedTokens: 95,
    toolRounds: 0,
  },
} as unknown as RequestTelemetry;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
}

function main(): void {
  const lines = arg('lines', 100_000);
  const rounds = arg('rounds', 7);
  let bytes = 0;
  const sink: DestinationStream = { write: (line: string) => void (bytes += line.length) };
  const redacting = createGatewayLogger('info', sink);
  const variants: Record<string, () => void> = {
    // What RequestLog did before: the line through the application logger and its redaction.
    'pino, redacting logger': () =>
      redacting.info(requestLogLine(RECORD), TelemetryMessages.requestCompleted()),
    'RequestLog (line writer)': (() => {
      const log = new RequestLog(createGatewayLogger('info', sink));
      return () => log.write(RECORD);
    })(),
  };
  const ns = alternatingRounds(variants, rounds, lines);
  console.log(
    `request log line, node ${process.version}, ${lines} lines × ${rounds} rounds (median ns/line):`,
  );
  for (const [name, values] of Object.entries(ns)) {
    console.log(`  ${name.padEnd(30)} ${median(values).toFixed(0).padStart(6)} ns`);
  }
  if (bytes === 0) throw new Error('nothing was written');
}

main();

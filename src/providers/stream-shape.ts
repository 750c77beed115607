import type { AttemptTrace } from './attempt-telemetry';
import { isCommitChunk } from './commit-point';
import { parseStreamChunk } from './openai-wire.mapper';
import type { UpstreamChunk } from './upstream.interface';

/**
 * What a streamed API's payloads are, for the transport and the pool: how one is parsed, which
 * one is the commit point (ADR 0006), which one ends the stream without `[DONE]`, and what an
 * attempt's trace learns from it. Chat and completions chunks are one shape; the upstream's own
 * Responses events another.
 */
export interface StreamShape<T> {
  parse(json: string, origin: string): UpstreamChunk<T>;
  isCommit(chunk: T): boolean;
  /** A payload after which the stream may end without `[DONE]`. */
  isLast(chunk: T): boolean;
  trace(trace: AttemptTrace, chunk: T): void;
}

/** Chat and completions chunks: `choices`, ended by `[DONE]`. */
const CHUNK_STREAM: StreamShape<{ choices: unknown[] }> = {
  parse: (json, origin) => parseStreamChunk(json, origin),
  isCommit: isCommitChunk,
  isLast: () => false,
  trace: (trace, chunk) => trace.chunk(chunk),
};

/** {@link CHUNK_STREAM} for one chunk type (one object: the shape keeps no state). */
export function chunkStream<T extends { choices: unknown[] }>(): StreamShape<T> {
  return CHUNK_STREAM as StreamShape<T>;
}

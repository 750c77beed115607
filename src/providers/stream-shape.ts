import type { AttemptTrace } from './attempt-telemetry';
import { ChunkTemplate } from './chunk-template';
import { isCommitChunk } from './commit-point';
import { parseStreamChunk } from './openai-wire.mapper';
import type { UpstreamChunk } from './upstream.interface';

/**
 * What a streamed API's payloads are, for the transport and the pool: how one is parsed, which
 * one is the commit point (ADR 0006), which one ends the stream without `[DONE]`, and what an
 * attempt's trace learns from it. Chat and completions chunks are one shape; the upstream's own
 * Responses events another.
 */
export interface StreamShape<T> extends StreamParser<T> {
  /** A parser for one stream's payloads, when it learns from them (else the shape parses). */
  parser?(): StreamParser<T>;
  isCommit(chunk: T): boolean;
  /** A payload after which the stream may end without `[DONE]`. */
  isLast(chunk: T): boolean;
  trace(trace: AttemptTrace, chunk: T): void;
}

export interface StreamParser<T> {
  parse(json: string, origin: string): UpstreamChunk<T>;
}

/** One stream's chunks: its content deltas built on a {@link ChunkTemplate}, any other parsed. */
class ChunkParser<T extends { choices: unknown[] }>
  extends ChunkTemplate
  implements StreamParser<T>
{
  parse(json: string, origin: string): UpstreamChunk<T> {
    const chunk = this.match(json);
    return chunk === undefined
      ? parseStreamChunk<T>(json, origin)
      : { raw: json, chunk: chunk as unknown as T };
  }
}

/** Chat and completions chunks: `choices`, ended by `[DONE]`. */
const CHUNK_STREAM: StreamShape<{ choices: unknown[] }> = {
  parse: (json, origin) => parseStreamChunk(json, origin),
  parser: () => new ChunkParser(),
  isCommit: isCommitChunk,
  isLast: () => false,
  trace: (trace, chunk) => trace.chunk(chunk),
};

/** {@link CHUNK_STREAM} for one chunk type (one object: the shape keeps no state). */
export function chunkStream<T extends { choices: unknown[] }>(): StreamShape<T> {
  return CHUNK_STREAM as StreamShape<T>;
}

import type { AttemptTrace } from './attempt-telemetry';
import { ChunkTemplate, contentChunk, type Fields } from './chunk-template';
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
  isCommit(item: UpstreamChunk<T>): boolean;
  /** A payload after which the stream may end without `[DONE]`. */
  isLast(item: UpstreamChunk<T>): boolean;
  trace(trace: AttemptTrace, item: UpstreamChunk<T>): void;
}

export interface StreamParser<T> {
  parse(json: string, origin: string): UpstreamChunk<T>;
}

/**
 * A plain content delta: its text at once, its chunk (`JSON.parse` of `raw`) built from the
 * stream's template when first read. The chat path forwards `raw` and reads only the text.
 */
class ContentDelta<T> implements UpstreamChunk<T> {
  private built: T | undefined;

  constructor(
    readonly raw: string,
    readonly content: string,
    private readonly fields: Readonly<Fields>,
  ) {}

  get chunk(): T {
    return (this.built ??= contentChunk(this.fields, this.content) as T);
  }
}

/** One stream's chunks: its content deltas matched on a {@link ChunkTemplate}, any other parsed. */
class ChunkParser<T extends { choices: unknown[] }>
  extends ChunkTemplate
  implements StreamParser<T>
{
  parse(json: string, origin: string): UpstreamChunk<T> {
    const content = this.content(json);
    if (content === undefined) return parseStreamChunk<T>(json, origin);
    const fields = this.fields as Readonly<Fields>;
    // A usage report is read from the chunk (a template's fields are scalars: it cannot be one).
    if (fields.usage) return { raw: json, chunk: contentChunk(fields, content) as unknown as T };
    return new ContentDelta<T>(json, content, fields);
  }
}

/** Chat and completions chunks: `choices`, ended by `[DONE]`. */
const CHUNK_STREAM: StreamShape<{ choices: unknown[] }> = {
  parse: (json, origin) => parseStreamChunk(json, origin),
  parser: () => new ChunkParser(),
  isCommit: (item) =>
    item.content === undefined ? isCommitChunk(item.chunk) : item.content !== '',
  isLast: () => false,
  trace: (trace, item) =>
    item.content === undefined ? trace.chunk(item.chunk) : trace.content(item.content, item),
};

/** {@link CHUNK_STREAM} for one chunk type (one object: the shape keeps no state). */
export function chunkStream<T extends { choices: unknown[] }>(): StreamShape<T> {
  return CHUNK_STREAM as StreamShape<T>;
}

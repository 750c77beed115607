import { randomBytes } from 'node:crypto';
import type { ToolCall, ToolCallDelta } from '../common/openai';

interface Pending {
  id?: string;
  name?: string;
  /** Argument pieces, joined once at the end: a multi-MB argument arrives in thousands. */
  pieces: string[];
}

/**
 * Rebuilds streamed tool calls from their deltas, keyed by `index` as OpenAI streams them: the
 * first delta of a call brings its id and name, later ones bring argument pieces of any size
 * (split anywhere, even inside a multi-byte character's escape), possibly interleaved between
 * calls.
 */
export class ToolCallAccumulator {
  private readonly byIndex = new Map<number, Pending>();

  add(deltas: readonly ToolCallDelta[]): void {
    for (const delta of deltas) {
      const index = typeof delta.index === 'number' ? delta.index : 0;
      let pending = this.byIndex.get(index);
      if (!pending) {
        pending = { pieces: [] };
        this.byIndex.set(index, pending);
      }
      if (delta.id) pending.id ??= delta.id;
      const fn = delta.function;
      if (fn?.name) pending.name ??= fn.name;
      if (typeof fn?.arguments === 'string' && fn.arguments !== '')
        pending.pieces.push(fn.arguments);
    }
  }

  get size(): number {
    return this.byIndex.size;
  }

  /** The calls seen so far, in index order; calls without an id get one. */
  calls(): ToolCall[] {
    return [...this.byIndex.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, pending]) => ({
        id: pending.id ?? newToolCallId(),
        type: 'function' as const,
        function: { name: pending.name ?? '', arguments: pending.pieces.join('') },
      }));
  }
}

/** An id for a call the upstream gave none (some servers omit it); tool messages need one. */
export function newToolCallId(): string {
  return `call_${randomBytes(12).toString('hex')}`;
}

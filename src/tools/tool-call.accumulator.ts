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

  /** The calls seen so far, in index order; calls without an id get one (kept from then on). */
  calls(): ToolCall[] {
    return [...this.byIndex.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, pending]) => ({
        id: (pending.id ??= newToolCallId()),
        type: 'function' as const,
        function: { name: pending.name ?? '', arguments: pending.pieces.join('') },
      }));
  }

  /** The id of the call at `index`, as {@link calls} answers it; undefined before it was seen. */
  idOf(index: number): string | undefined {
    const pending = this.byIndex.get(index);
    return pending && (pending.id ??= newToolCallId());
  }
}

/** An id for a call the upstream gave none (some servers omit it); tool messages need one. */
export function newToolCallId(): string {
  return `call_${randomBytes(12).toString('hex')}`;
}

/**
 * `arguments` as they may go upstream in an assistant turn: the text itself when it is a JSON
 * object, else `{}`. Model servers parse the arguments of past calls to render the prompt, and
 * llama.cpp answers HTTP 500 to text that is not JSON (issue 12); the tool result of such a call
 * already tells the model its arguments were not valid.
 */
export function upstreamArguments(args: string): string {
  let value: unknown;
  try {
    value = JSON.parse(args);
  } catch {
    return '{}';
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? args : '{}';
}

/** `call` with {@link upstreamArguments}; the same object when nothing changes. */
export function withUpstreamArguments(call: ToolCall): ToolCall {
  const args = call.function.arguments;
  const safe = upstreamArguments(typeof args === 'string' ? args : '');
  return safe === args ? call : { ...call, function: { ...call.function, arguments: safe } };
}

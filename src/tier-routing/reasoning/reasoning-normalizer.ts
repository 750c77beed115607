import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionDelta,
  ChatMessage,
} from '../../common/openai';
import type { ReasoningMode } from '../../config';

/**
 * Reasoning text arrives in three shapes: `reasoning_content` (DeepSeek, vLLM < 0.10),
 * `reasoning` (vLLM ≥ 0.10) or inline `<think>…</think>` at the start of `content` (servers run
 * without a reasoning parser). Callers always get `reasoning_content` (`passthrough`) or nothing
 * (`strip`), whatever the upstream.
 */

const OPEN = '<think>';
const CLOSE = '</think>';

/** Normalises a whole completion in place; returns whether anything changed. */
export function normalizeCompletion(completion: ChatCompletion, mode: ReasoningMode): boolean {
  let changed = false;
  for (const choice of completion.choices) {
    if (normalizeMessage(choice.message, mode)) changed = true;
  }
  return changed;
}

function normalizeMessage(message: ChatMessage, mode: ReasoningMode): boolean {
  let changed = false;
  let reasoning: string | undefined;
  if (typeof message.reasoning_content === 'string') reasoning = message.reasoning_content;
  if ('reasoning' in message) {
    if (typeof message.reasoning === 'string') reasoning = (reasoning ?? '') + message.reasoning;
    delete message.reasoning;
    changed = true;
  }
  const content = message.content;
  if (typeof content === 'string') {
    const start = leadingWhitespace(content);
    if (content.startsWith(OPEN, start)) {
      const end = content.indexOf(CLOSE, start + OPEN.length);
      const thought = content.slice(start + OPEN.length, end === -1 ? undefined : end);
      reasoning = (reasoning ?? '') + thought;
      message.content = end === -1 ? '' : content.slice(end + CLOSE.length).replace(/^\s+/, '');
      changed = true;
    }
  }
  if (mode === 'strip') {
    if (message.reasoning_content !== undefined) {
      delete message.reasoning_content;
      changed = true;
    }
  } else if (reasoning !== undefined && message.reasoning_content !== reasoning) {
    message.reasoning_content = reasoning;
    changed = true;
  }
  return changed;
}

function leadingWhitespace(text: string): number {
  let i = 0;
  while (
    i < text.length &&
    (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')
  )
    i++;
  return i;
}

const enum Phase {
  /** No content seen yet: a `<think>` may still open. */
  Start,
  /** Inside `<think>…`: content is reasoning until `</think>`. */
  Thinking,
  /** Just after `</think>`: whitespace separating the thought from the answer is dropped. */
  AfterThinking,
  /** Plain content from here on; nothing more to look at. */
  Content,
}

interface ChoiceState {
  phase: Phase;
  /** Text held back because it may be the beginning of a tag split across chunks. */
  held: string;
}

/**
 * The streaming counterpart, one per stream: keeps per-choice state so a tag split across
 * chunks (`<thi` + `nk>`) is recognised. Once a choice is in plain content it costs two
 * property reads per chunk. Most streams have one choice, and every open stream holds its
 * normalizer: the first choice's state is a field, the others' are kept in an array made only
 * when a second choice appears.
 */
export class StreamReasoningNormalizer {
  private first: ChoiceState | undefined;
  /** Choices 1…n, by index − 1. */
  private others: ChoiceState[] | undefined;

  constructor(private readonly mode: ReasoningMode) {}

  /**
   * Whether a plain content delta of the first choice (`delta: {content}`, no finish reason)
   * would pass {@link apply} unchanged: once that choice is in plain content, it does.
   */
  passesContentDelta(): boolean {
    return this.first !== undefined && this.first.phase === Phase.Content;
  }

  /** Normalises the chunk in place; returns whether it changed (and must be re-serialised). */
  apply(chunk: ChatCompletionChunk): boolean {
    let changed = false;
    for (const choice of chunk.choices) {
      const delta = choice.delta;
      if (!delta) continue;
      if (this.normalizeFields(delta)) changed = true;
      const state = this.stateOf(choice.index);
      if (state.phase !== Phase.Content && this.normalizeContent(delta, state)) changed = true;
      if (choice.finish_reason != null && state.held !== '') {
        this.flush(delta, state);
        changed = true;
      }
    }
    return changed;
  }

  private stateOf(index: number): ChoiceState {
    // Anything but a positive index (0, or a malformed one) is the first choice.
    if (!(index > 0)) return (this.first ??= { phase: Phase.Start, held: '' });
    return ((this.others ??= [])[index - 1] ??= { phase: Phase.Start, held: '' });
  }

  private normalizeFields(delta: ChatCompletionDelta): boolean {
    let changed = false;
    if ('reasoning' in delta) {
      const text = delta.reasoning;
      delete delta.reasoning;
      if (typeof text === 'string' && this.mode === 'passthrough') {
        delta.reasoning_content = (delta.reasoning_content ?? '') + text;
      }
      changed = true;
    }
    if (this.mode === 'strip' && delta.reasoning_content !== undefined) {
      delete delta.reasoning_content;
      changed = true;
    }
    return changed;
  }

  private normalizeContent(delta: ChatCompletionDelta, state: ChoiceState): boolean {
    const piece = delta.content;
    if (typeof piece !== 'string' || piece === '') return false;
    if (state.phase === Phase.AfterThinking) {
      const answer = piece.replace(/^\s+/, '');
      if (answer !== '') state.phase = Phase.Content;
      if (answer === piece) return false;
      delta.content = answer;
      return true;
    }
    let text = state.held + piece;
    state.held = '';
    let reasoning = '';
    if (state.phase === Phase.Start) {
      const start = leadingWhitespace(text);
      const rest = text.slice(start);
      if (rest.length < OPEN.length && OPEN.startsWith(rest)) {
        // Could still become `<think>`: hold it (whitespace only, or a tag prefix).
        state.held = text;
        delta.content = '';
        return true;
      }
      if (!rest.startsWith(OPEN)) {
        state.phase = Phase.Content;
        if (text === piece) return false;
        delta.content = text;
        return true;
      }
      state.phase = Phase.Thinking;
      text = rest.slice(OPEN.length);
    }
    // Thinking: reasoning until `</think>`; keep back a suffix that may be a split closing tag.
    const end = text.indexOf(CLOSE);
    if (end !== -1) {
      reasoning = text.slice(0, end);
      const answer = text.slice(end + CLOSE.length).replace(/^\s+/, '');
      state.phase = answer === '' ? Phase.AfterThinking : Phase.Content;
      delta.content = answer;
    } else {
      const keep = partialSuffix(text, CLOSE);
      reasoning = text.slice(0, text.length - keep);
      state.held = text.slice(text.length - keep);
      delta.content = '';
    }
    if (reasoning !== '' && this.mode === 'passthrough') {
      delta.reasoning_content = (delta.reasoning_content ?? '') + reasoning;
    }
    return true;
  }

  /** The stream of this choice ends: held text is what it looked like after all. */
  private flush(delta: ChatCompletionDelta, state: ChoiceState): void {
    const held = state.held;
    state.held = '';
    if (state.phase === Phase.Thinking) {
      if (this.mode === 'passthrough')
        delta.reasoning_content = (delta.reasoning_content ?? '') + held;
    } else {
      delta.content = (typeof delta.content === 'string' ? delta.content : '') + held;
    }
    state.phase = Phase.Content;
  }
}

/** Length of the longest suffix of `text` that is a proper prefix of `tag`. */
function partialSuffix(text: string, tag: string): number {
  const max = Math.min(tag.length - 1, text.length);
  for (let n = max; n > 0; n--) {
    if (text.endsWith(tag.slice(0, n))) return n;
  }
  return 0;
}

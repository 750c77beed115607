import { Observable, type Observer, type OperatorFunction, type Subscriber } from 'rxjs';
import { ErrorCode, GatewayException } from '../common/errors';
import type { ChatCompletionChunk, ToolCallDelta, Usage } from '../common/openai';
import { AnthropicMessages as M } from './anthropic.messages';
import type { MessageStreamEvent } from './anthropic.types';
import {
  messageIdOf,
  stopOutcome,
  toMessageUsage,
  type AnswerOptions,
} from './messages-answer.translator';

/**
 * Chat chunks (objects, reasoning normalised to `reasoning_content`, the usage chunk included)
 * → Anthropic's stream events, in its order:
 *
 * `message_start`, then per block `content_block_start`, its `content_block_delta`s
 * (`thinking_delta`, `text_delta`, `input_json_delta`) and `content_block_stop`, then
 * `message_delta` (`stop_reason`, `stop_sequence`, usage) and `message_stop`.
 *
 * Blocks follow the model: reasoning, text and each tool call open a new block when the kind
 * changes, so an answer that reasons, writes and calls two tools streams four blocks. Events
 * are emitted as chunks arrive (nothing is held back). A failure passes through as it came; the
 * front renders it in-band.
 */
export function toAnthropicEvents(
  options: AnswerOptions,
): OperatorFunction<ChatCompletionChunk, MessageStreamEvent> {
  return (chunks) =>
    new Observable<MessageStreamEvent>((subscriber) =>
      chunks.subscribe(new EventSink(subscriber, options)),
    );
}

/** The block being streamed: its kind and, for a tool call, the chat tool-call index. */
type OpenBlock = { kind: 'text' } | { kind: 'thinking' } | { kind: 'tool'; call: number };

/** One object per stream holds the translation's state (see stream-payloads.ts for why). */
class EventSink implements Observer<ChatCompletionChunk> {
  private started = false;
  private nextIndex = 0;
  private open: OpenBlock | undefined;
  /** Chat tool-call indexes whose block has been closed. */
  private readonly closedCalls = new Set<number>();
  private calledTools = false;
  private finishReason: string | null = null;
  private upstreamStop: unknown = null;
  private usage: Usage | null | undefined;

  constructor(
    private readonly subscriber: Subscriber<MessageStreamEvent>,
    private readonly options: AnswerOptions,
  ) {}

  next(chunk: ChatCompletionChunk): void {
    if (!this.started) this.start(chunk);
    if (chunk.usage) this.usage = chunk.usage;
    const choice = chunk.choices[0];
    if (choice === undefined) return;
    const delta = choice.delta;
    if (delta) {
      const reasoning = delta.reasoning_content ?? delta.reasoning;
      if (typeof reasoning === 'string' && reasoning.length > 0 && this.options.showThinking) {
        this.ensure({ kind: 'thinking' });
        this.delta({ type: 'thinking_delta', thinking: reasoning });
      }
      const text = delta.content;
      if (typeof text === 'string' && text.length > 0) {
        this.ensure({ kind: 'text' });
        this.delta({ type: 'text_delta', text });
      }
      if (delta.tool_calls) {
        for (const call of delta.tool_calls) {
          if (!this.toolCall(call)) return;
        }
      }
    }
    if (choice.finish_reason !== null && choice.finish_reason !== undefined) {
      this.finishReason = choice.finish_reason;
      this.upstreamStop = choice.stop_reason;
      this.close();
    }
  }

  error(error: unknown): void {
    this.subscriber.error(error);
  }

  complete(): void {
    if (!this.started) this.start(undefined);
    this.close();
    const outcome = stopOutcome(
      this.finishReason,
      this.upstreamStop,
      this.calledTools,
      this.options.stopSequences,
    );
    this.subscriber.next({
      type: 'message_delta',
      delta: outcome,
      usage: toMessageUsage(this.usage),
    });
    this.subscriber.next({ type: 'message_stop' });
    this.subscriber.complete();
  }

  private start(chunk: ChatCompletionChunk | undefined): void {
    this.started = true;
    this.subscriber.next({
      type: 'message_start',
      message: {
        id: messageIdOf(chunk?.id),
        type: 'message',
        role: 'assistant',
        model: chunk?.model ?? '',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        // Known only at the end: `message_delta` carries the counts.
        usage: { input_tokens: 0, output_tokens: 0 },
      },
    });
  }

  /** Streams one tool-call delta; false when the stream was ended with an error. */
  private toolCall(call: ToolCallDelta): boolean {
    const open = this.open;
    if (open?.kind !== 'tool' || open.call !== call.index) {
      if (this.closedCalls.has(call.index)) {
        // Anthropic's blocks cannot interleave: a call resumed after another began is refused.
        this.subscriber.error(
          new GatewayException(ErrorCode.UpstreamError, M.outOfOrderToolDelta(call.index)),
        );
        return false;
      }
      this.close();
      this.calledTools = true;
      this.open = { kind: 'tool', call: call.index };
      this.subscriber.next({
        type: 'content_block_start',
        index: this.nextIndex,
        content_block: {
          type: 'tool_use',
          id: call.id ?? `toolu_${this.nextIndex}`,
          name: call.function?.name ?? '',
          input: {},
        },
      });
    }
    const piece = call.function?.arguments;
    if (typeof piece === 'string' && piece.length > 0) {
      this.delta({ type: 'input_json_delta', partial_json: piece });
    }
    return true;
  }

  private ensure(block: { kind: 'text' } | { kind: 'thinking' }): void {
    if (this.open?.kind === block.kind) return;
    this.close();
    this.open = block;
    this.subscriber.next({
      type: 'content_block_start',
      index: this.nextIndex,
      content_block:
        block.kind === 'text'
          ? { type: 'text', text: '' }
          : { type: 'thinking', thinking: '', signature: '' },
    });
  }

  private delta(
    delta: Extract<MessageStreamEvent, { type: 'content_block_delta' }>['delta'],
  ): void {
    this.subscriber.next({ type: 'content_block_delta', index: this.nextIndex, delta });
  }

  private close(): void {
    const open = this.open;
    if (open === undefined) return;
    if (open.kind === 'tool') this.closedCalls.add(open.call);
    this.open = undefined;
    this.subscriber.next({ type: 'content_block_stop', index: this.nextIndex });
    this.nextIndex++;
  }
}

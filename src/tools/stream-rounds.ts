import type { Subscriber } from 'rxjs';
import {
  carryStreamFields,
  type ChatCompletionChunk,
  type ChatCompletionChunkChoice,
  type ChatCompletionDelta,
  type Usage,
} from '../common/openai';
import type { CallRound, LoopOutcome, Round } from './loop-round';
import { ToolCallAccumulator } from './tool-call.accumulator';
import type { LoopChunk } from './tool-loop.interface';

/** What a round holds back until the loop knows whether that round is the answer. */
interface Held {
  /** Chunks with tool-call deltas (text riding on them already forwarded). */
  calls: LoopChunk[];
  /** The chunk that carried `finish_reason` (possibly one of {@link calls}). */
  finish: LoopChunk | undefined;
  /** The usage-only chunk (`choices: []`). */
  usage: LoopChunk | undefined;
  /** The round's tool calls, for ids the upstream did not give. */
  accumulator: ToolCallAccumulator;
}

/**
 * The streaming side of the tool loop (ADR 0005): runs rounds against the upstream stream and
 * forwards the upstream's chunks as they came (their exact text) wherever it can. Text chunks
 * go out as they arrive, in every round; tool-call chunks, the finish chunk and the usage chunk
 * are held until the round ends, and reach the caller only from the last round: the calls when
 * the turn is answered with them (handed back, or cut off by `length`), the finish chunk, and the
 * usage chunk when the caller asked for it (else its other fields, such as llama.cpp's
 * `timings`, move onto the finish chunk).
 *
 * A chunk is serialised again only when it must change: chunks of later rounds take the first
 * round's `id` (one answer, one id); the role is announced once; a call without an id gets the
 * one the loop gave it; usage summed over several model calls; the finish reason of a forced
 * final round whose calls were dropped.
 */
export class StreamRounds {
  /** One id for the whole answer, the first round's, whatever later rounds are called. */
  private streamId: string | undefined;
  private roleSent = false;
  /** The last round's held chunks. */
  private held: Held | undefined;
  /** The last chunk with choices: the head of a finish chunk the upstream did not send. */
  private lastChunk: ChatCompletionChunk | undefined;

  constructor(
    private readonly subscriber: Subscriber<string>,
    private readonly callerWantsUsage: boolean,
  ) {}

  readonly call: CallRound = (body, model, signal) =>
    new Promise<Round>((resolve, reject) => {
      const held: Held = {
        calls: [],
        finish: undefined,
        usage: undefined,
        accumulator: new ToolCallAccumulator(),
      };
      this.held = held;
      let content = '';
      let finishReason: string | null = null;
      let usage: Usage | null | undefined;
      const onAbort = (): void => {
        subscription.unsubscribe();
        reject(signal.reason);
      };
      const subscription = model.stream(body, signal).subscribe({
        next: (received) => {
          const chunk = received.chunk;
          this.streamId ??= chunk.id;
          if (chunk.usage) usage = chunk.usage;
          const choice = chunk.choices[0];
          if (!choice) {
            held.usage = received;
            return;
          }
          this.lastChunk = chunk;
          const delta = choice.delta ?? {};
          const calls = delta.tool_calls;
          const hasCalls = calls !== undefined && calls.length > 0;
          if (hasCalls) held.accumulator.add(calls);
          if (choice.finish_reason) finishReason = choice.finish_reason;
          if (typeof delta.content === 'string') content += delta.content;
          if (!hasCalls && !choice.finish_reason) {
            this.forward(received, delta);
            return;
          }
          const rest = this.forwardRidingText(received, choice, delta);
          if (hasCalls) held.calls.push(rest);
          if (choice.finish_reason) held.finish = rest;
        },
        error: (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
        complete: () => {
          signal.removeEventListener('abort', onAbort);
          resolve({ content, toolCalls: held.accumulator.calls(), finishReason, usage });
        },
      });
      if (signal.aborted) onAbort();
      else if (!subscription.closed) signal.addEventListener('abort', onAbort, { once: true });
    });

  /** The closing chunks of the answer: its calls if answered with them, finish, usage. */
  finish(outcome: LoopOutcome): void {
    const held = this.held;
    const answered = outcome.answerCalls.length > 0;
    if (held && answered) {
      const seen = new Set<number>();
      for (const received of held.calls) this.emitCalls(received, held.accumulator, seen);
    }
    let finish = held?.finish;
    let changed = false;
    if (finish && answered && held?.calls.includes(finish)) finish = undefined;
    else if (finish) {
      const choice = finish.chunk.choices[0];
      if (choice.delta?.tool_calls !== undefined) {
        // Calls of a forced final round, dropped (ADR 0005).
        const { tool_calls: _dropped, ...rest } = choice.delta;
        choice.delta = rest;
        changed = true;
      }
      if (choice.finish_reason !== outcome.finishReason) {
        choice.finish_reason = outcome.finishReason;
        changed = true;
      }
    } else {
      finish = { raw: '', chunk: this.finishChunk(outcome.finishReason) };
    }
    const usage = held?.usage;
    if (this.callerWantsUsage) {
      if (finish) this.emit(finish, changed);
      if (usage) {
        const summed = outcome.modelCalls > 1 && outcome.usage !== undefined;
        if (summed) usage.chunk.usage = outcome.usage;
        this.emit(usage, summed);
      } else if (outcome.usage) {
        const head = this.finishChunk(null);
        this.emit({ raw: '', chunk: { ...head, choices: [], usage: outcome.usage } }, true);
      }
      return;
    }
    // The usage chunk is not the caller's; what else it carries is.
    if (finish) {
      if (usage && carryStreamFields(usage.chunk, finish.chunk)) changed = true;
      this.emit(finish, changed);
    }
  }

  /** A chunk of text, role or anything but calls and finish: forwarded as it came. */
  private forward(received: LoopChunk, delta: ChatCompletionDelta): void {
    // A later round's role chunk would announce a second message.
    if (this.roleSent && isRoleOnly(delta)) return;
    this.emit(received, false);
  }

  /**
   * A held chunk may carry text as well (content with the first call, or with the finish): that
   * text goes now, in a copy of its own; the rest is held.
   */
  private forwardRidingText(
    received: LoopChunk,
    choice: ChatCompletionChunkChoice,
    delta: ChatCompletionDelta,
  ): LoopChunk {
    const text: ChatCompletionDelta = {};
    const rest: ChatCompletionDelta = {};
    let hasText = false;
    for (const [key, value] of Object.entries(delta)) {
      if (TEXT_FIELDS.has(key) && typeof value === 'string' && value !== '') {
        text[key] = value;
        hasText = true;
      } else rest[key] = value;
    }
    if (!hasText) return received;
    const chunk = received.chunk;
    this.emit(
      {
        raw: '',
        chunk: {
          ...chunk,
          choices: [{ ...choice, delta: text, finish_reason: null }],
          ...(chunk.usage === undefined ? {} : { usage: null }),
        },
      },
      true,
    );
    chunk.choices[0] = { ...choice, delta: rest };
    return { raw: '', chunk };
  }

  /** A held tool-call chunk of an answered turn; the first delta of a call carries its id. */
  private emitCalls(received: LoopChunk, calls: ToolCallAccumulator, seen: Set<number>): void {
    let changed = received.raw === '';
    for (const delta of received.chunk.choices[0]?.delta.tool_calls ?? []) {
      const index = typeof delta.index === 'number' ? delta.index : 0;
      if (seen.has(index)) continue;
      seen.add(index);
      if (!delta.id) {
        delta.id = calls.idOf(index);
        changed = true;
      }
    }
    this.emit(received, changed);
  }

  /**
   * Sends one chunk: its text as received unless it (`changed`) or its id must change, or it is
   * the first and does not say its role.
   */
  private emit(received: LoopChunk, changed: boolean): void {
    const chunk = received.chunk;
    if (this.streamId !== undefined && chunk.id !== this.streamId) {
      chunk.id = this.streamId;
      changed = true;
    }
    const choice = chunk.choices[0];
    if (choice && !this.roleSent) {
      this.roleSent = true;
      if (choice.delta?.role === undefined) {
        choice.delta = { role: 'assistant', ...choice.delta };
        changed = true;
      }
    }
    this.subscriber.next(changed || received.raw === '' ? JSON.stringify(chunk) : received.raw);
  }

  /** A finish chunk (or, with `null`, a head) for an upstream that sent none. */
  private finishChunk(finishReason: string | null): ChatCompletionChunk {
    const last = this.lastChunk;
    return {
      id: this.streamId ?? last?.id ?? '',
      object: 'chat.completion.chunk',
      created: last?.created ?? Math.floor(Date.now() / 1000),
      model: last?.model ?? '',
      ...(last?.system_fingerprint === undefined
        ? {}
        : { system_fingerprint: last.system_fingerprint }),
      choices:
        finishReason === null
          ? []
          : [{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }],
    };
  }
}

/** Delta fields of text that streams as it comes. */
const TEXT_FIELDS = new Set(['content', 'reasoning_content', 'reasoning']);

/** A delta that says nothing but the role (an opening chunk). */
function isRoleOnly(delta: ChatCompletionDelta): boolean {
  for (const [key, value] of Object.entries(delta)) {
    if (key === 'role') continue;
    if (TEXT_FIELDS.has(key) && (value === null || value === '')) continue;
    return false;
  }
  return true;
}

import type { ChatCompletionChunk, OpenAiErrorBody, Usage } from '../common/openai';
import type { SseEvent } from '../common/sse';
import {
  finishState,
  messageItem,
  newItemId,
  reasoningItem,
  responseShell,
  responseUsage,
  type ResponseFrame,
} from './responses-output.translator';
import type { OutputFunctionCall, OutputItem, ResponseObject } from './responses.types';

/** The output item being streamed now; a delta of another kind closes it. */
type OpenItem =
  | { kind: 'reasoning'; index: number; id: string; text: string }
  | { kind: 'message'; index: number; id: string; text: string }
  | { kind: 'call'; index: number; id: string; chatIndex: number; call: OutputFunctionCall };

/**
 * Chat completion chunks → the Responses API's event sequence, as they come: `response.created`
 * and `response.in_progress` with the first chunk (the stream's commit point), then per output
 * item `output_item.added`, its part and deltas (`reasoning_text`, `output_text`,
 * `function_call_arguments`), their `.done` events and `output_item.done`, and at the end
 * `response.completed` (or `response.incomplete` when the output was cut). Every event carries
 * its `sequence_number`. One object per stream; each call answers the events to send.
 */
export class ResponsesStreamTranslator {
  private sequence = 0;
  private started = false;
  private model = '';
  private readonly output: OutputItem[] = [];
  private open: OpenItem | undefined;
  private finishReason: string | null = null;
  private usage: Usage | null | undefined;

  constructor(private readonly frame: ResponseFrame) {}

  /** Whether `response.created` went out (errors after it are told in-band). */
  get committed(): boolean {
    return this.started;
  }

  /** The events one chunk stands for (none for a usage-only chunk, whose usage is kept). */
  push(chunk: ChatCompletionChunk): SseEvent[] {
    const events: SseEvent[] = [];
    if (!this.started) {
      this.started = true;
      this.model = chunk.model;
      const shell = responseShell(this.frame, this.model);
      events.push(this.event('response.created', { response: shell }));
      events.push(this.event('response.in_progress', { response: shell }));
    }
    if (chunk.usage) this.usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) return events;
    const delta = choice.delta ?? {};
    const reasoning = delta.reasoning_content;
    if (typeof reasoning === 'string' && reasoning !== '') {
      this.reasoningDelta(reasoning, events);
    }
    if (typeof delta.content === 'string' && delta.content !== '') {
      this.textDelta(delta.content, events);
    }
    for (const call of delta.tool_calls ?? []) {
      this.callDelta(call, events);
    }
    if (choice.finish_reason) this.finishReason = choice.finish_reason;
    return events;
  }

  /** The closing events, and the final response object (to store). */
  finish(): { events: SseEvent[]; response: ResponseObject } {
    const events: SseEvent[] = [];
    const state = finishState(this.finishReason);
    this.close(events, state.status === 'completed' ? 'completed' : 'incomplete');
    if (this.output.length === 0) {
      // An empty answer is still one (empty) message, as in a whole response.
      this.openMessage(events);
      this.close(events, state.status === 'completed' ? 'completed' : 'incomplete');
    }
    const response: ResponseObject = {
      ...responseShell(this.frame, this.model),
      ...state,
      output: this.output,
      usage: responseUsage(this.usage),
    };
    const type = state.status === 'completed' ? 'response.completed' : 'response.incomplete';
    events.push(this.event(type, { response }));
    return { events, response };
  }

  /** The in-band end of a stream that failed after `response.created`. */
  fail(error: OpenAiErrorBody): SseEvent[] {
    const events: SseEvent[] = [];
    this.close(events, 'incomplete');
    const response: ResponseObject = {
      ...responseShell(this.frame, this.model),
      status: 'failed',
      error: { code: error.error.code ?? error.error.type, message: error.error.message },
      output: this.output,
      usage: responseUsage(this.usage),
    };
    events.push(this.event('response.failed', { response }));
    return events;
  }

  private reasoningDelta(delta: string, events: SseEvent[]): void {
    let open = this.open;
    if (open?.kind !== 'reasoning') {
      this.close(events, 'completed');
      open = { kind: 'reasoning', index: this.output.length, id: newItemId('rs'), text: '' };
      this.open = open;
      this.output.push({ type: 'reasoning', id: open.id, summary: [], content: [] });
      events.push(
        this.event('response.output_item.added', {
          output_index: open.index,
          item: { type: 'reasoning', id: open.id, summary: [], content: [] },
        }),
        this.event('response.content_part.added', {
          item_id: open.id,
          output_index: open.index,
          content_index: 0,
          part: { type: 'reasoning_text', text: '' },
        }),
      );
    }
    open.text += delta;
    events.push(
      this.event('response.reasoning_text.delta', {
        item_id: open.id,
        output_index: open.index,
        content_index: 0,
        delta,
      }),
    );
  }

  private textDelta(delta: string, events: SseEvent[]): void {
    let open = this.open;
    if (open?.kind !== 'message') open = this.openMessage(events);
    open.text += delta;
    events.push(
      this.event('response.output_text.delta', {
        item_id: open.id,
        output_index: open.index,
        content_index: 0,
        delta,
        logprobs: [],
      }),
    );
  }

  private openMessage(events: SseEvent[]): Extract<OpenItem, { kind: 'message' }> {
    this.close(events, 'completed');
    const open = {
      kind: 'message' as const,
      index: this.output.length,
      id: newItemId('msg'),
      text: '',
    };
    this.open = open;
    const item = messageItem(open.id, '', 'in_progress');
    item.content = [];
    this.output.push(item);
    events.push(
      this.event('response.output_item.added', { output_index: open.index, item }),
      this.event('response.content_part.added', {
        item_id: open.id,
        output_index: open.index,
        content_index: 0,
        part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
      }),
    );
    return open;
  }

  private callDelta(
    delta: NonNullable<ChatCompletionChunk['choices'][number]['delta']['tool_calls']>[number],
    events: SseEvent[],
  ): void {
    let open = this.open;
    if (open?.kind !== 'call' || open.chatIndex !== delta.index) {
      this.close(events, 'completed');
      const call: OutputFunctionCall = {
        type: 'function_call',
        id: newItemId('fc'),
        call_id: delta.id ?? newItemId('fc'),
        name: delta.function?.name ?? '',
        arguments: '',
        status: 'in_progress',
      };
      open = { kind: 'call', index: this.output.length, id: call.id, chatIndex: delta.index, call };
      this.open = open;
      this.output.push(call);
      events.push(
        this.event('response.output_item.added', { output_index: open.index, item: { ...call } }),
      );
    }
    const piece = delta.function?.arguments;
    if (typeof piece === 'string' && piece !== '') {
      open.call.arguments += piece;
      events.push(
        this.event('response.function_call_arguments.delta', {
          item_id: open.id,
          output_index: open.index,
          delta: piece,
        }),
      );
    }
  }

  /** Ends the open item: its `.done` events, with the whole text or arguments. */
  private close(events: SseEvent[], status: 'completed' | 'incomplete'): void {
    const open = this.open;
    if (open === undefined) return;
    this.open = undefined;
    const at = { item_id: open.id, output_index: open.index };
    switch (open.kind) {
      case 'reasoning': {
        const item = reasoningItem(open.id, open.text);
        this.output[open.index] = item;
        events.push(
          this.event('response.reasoning_text.done', { ...at, content_index: 0, text: open.text }),
          this.event('response.content_part.done', {
            ...at,
            content_index: 0,
            part: { type: 'reasoning_text', text: open.text },
          }),
          this.event('response.output_item.done', { output_index: open.index, item }),
        );
        return;
      }
      case 'message': {
        const item = messageItem(open.id, open.text, status);
        this.output[open.index] = item;
        events.push(
          this.event('response.output_text.done', {
            ...at,
            content_index: 0,
            text: open.text,
            logprobs: [],
          }),
          this.event('response.content_part.done', {
            ...at,
            content_index: 0,
            part: item.content[0],
          }),
          this.event('response.output_item.done', { output_index: open.index, item }),
        );
        return;
      }
      case 'call': {
        const call = { ...open.call, status };
        this.output[open.index] = call;
        events.push(
          this.event('response.function_call_arguments.done', {
            ...at,
            name: call.name,
            arguments: call.arguments,
          }),
          this.event('response.output_item.done', { output_index: open.index, item: call }),
        );
        return;
      }
    }
  }

  private event(type: string, fields: Record<string, unknown>): SseEvent {
    const sequence = this.sequence++;
    return {
      event: type,
      data: JSON.stringify({ type, sequence_number: sequence, ...fields }),
    };
  }
}

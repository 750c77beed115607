import { Observable } from 'rxjs';
import type { OpenAiErrorBody, Usage } from '../common/openai';
import type { FlowGate, SseEvent } from '../common/sse';
import { callTimeouts, type ResponsesStreamEvent } from '../providers';
import type { InferenceExchange, RouteDecision } from '../tier-routing';
import { responseShell, responseUsage, type ResponseFrame } from './responses-output.translator';
import { inputItems } from './responses-request.translator';
import type { InputItem, OutputItem, ResponseObject, ResponsesRequest } from './responses.types';

/** Fields the gateway answers itself: they never reach a native upstream. */
const GATEWAY_FIELDS = ['previous_response_id', 'store', 'stream_options'] as const;

/** Events that end a native stream with the response as it finished. */
const FINAL_EVENTS: ReadonlySet<string> = new Set(['response.completed', 'response.incomplete']);

/** Events about one content part of an output item: they carry its `content_index`. */
const CONTENT_EVENT = /^response\.(content_part|output_text|refusal|reasoning_text)\./;

/** Events carrying what the caller sees first: the time to first token. */
const FIRST_TOKEN_EVENTS: ReadonlySet<string> = new Set([
  'response.output_text.delta',
  'response.refusal.delta',
  'response.reasoning_text.delta',
  'response.function_call_arguments.delta',
]);

/** The route goes to a `responses_api: native` pool and the gateway runs no tool of its own. */
export function answersNatively(route: RouteDecision, runsTools: boolean): boolean {
  return route.pool.config.responsesApi === 'native' && !runsTools;
}

/**
 * The request for a replica's own `/v1/responses`: the caller's, with the pool's model id, the
 * stored conversation of `previous_response_id` resolved into input items (the upstream never
 * sees the gateway's ids), and nothing stored upstream (the gateway stores).
 */
export function nativeRequest(
  body: ResponsesRequest,
  history: InputItem[],
  model: string,
): Record<string, unknown> {
  const request: Record<string, unknown> = { ...body };
  for (const field of GATEWAY_FIELDS) delete request[field];
  request.model = model;
  request.input = [...history, ...inputItems(body)];
  request.store = false;
  if (body.stream === true) request.stream = true;
  return request;
}

/** The chat usage a Responses usage stands for, for the key's accounting and telemetry. */
export function chatUsageOf(usage: unknown): Usage | undefined {
  if (usage === null || typeof usage !== 'object') return undefined;
  const u = usage as {
    input_tokens?: unknown;
    output_tokens?: unknown;
    total_tokens?: unknown;
    input_tokens_details?: { cached_tokens?: unknown } | null;
    output_tokens_details?: { reasoning_tokens?: unknown } | null;
  };
  const prompt = count(u.input_tokens);
  const completion = count(u.output_tokens);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: count(u.total_tokens) || prompt + completion,
    prompt_tokens_details: { cached_tokens: count(u.input_tokens_details?.cached_tokens) },
    completion_tokens_details: {
      reasoning_tokens: count(u.output_tokens_details?.reasoning_tokens),
    },
  };
}

/**
 * An upstream's response object in the bridge's shape: the gateway's id, the pool's model id,
 * the caller's own request fields, the upstream's output and status, usage with every count.
 */
export function fromNative(
  upstream: Record<string, unknown>,
  frame: ResponseFrame,
  model: string,
): ResponseObject {
  const status = upstream.status;
  const incomplete = upstream.incomplete_details as ResponseObject['incomplete_details'];
  return {
    ...responseShell(frame, model),
    status: status === 'incomplete' || status === 'failed' ? status : 'completed',
    incomplete_details: status === 'incomplete' ? (incomplete ?? null) : null,
    error: (upstream.error as ResponseObject['error']) ?? null,
    // llama-server's `response.created` has no `output`: the caller's SDK needs the list.
    output: Array.isArray(upstream.output) ? (upstream.output as OutputItem[]) : [],
    usage: responseUsage(chatUsageOf(upstream.usage)),
  };
}

/**
 * One request answered by its pool's own `/v1/responses`: on the pool's attempts (balancing,
 * retries before the commit point, timeouts, abort, tracing), usage accounted on the key and
 * the request's telemetry like a chat call's.
 */
export class NativeResponses {
  private readonly model: string;

  constructor(
    private readonly exchange: InferenceExchange,
    private readonly route: RouteDecision,
    private readonly frame: ResponseFrame,
  ) {
    this.model = route.config.model;
  }

  async complete(history: InputItem[]): Promise<ResponseObject> {
    const answer = await this.route.pool.responses(
      nativeRequest(this.frame.request, history, this.model),
      this.options(),
    );
    this.account(answer.value.usage);
    return fromNative(answer.value, this.frame, this.model);
  }

  /**
   * The upstream's events, forwarded as they come: only those carrying the response object are
   * rewritten (id, model, the caller's fields, usage). A failure after the first event ends the
   * stream in-band with `response.failed`, as the bridge does; before it, it is a status.
   * `finished` gets the final response (to store) before the last event goes out.
   */
  stream(
    history: InputItem[],
    gate: FlowGate | undefined,
    finished: (response: ResponseObject) => Promise<void>,
  ): Observable<SseEvent> {
    const events = this.route.pool.responsesStream(
      nativeRequest({ ...this.frame.request, stream: true }, history, this.model),
      { ...this.options(), gate },
    );
    return new Observable<SseEvent>((subscriber) => {
      let committed = false;
      let firstToken = false;
      let sequence = 0;
      let last: { response: ResponseObject; event: SseEvent } | undefined;
      const indices = new EventIndices();
      return events.subscribe({
        next: (item) => {
          committed = true;
          const indexed = indices.complete(item.chunk);
          const chunk = indexed ?? item.chunk;
          sequence = (chunk.sequence_number as number) + 1;
          if (!firstToken && FIRST_TOKEN_EVENTS.has(chunk.type)) {
            firstToken = true;
            this.exchange.telemetry?.firstToken();
          }
          if (chunk.response === undefined) {
            const data = indexed ? JSON.stringify(indexed) : item.raw;
            subscriber.next({ event: chunk.type, data });
            return;
          }
          const response = fromNative(chunk.response, this.frame, this.model);
          if (!FINAL_EVENTS.has(chunk.type)) {
            response.status = 'in_progress';
            subscriber.next(rewritten(chunk, response));
            return;
          }
          this.account(chunk.response.usage);
          last = { response, event: rewritten(chunk, response) };
        },
        error: (error: unknown) => {
          if (!committed) {
            subscriber.error(error);
            return;
          }
          subscriber.next(
            failed(this.frame, this.model, sequence, this.exchange.renderError(error)),
          );
          subscriber.complete();
        },
        complete: () => {
          // The final event goes out once the response is stored, so it can be continued.
          const final = last;
          if (final === undefined) {
            subscriber.complete();
            return;
          }
          void finished(final.response).then(() => {
            subscriber.next(final.event);
            subscriber.complete();
          });
        },
      });
    });
  }

  private options() {
    return {
      signal: this.exchange.signal,
      requestId: this.exchange.request.id,
      ...callTimeouts(this.route.config.timeouts),
      traceContext: this.exchange.telemetry?.context,
    };
  }

  private account(usage: unknown): void {
    const chat = chatUsageOf(usage);
    if (chat === undefined) return;
    this.exchange.telemetry?.addUsage(chat, this.route.tier, this.model);
    this.exchange.admission.addUsage(chat);
  }
}

/**
 * The indices the Responses events carry and the caller's SDK reads (`sequence_number`,
 * `output_index`, `content_index`), filled in where the upstream leaves them out (llama-server
 * sends none). An event that has them all passes unchanged (`complete` answers undefined).
 */
export class EventIndices {
  private sequence = 0;
  private readonly outputs = new Map<string, { index: number; parts: number }>();

  complete(event: ResponsesStreamEvent): ResponsesStreamEvent | undefined {
    let filled: ResponsesStreamEvent | undefined;
    const fill = (field: string, value: number): void => {
      if (typeof event[field] === 'number') return;
      (filled ??= { ...event })[field] = value;
    };
    fill('sequence_number', this.sequence);
    this.sequence = ((filled ?? event).sequence_number as number) + 1;
    const item = event.item as { id?: unknown } | undefined;
    const itemId = typeof event.item_id === 'string' ? event.item_id : item?.id;
    if (typeof itemId !== 'string') return filled;
    let output = this.outputs.get(itemId);
    if (output === undefined) {
      const index = typeof event.output_index === 'number' ? event.output_index : this.outputs.size;
      output = { index, parts: 0 };
      this.outputs.set(itemId, output);
    }
    fill('output_index', output.index);
    if (event.type === 'response.content_part.added') output.parts++;
    if (CONTENT_EVENT.test(event.type)) fill('content_index', Math.max(0, output.parts - 1));
    return filled;
  }
}

function rewritten(event: ResponsesStreamEvent, response: ResponseObject): SseEvent {
  return { event: event.type, data: JSON.stringify({ ...event, response }) };
}

function failed(
  frame: ResponseFrame,
  model: string,
  sequence: number,
  error: OpenAiErrorBody,
): SseEvent {
  const response: ResponseObject = {
    ...responseShell(frame, model),
    status: 'failed',
    error: { code: error.error.code ?? error.error.type, message: error.error.message },
  };
  return {
    event: 'response.failed',
    data: JSON.stringify({ type: 'response.failed', sequence_number: sequence, response }),
  };
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

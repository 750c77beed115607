import { catchError, Observable, throwError } from 'rxjs';
import { GatewayException } from '../common/errors';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionDelta,
  ChatCompletionRequest,
  CompletionChunk,
  CompletionRequest,
} from '../common/openai/chat.types';
import { parseUpstreamErrorBody } from './openai-wire.mapper';
import type { UpstreamChunk, UpstreamJson } from './upstream.interface';

/**
 * Graceful degradation to non-streamed calls (issue 12): a pool configured with
 * `streaming: false`, or an upstream that refuses `stream: true`, is asked for a whole answer,
 * and the stream the caller asked for is built from it here. Everything the answer says reaches
 * the stream: content, reasoning, tool calls, finish reason, logprobs, usage (when asked for),
 * and the server's own fields (`system_fingerprint` on every chunk, others such as llama.cpp's
 * `timings` on the last, where llama.cpp streams them).
 */

/** Top-level fields OpenAI repeats on every chunk; any other extra field goes on the last one. */
const PER_CHUNK = new Set(['system_fingerprint', 'service_tier']);
/** Answer fields that the chunks restate in their own shape. */
const ANSWER_OWN = new Set(['id', 'object', 'created', 'model', 'choices', 'usage']);
/** Message fields streamed as deltas of their own, before the content (reasoning first). */
const REASONING = ['reasoning_content', 'reasoning'] as const;
const MESSAGE_OWN = new Set(['role', 'content', 'tool_calls', ...REASONING]);
const CHOICE_OWN = new Set(['index', 'message', 'text', 'finish_reason', 'logprobs']);

/** Upstream statuses with which a server says it does not do what was asked. */
const REFUSAL_STATUSES = new Set([400, 422, 501]);
/** The word `stream` or `streaming` on its own (`stream_options` is another matter). */
const STREAM_WORD = /(?:^|[^\w])stream(?:ing)?(?:[^\w]|$)/i;
const NOT_SUPPORTED =
  /not (?:supported|available|allowed|implemented|enabled)|unsupported|does ?n[o']t support|cannot stream|can't stream/i;

/**
 * Whether `error` is an upstream saying it will not stream: a 400, 422 or 501 whose error
 * names `stream` as its `param`, or whose message says that streaming is not supported
 * ("Streaming is not supported", "'stream' does not support true with this model"). Narrow on
 * purpose: any other failure stays what it is.
 */
export function refusesStreaming(error: unknown): boolean {
  if (!(error instanceof GatewayException)) return false;
  const upstream = error.options.upstream;
  if (upstream?.status === undefined || !REFUSAL_STATUSES.has(upstream.status)) return false;
  const body = upstream.body ?? '';
  const parsed = parseUpstreamErrorBody(body);
  if (parsed.param === 'stream') return true;
  const message = parsed.message ?? body;
  return STREAM_WORD.test(message) && NOT_SUPPORTED.test(message);
}

/** The body of the non-streamed call that stands in for a stream. */
export function withoutStreaming<T extends ChatCompletionRequest | CompletionRequest>(body: T): T {
  const { stream_options: _options, ...rest } = body;
  return { ...rest, stream: false } as T;
}

/** `stream`, or, when the upstream refuses to stream, what `fallback` makes instead. */
export function fallBackWhenRefused<T>(
  stream: Observable<T>,
  fallback: () => Observable<T>,
  onRefused?: (error: unknown) => void,
): Observable<T> {
  return stream.pipe(
    catchError((error: unknown) => {
      if (!refusesStreaming(error)) return throwError(() => error);
      onRefused?.(error);
      return fallback();
    }),
  );
}

/**
 * A stream from one non-streamed call: `call` gets a signal that aborts when the subscriber
 * leaves (or the caller's does), and its answer becomes `toChunks(answer)`.
 */
export function streamFromAnswer<A, C>(
  call: (signal: AbortSignal) => Promise<UpstreamJson<A>>,
  callerSignal: AbortSignal,
  toChunks: (answer: A) => UpstreamChunk<C>[],
): Observable<UpstreamChunk<C>> {
  return new Observable<UpstreamChunk<C>>((subscriber) => {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(callerSignal.reason);
    if (callerSignal.aborted) onAbort();
    else callerSignal.addEventListener('abort', onAbort, { once: true });
    call(controller.signal)
      .then(
        (answer) => {
          for (const chunk of toChunks(answer.value)) {
            if (subscriber.closed) return;
            subscriber.next(chunk);
          }
          subscriber.complete();
        },
        (error: unknown) => subscriber.error(error),
      )
      .finally(() => callerSignal.removeEventListener('abort', onAbort));
    return () => {
      callerSignal.removeEventListener('abort', onAbort);
      if (!controller.signal.aborted) controller.abort(callerSignal.reason);
    };
  });
}

/**
 * A chat completion as the chunks a server would have streamed, per choice: the role, each
 * reasoning field, the content (with the choice's `logprobs` and any other message field), one
 * chunk per tool call (whole arguments), the finish chunk (with the choice's other fields); then
 * the usage chunk when `includeUsage`.
 *
 * @example
 * chatCompletionAsChunks(answer, true).map((c) => c.raw);
 * // ['{"id":"x",…,"choices":[{"index":0,"delta":{"role":"assistant","content":""},…}]}', …]
 */
export function chatCompletionAsChunks(
  completion: ChatCompletion,
  includeUsage: boolean,
): UpstreamChunk<ChatCompletionChunk>[] {
  const [head, tail] = split(completion);
  const chunks: ChatCompletionChunk[] = [];
  const push = (index: number, delta: ChatCompletionDelta, extra?: Record<string, unknown>) =>
    chunks.push({
      ...head,
      choices: [{ index, delta, logprobs: null, finish_reason: null, ...extra }],
    } as unknown as ChatCompletionChunk);
  for (const choice of completion.choices ?? []) {
    const index = typeof choice.index === 'number' ? choice.index : 0;
    const message = choice.message ?? { role: 'assistant' };
    push(index, { role: message.role ?? 'assistant', content: '' });
    for (const field of REASONING) {
      const text = message[field];
      if (typeof text === 'string' && text !== '') push(index, { [field]: text });
    }
    const delta: ChatCompletionDelta = {};
    if (typeof message.content === 'string' && message.content !== '') {
      delta.content = message.content;
    }
    for (const [key, value] of Object.entries(message)) {
      if (!MESSAGE_OWN.has(key) && value !== null && value !== undefined) delta[key] = value;
    }
    const logprobs = choice.logprobs ?? null;
    if (Object.keys(delta).length > 0 || logprobs !== null) {
      push(index, delta, logprobs === null ? undefined : { logprobs });
    }
    (message.tool_calls ?? []).forEach((call, at) =>
      push(index, {
        tool_calls: [
          {
            index: at,
            id: call.id,
            type: 'function',
            function: { name: call.function.name, arguments: call.function.arguments },
          },
        ],
      }),
    );
    push(index, {}, { finish_reason: choice.finish_reason ?? 'stop', ...others(choice) });
  }
  if (includeUsage && completion.usage) {
    chunks.push({
      ...head,
      choices: [],
      usage: completion.usage,
    } as unknown as ChatCompletionChunk);
  }
  return serialise(chunks, tail);
}

/** A legacy completion as the chunks a server would have streamed: text, then finish, per choice. */
export function completionAsChunks(
  completion: Record<string, unknown>,
  includeUsage: boolean,
): UpstreamChunk<CompletionChunk>[] {
  const [head, tail] = split(completion);
  const base = { ...head, object: 'text_completion' };
  const chunks: CompletionChunk[] = [];
  for (const raw of (completion.choices as unknown[]) ?? []) {
    const choice = (raw ?? {}) as Record<string, unknown>;
    const index = typeof choice.index === 'number' ? choice.index : 0;
    const text = typeof choice.text === 'string' ? choice.text : '';
    chunks.push({
      ...base,
      choices: [{ index, text, logprobs: choice.logprobs ?? null, finish_reason: null }],
    } as unknown as CompletionChunk);
    chunks.push({
      ...base,
      choices: [
        {
          index,
          text: '',
          logprobs: null,
          finish_reason: choice.finish_reason ?? 'stop',
          ...others(choice),
        },
      ],
    } as unknown as CompletionChunk);
  }
  if (includeUsage && completion.usage) {
    chunks.push({ ...base, choices: [], usage: completion.usage } as unknown as CompletionChunk);
  }
  return serialise(chunks, tail);
}

/** The fields of every chunk (`head`), and the extra fields of the last one (`tail`). */
function split(answer: object): [Record<string, unknown>, Record<string, unknown>] {
  const value = answer as Record<string, unknown>;
  const head: Record<string, unknown> = {
    id: value.id,
    object: 'chat.completion.chunk',
    created: value.created,
    model: value.model,
  };
  const tail: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (ANSWER_OWN.has(key)) continue;
    if (PER_CHUNK.has(key)) head[key] = field;
    else tail[key] = field;
  }
  return [head, tail];
}

/** A choice's fields beyond the standard ones (vLLM's `stop_reason`, …). */
function others(choice: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(choice)) {
    if (!CHOICE_OWN.has(key)) out[key] = value;
  }
  return out;
}

function serialise<T extends object>(
  chunks: T[],
  tail: Record<string, unknown>,
): UpstreamChunk<T>[] {
  const last = chunks[chunks.length - 1];
  if (last !== undefined) Object.assign(last, tail);
  return chunks.map((chunk) => ({ raw: JSON.stringify(chunk), chunk }));
}

import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Observable, type Subscriber } from 'rxjs';
import { ErrorCode, GatewayException } from '../common/errors';
import { ClientClosedError } from '../common/http';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionChunkChoice,
  ChatCompletionDelta,
  ChatCompletionRequest,
  ChatMessage,
  ToolCall,
  ToolChoice,
  Usage,
} from '../common/openai';
import type { GatewayConfig, ToolsConfig } from '../config';
import { newToolCallId, ToolCallAccumulator } from './tool-call.accumulator';
import { ToolCallBudget, ToolExecutor } from './tool-executor.service';
import type { LoopModel, ToolLoopAnswer, ToolLoopRequest } from './tool-loop.interface';
import { ToolRegistry } from './tool-registry.service';
import { ToolMessages } from './tools.messages';
import { UsageTotal } from './usage-total';

/** What the loop needs of one model call, streamed or not. */
interface Round {
  content: string | null;
  toolCalls: ToolCall[];
  finishReason: string | null;
  usage?: Usage | null;
  /** Non-streaming rounds: the completion itself, answered as is when it is the last. */
  completion?: ChatCompletion;
}

type CallRound = (
  body: ChatCompletionRequest,
  model: LoopModel,
  signal: AbortSignal,
) => Promise<Round>;

/** How a loop ended: the last round and what the caller is told. */
interface LoopOutcome {
  round: Round;
  /** The `tool_calls` answered to the caller; empty for a text answer. */
  answerCalls: ToolCall[];
  finishReason: string;
  /** Server-side calls of the forced final round were dropped from the answer. */
  droppedCalls: boolean;
  usage: Usage | undefined;
  rounds: number;
  model: LoopModel;
}

/**
 * The server-side tool loop of SPEC §8 (semantics in ADR 0005): call the model; run the calls
 * to registered tools that the request offers, in parallel; append the assistant turn and the
 * results in order; call again, until the model answers without such calls or
 * `tools.max_rounds` rounds ran, then ask once more with `tool_choice: "none"`. A turn that
 * calls any tool the gateway does not run goes back to the caller whole, as an ordinary
 * `tool_calls` answer; calls to registered tools still unanswered when the conversation comes
 * back are run before it goes upstream again.
 */
@Injectable()
export class ToolLoopService {
  private readonly settings: ToolsConfig;

  constructor(
    private readonly registry: ToolRegistry,
    private readonly executor: ToolExecutor,
    config: ConfigService<GatewayConfig, true>,
  ) {
    this.settings = config.get('tools', { infer: true });
  }

  /**
   * Whether the loop handles `body`: its `tools` offer at least one registered tool (among
   * `allowed`, the key's `allowed_tools`, when given).
   */
  applies(body: ChatCompletionRequest, allowed?: ReadonlySet<string>): boolean {
    const tools = body.tools;
    if (!tools || tools.length === 0) return false;
    for (const tool of tools) {
      if (this.registry.permits(tool.function.name, allowed)) return true;
    }
    return false;
  }

  /** Runs the loop for a non-streaming request. */
  async complete(request: ToolLoopRequest): Promise<ToolLoopAnswer> {
    assertOneChoice(request.body);
    const run = new LoopRun(this.registry, this.executor, this.settings, request, request.signal);
    const outcome = await run.run(completeRound);
    return { body: renderCompletion(outcome), rounds: outcome.rounds, model: outcome.model };
  }

  /**
   * Runs the loop for a streaming request: the `data:` payloads for the caller. Text of every
   * round streams as it arrives; tool-call deltas are gathered and never forwarded unless the
   * turn goes back to the caller; the finish and usage chunks come once, at the end.
   * Unsubscribing aborts the running tools and the upstream call.
   */
  stream(request: ToolLoopRequest): Observable<string> {
    return new Observable<string>((subscriber) => {
      const controller = new AbortController();
      const onAbort = (): void => controller.abort(request.signal.reason);
      if (request.signal.aborted) onAbort();
      else request.signal.addEventListener('abort', onAbort, { once: true });
      const rounds = new StreamRounds(
        subscriber,
        request.body.stream_options?.include_usage === true,
      );
      Promise.resolve()
        .then(() => {
          assertOneChoice(request.body);
          return new LoopRun(
            this.registry,
            this.executor,
            this.settings,
            request,
            controller.signal,
          ).run(rounds.call);
        })
        .then(
          (outcome) => {
            rounds.finish(outcome);
            subscriber.complete();
          },
          (error: unknown) => subscriber.error(error),
        )
        .finally(() => request.signal.removeEventListener('abort', onAbort));
      return () => {
        if (!controller.signal.aborted) controller.abort(new ClientClosedError());
      };
    });
  }
}

/** The state of one request's loop. */
class LoopRun {
  private model: LoopModel;
  private rounds = 0;
  private invalidArguments = 0;
  private escalationTried = false;
  private readonly usage = new UsageTotal();
  /** `tools.max_calls_per_request`, over every round of this request (issue 13). */
  private readonly budget: ToolCallBudget;

  constructor(
    private readonly registry: ToolRegistry,
    private readonly executor: ToolExecutor,
    private readonly settings: ToolsConfig,
    private readonly request: ToolLoopRequest,
    private readonly signal: AbortSignal,
  ) {
    this.model = request.model;
    this.budget = new ToolCallBudget(settings.maxCallsPerRequest);
  }

  async run(callRound: CallRound): Promise<LoopOutcome> {
    const body = this.request.body;
    const offeredTools = body.tools ?? [];
    // Only tools this request offers run here: a registered tool the caller did not list is
    // the caller's business (it may be a same-named tool of its own). So is one its key may
    // not have run (`allowed_tools`): it is neither completed from the registry nor executed.
    const allowed = this.request.allowedTools;
    const offered = new Set(
      offeredTools
        .map((t) => t.function.name)
        .filter((name) => this.registry.permits(name, allowed)),
    );
    const tools = allowed
      ? offeredTools.map((t) =>
          offered.has(t.function.name) ? this.registry.completeDefinitions([t])[0] : t,
        )
      : this.registry.completeDefinitions(offeredTools);
    const messages: ChatMessage[] = [...body.messages];
    await this.runPendingCalls(messages, offered);
    for (let call = 0; ; call++) {
      this.signal.throwIfAborted();
      this.escalateIfStruggling();
      const final = this.rounds >= this.settings.maxRounds;
      // A copy: the upstream client may serialise the body late (a wait queue, a retry).
      const upstreamBody: ChatCompletionRequest = { ...body, messages: [...messages], tools };
      if (final) upstreamBody.tool_choice = 'none';
      // A forced call (`required`, a named function) is honoured once; forcing it every round
      // would only end at the round limit.
      else if (call > 0 && isForcing(body.tool_choice)) upstreamBody.tool_choice = 'auto';
      const round = await callRound(upstreamBody, this.model, this.signal);
      this.usage.add(round.usage);
      const serverCalls = round.toolCalls.filter((c) => offered.has(c.function.name));
      const handBack = serverCalls.length < round.toolCalls.length;
      if (serverCalls.length === 0 || handBack) {
        return this.outcome(round, round.toolCalls, false);
      }
      if (final) return this.outcome(round, [], true);
      messages.push({
        role: 'assistant',
        content: round.content === '' ? null : round.content,
        tool_calls: serverCalls,
      });
      await this.execute(serverCalls, messages, messages.length);
    }
  }

  /**
   * A conversation coming back after a handed-back turn (ADR 0005) may hold calls to
   * registered tools without results: they run now, and their results go in after the
   * caller's, so the conversation sent upstream is complete.
   */
  private async runPendingCalls(messages: ChatMessage[], offered: Set<string>): Promise<void> {
    let turn = messages.length - 1;
    while (
      turn >= 0 &&
      !(messages[turn].role === 'assistant' && messages[turn].tool_calls?.length)
    ) {
      turn--;
    }
    if (turn < 0) return;
    const answered = new Set<unknown>();
    for (let i = turn + 1; i < messages.length; i++) {
      if (messages[i].role === 'tool') answered.add(messages[i].tool_call_id);
    }
    const pending = (messages[turn].tool_calls ?? []).filter(
      (c) => offered.has(c.function.name) && !answered.has(c.id),
    );
    if (pending.length === 0) return;
    let at = turn + 1;
    while (at < messages.length && messages[at].role === 'tool') at++;
    await this.execute(pending, messages, at);
  }

  /** Runs one round's calls and inserts their results at `at`, in call order. */
  private async execute(calls: ToolCall[], messages: ChatMessage[], at: number): Promise<void> {
    const outcomes = await this.executor.executeAll(
      calls,
      {
        signal: this.signal,
        requestId: this.request.requestId,
        budget: this.budget,
        ...(this.request.keyName === undefined ? {} : { keyName: this.request.keyName }),
        ...(this.request.traceContext === undefined
          ? {}
          : { traceContext: this.request.traceContext }),
      },
      this.request.hooks?.onToolStart,
    );
    this.signal.throwIfAborted();
    messages.splice(
      at,
      0,
      ...outcomes.map((o): ChatMessage => ({
        role: 'tool',
        tool_call_id: o.call.id,
        content: o.content,
      })),
    );
    for (const o of outcomes) if (o.status === 'invalid_arguments') this.invalidArguments++;
    this.rounds++;
    this.request.hooks?.onToolRound?.();
  }

  /**
   * Issue rule: a loop on the instant tier that failed schema validation often enough, or
   * used half of its rounds, moves its remaining rounds to the thinking tier, once.
   */
  private escalateIfStruggling(): void {
    const rule = this.settings.escalation;
    if (this.escalationTried || !rule.enabled || this.model.tier !== 'instant') return;
    if (this.invalidArguments < rule.invalidArguments && this.rounds < rule.rounds) return;
    this.escalationTried = true;
    const next = this.request.escalate?.();
    if (!next) return;
    this.model = next;
    this.request.hooks?.onEscalated?.(next);
  }

  private outcome(round: Round, answerCalls: ToolCall[], droppedCalls: boolean): LoopOutcome {
    let finishReason = round.finishReason ?? 'stop';
    if (answerCalls.length > 0) finishReason = 'tool_calls';
    else if (droppedCalls || finishReason === 'tool_calls') {
      finishReason = finishReason === 'length' ? 'length' : 'stop';
    }
    return {
      round,
      answerCalls,
      finishReason,
      droppedCalls,
      usage: this.usage.value,
      rounds: this.rounds,
      model: this.model,
    };
  }
}

function isForcing(choice: ToolChoice | undefined): boolean {
  return choice === 'required' || (typeof choice === 'object' && choice !== null);
}

function assertOneChoice(body: ChatCompletionRequest): void {
  const n = body.n;
  if (typeof n === 'number' && n > 1) {
    throw new GatewayException(ErrorCode.InvalidValue, ToolMessages.severalChoicesWithTools(), {
      param: 'n',
    });
  }
}

/** Every call gets an id (tool messages refer to it) and the `function` type. */
function normalizeCalls(calls: readonly ToolCall[] | undefined): ToolCall[] {
  if (!calls) return [];
  return calls.map((c) => ({
    ...c,
    id: typeof c.id === 'string' && c.id !== '' ? c.id : newToolCallId(),
    type: 'function',
  }));
}

const completeRound: CallRound = async (body, model, signal) => {
  const completion = await model.complete(body, signal);
  const choice = completion.choices[0];
  const message = choice?.message;
  return {
    content: typeof message?.content === 'string' ? message.content : null,
    toolCalls: normalizeCalls(message?.tool_calls),
    finishReason: choice?.finish_reason ?? null,
    usage: completion.usage,
    completion,
  };
};

function renderCompletion(outcome: LoopOutcome): string {
  const completion = outcome.round.completion as ChatCompletion;
  const choice = completion.choices[0];
  if (choice) {
    if (outcome.answerCalls.length > 0) choice.message.tool_calls = outcome.answerCalls;
    else if (outcome.droppedCalls) delete choice.message.tool_calls;
    choice.finish_reason = outcome.finishReason;
  }
  if (outcome.usage) completion.usage = outcome.usage;
  return JSON.stringify(completion);
}

/** The fields every chunk the loop writes itself shares with the upstream's chunks. */
interface ChunkHead {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  system_fingerprint?: unknown;
}

/**
 * The streaming side of the loop: runs rounds against the upstream stream, forwards text as it
 * arrives, and writes the closing chunks of the answer.
 */
class StreamRounds {
  /** One id for the whole answer, the first round's, whatever later rounds are called. */
  private streamId: string | undefined;
  private head: ChunkHead | undefined;
  private roleSent = false;

  constructor(
    private readonly subscriber: Subscriber<string>,
    private readonly callerWantsUsage: boolean,
  ) {}

  readonly call: CallRound = (body, model, signal) =>
    new Promise<Round>((resolve, reject) => {
      const calls = new ToolCallAccumulator();
      let content = '';
      let finishReason: string | null = null;
      let usage: Usage | null | undefined;
      let head: ChunkHead | undefined;
      const onAbort = (): void => {
        subscription.unsubscribe();
        reject(signal.reason);
      };
      const subscription = model.stream(body, signal).subscribe({
        next: (chunk) => {
          this.streamId ??= chunk.id;
          head ??= chunkHead(chunk);
          if (chunk.usage) usage = chunk.usage;
          const choice = chunk.choices[0];
          if (!choice) return;
          const delta = choice.delta ?? {};
          if (delta.tool_calls && delta.tool_calls.length > 0) calls.add(delta.tool_calls);
          if (choice.finish_reason) finishReason = choice.finish_reason;
          if (typeof delta.content === 'string') content += delta.content;
          this.forwardText(chunk, choice, delta);
        },
        error: (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
        complete: () => {
          signal.removeEventListener('abort', onAbort);
          if (head) this.head = head;
          resolve({ content, toolCalls: calls.calls(), finishReason, usage });
        },
      });
      if (signal.aborted) onAbort();
      else if (!subscription.closed) signal.addEventListener('abort', onAbort, { once: true });
    });

  /** The closing chunks: handed-back calls, the finish reason, the summed usage if asked. */
  finish(outcome: LoopOutcome): void {
    const head: ChunkHead = {
      ...(this.head ?? {
        id: '',
        object: 'chat.completion.chunk',
        created: Math.floor(Date.now() / 1000),
        model: '',
      }),
      id: this.streamId ?? this.head?.id ?? newToolCallId(),
    };
    const delta = (extra: ChatCompletionDelta): ChatCompletionDelta => {
      if (this.roleSent) return extra;
      this.roleSent = true;
      return { role: 'assistant', ...extra };
    };
    outcome.answerCalls.forEach((call, index) => {
      this.emit({
        ...head,
        choices: [
          {
            index: 0,
            delta: delta({
              tool_calls: [
                {
                  index,
                  id: call.id,
                  type: 'function',
                  function: { name: call.function.name, arguments: call.function.arguments },
                },
              ],
            }),
            logprobs: null,
            finish_reason: null,
          },
        ],
      });
    });
    this.emit({
      ...head,
      choices: [
        { index: 0, delta: delta({}), logprobs: null, finish_reason: outcome.finishReason },
      ],
    });
    if (this.callerWantsUsage && outcome.usage) {
      this.emit({ ...head, choices: [], usage: outcome.usage });
    }
  }

  /**
   * Text (content, reasoning) streams as it comes: the gateway cannot know before a round ends
   * whether it will call a tool, and holding text back would cost the final answer its
   * token-by-token delivery. Tool-call deltas and finish reasons are never forwarded here.
   */
  private forwardText(
    chunk: ChatCompletionChunk,
    choice: ChatCompletionChunkChoice,
    delta: ChatCompletionDelta,
  ): void {
    const text = typeof delta.content === 'string' ? delta.content : '';
    const reasoning = typeof delta.reasoning_content === 'string' ? delta.reasoning_content : '';
    if (text === '' && reasoning === '' && this.roleSent) return;
    const out: ChatCompletionDelta = {};
    if (!this.roleSent) {
      out.role = 'assistant';
      this.roleSent = true;
    }
    if (text !== '' || typeof delta.content === 'string') out.content = text;
    if (reasoning !== '') out.reasoning_content = reasoning;
    this.emit({
      ...chunk,
      id: this.streamId ?? chunk.id,
      choices: [{ ...choice, delta: out, finish_reason: null }],
    });
  }

  private emit(chunk: object): void {
    this.subscriber.next(JSON.stringify(chunk));
  }
}

function chunkHead(chunk: ChatCompletionChunk): ChunkHead {
  return {
    id: chunk.id,
    object: 'chat.completion.chunk',
    created: chunk.created,
    model: chunk.model,
    ...(chunk.system_fingerprint === undefined
      ? {}
      : { system_fingerprint: chunk.system_fingerprint }),
  };
}

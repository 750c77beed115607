import { Inject, Injectable } from '@nestjs/common';
import { Observable } from 'rxjs';
import { ErrorCode, GatewayException } from '../common/errors';
import { ClientClosedError } from '../common/http';
import type { ChatCompletionRequest, ChatMessage, ToolCall, ToolChoice } from '../common/openai';
import { UsageTotal } from '../common/usage';
import type { ToolsConfig } from '../config';
import type { CallRound, LoopOutcome, Round } from './loop-round';
import { StreamRounds } from './stream-rounds';
import { newToolCallId, withUpstreamArguments } from './tool-call.accumulator';
import { ToolCallBudget, ToolExecutor } from './tool-executor.service';
import type {
  LoopCompletion,
  LoopModel,
  ToolLoopAnswer,
  ToolLoopRequest,
} from './tool-loop.interface';
import { ToolRegistry } from './tool-registry.service';
import { TOOLS_CONFIG, type ToolsSlice } from './tools.config';
import { ToolMessages } from './tools.messages';

/**
 * The server-side tool loop of docs/api.md §8 (semantics in ADR 0005): call the model; run the calls
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
    @Inject(TOOLS_CONFIG.token) config: ToolsSlice,
  ) {
    this.settings = config.tools;
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
   * Runs the loop for a streaming request: the `data:` payloads for the caller, the upstream's
   * chunks as received wherever they can be ({@link StreamRounds}). Text of every round streams
   * as it arrives; tool-call chunks are held and forwarded only when the turn is answered with
   * its calls; the finish and usage chunks come once, at the end. Unsubscribing aborts the
   * running tools and the upstream call.
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
  private modelCalls = 0;
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
      this.modelCalls++;
      // A turn the upstream cut off (issue 12): its calls may be incomplete, so nothing is run
      // and nothing goes upstream again; the caller gets what was generated, as it stands.
      if (isCutOff(round.finishReason)) return this.outcome(round, round.toolCalls, false);
      const serverCalls = round.toolCalls.filter((c) => offered.has(c.function.name));
      const handBack = serverCalls.length < round.toolCalls.length;
      if (serverCalls.length === 0 || handBack) {
        return this.outcome(round, round.toolCalls, false);
      }
      if (final) return this.outcome(round, [], true);
      messages.push({
        role: 'assistant',
        content: round.content === '' ? null : round.content,
        // Arguments that are not a JSON object go upstream as `{}`: their error result says why.
        tool_calls: serverCalls.map(withUpstreamArguments),
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
    // The gateway runs these calls and answers them, so their turn goes upstream as a model
    // server can read it (a copy: the caller's body is not changed).
    const calls = messages[turn].tool_calls ?? [];
    const safe = calls.map((c) => (pending.includes(c) ? withUpstreamArguments(c) : c));
    if (safe.some((c, i) => c !== calls[i]))
      messages[turn] = { ...messages[turn], tool_calls: safe };
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

  /**
   * The upstream's `finish_reason` stands (issue 12); it is filled in when the upstream gave
   * none, and becomes `stop` only when the calls of the forced final round are dropped (ADR 0005).
   */
  private outcome(round: Round, answerCalls: ToolCall[], droppedCalls: boolean): LoopOutcome {
    const finishReason = droppedCalls
      ? 'stop'
      : (round.finishReason ?? (answerCalls.length > 0 ? 'tool_calls' : 'stop'));
    return {
      round,
      answerCalls,
      finishReason,
      droppedCalls,
      usage: this.usage.value,
      rounds: this.rounds,
      modelCalls: this.modelCalls,
      model: this.model,
    };
  }
}

/** Finish reasons of a turn the upstream stopped before it was complete. */
const CUT_OFF = new Set(['length', 'content_filter']);

function isCutOff(finishReason: string | null): boolean {
  return finishReason !== null && CUT_OFF.has(finishReason);
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
function normalizeCalls(calls: readonly ToolCall[] | undefined): {
  calls: ToolCall[];
  completed: boolean;
} {
  let completed = false;
  const normalized = (calls ?? []).map((c) => {
    if (typeof c.id === 'string' && c.id !== '' && c.type === 'function') return c;
    completed = true;
    return {
      ...c,
      id: typeof c.id === 'string' && c.id !== '' ? c.id : newToolCallId(),
      type: 'function' as const,
    };
  });
  return { calls: normalized, completed };
}

const completeRound: CallRound = async (body, model, signal) => {
  const completion = await model.complete(body, signal);
  const choice = completion.value.choices[0];
  const message = choice?.message;
  const { calls, completed } = normalizeCalls(message?.tool_calls);
  return {
    content: typeof message?.content === 'string' ? message.content : null,
    toolCalls: calls,
    callsCompleted: completed,
    finishReason: choice?.finish_reason ?? null,
    usage: completion.value.usage,
    completion,
  };
};

/** The answer: the last completion as received, serialised again only where it must change. */
function renderCompletion(outcome: LoopOutcome): string {
  const { raw, value } = outcome.round.completion as LoopCompletion;
  const choice = value.choices[0];
  let changed = false;
  if (choice) {
    if (outcome.answerCalls.length > 0 && outcome.round.callsCompleted) {
      choice.message.tool_calls = outcome.answerCalls;
      changed = true;
    } else if (outcome.droppedCalls) {
      delete choice.message.tool_calls;
      changed = true;
    }
    if (choice.finish_reason !== outcome.finishReason) {
      choice.finish_reason = outcome.finishReason;
      changed = true;
    }
  }
  // With one model call, the answer's usage is the total already.
  if (outcome.modelCalls > 1 && outcome.usage) {
    value.usage = outcome.usage;
    changed = true;
  }
  return changed ? JSON.stringify(value) : raw;
}

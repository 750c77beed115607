import { Logger, Module, type INestApplicationContext } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { firstValueFrom, map, Observable, toArray } from 'rxjs';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionDelta,
  ChatCompletionRequest,
  ChatMessage,
  ToolDefinition,
  Usage,
} from '../common/openai';
import type { TierName, ToolsConfig } from '../config';
import { GatewayTool } from './gateway-tool.decorator';
import type { ToolContext, ToolResult } from './gateway-tool.interface';
import type { LoopChunk, LoopCompletion, LoopModel, ToolLoopRequest } from './tool-loop.interface';
import { ToolLoopService } from './tool-loop.service';
import { ToolsModule } from './tools.module';
import { ToolMessages } from './tools.messages';

// ---------------------------------------------------------------------------- tools under test

const NUMBERS = {
  type: 'object',
  properties: { a: { type: 'number' }, b: { type: 'number' } },
  required: ['a', 'b'],
  additionalProperties: false,
};

@GatewayTool({ name: 'add', description: 'Adds two numbers.', parameters: NUMBERS })
class AddTool implements GatewayTool<{ a: number; b: number }> {
  execute({ a, b }: { a: number; b: number }): ToolResult {
    return { sum: a + b };
  }
}

/** Waits until aborted; remembers that it saw the abort. */
@GatewayTool({ name: 'wait', description: 'Waits.', parameters: { type: 'object' } })
class WaitTool implements GatewayTool {
  static started = 0;
  static aborted: unknown[] = [];
  execute(_args: unknown, { signal }: ToolContext): Promise<ToolResult> {
    WaitTool.started++;
    return new Promise((_resolve, reject) =>
      signal.addEventListener('abort', () => {
        WaitTool.aborted.push(signal.reason);
        reject(signal.reason);
      }),
    );
  }
}

@Module({ providers: [AddTool, WaitTool] })
class TestToolsModule {}

// ------------------------------------------------------------------------- a scripted model

interface Turn {
  content?: string;
  calls?: { name: string; arguments: string; id?: string }[];
  finish?: string;
  /** Top-level fields the server adds (llama.cpp's `timings`): on the answer, on the last chunk. */
  extra?: Record<string, unknown>;
}

const USAGE: Usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };

/** A model that answers each call with `respond(body, callNumber)` and records the bodies. */
class ScriptedModel implements LoopModel {
  readonly requests: ChatCompletionRequest[] = [];

  constructor(
    readonly tier: TierName,
    readonly reason: string,
    private readonly respond: (body: ChatCompletionRequest, call: number) => Turn,
    private readonly argsPiece = 5,
  ) {}

  private next(body: ChatCompletionRequest): Turn {
    this.requests.push(structuredClone(body));
    return this.respond(body, this.requests.length - 1);
  }

  complete(body: ChatCompletionRequest): Promise<LoopCompletion> {
    const turn = this.next(body);
    const value: ChatCompletion = {
      id: `chatcmpl-${this.requests.length}`,
      object: 'chat.completion',
      created: 1,
      model: `model-${this.tier}`,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: turn.content ?? null,
            tool_calls: (turn.calls ?? []).map((c, i) => ({
              id: c.id ?? `call_${this.requests.length}_${i}`,
              type: 'function',
              function: { name: c.name, arguments: c.arguments },
            })),
          },
          finish_reason: turn.finish ?? (turn.calls?.length ? 'tool_calls' : 'stop'),
        },
      ],
      usage: { ...USAGE },
      ...turn.extra,
    };
    return Promise.resolve({ raw: JSON.stringify(value), value });
  }

  stream(body: ChatCompletionRequest): Observable<LoopChunk> {
    const turn = this.next(body);
    const n = this.requests.length;
    const head = {
      id: `chatcmpl-${n}`,
      object: 'chat.completion.chunk' as const,
      created: 1,
      model: `model-${this.tier}`,
    };
    const chunk = (
      delta: ChatCompletionDelta,
      finish: string | null = null,
    ): ChatCompletionChunk => ({
      ...head,
      choices: [{ index: 0, delta, finish_reason: finish }],
      usage: null,
    });
    const chunks: ChatCompletionChunk[] = [chunk({ role: 'assistant', content: '' })];
    for (const word of (turn.content ?? '').split(/(?<= )/))
      if (word) chunks.push(chunk({ content: word }));
    (turn.calls ?? []).forEach((c, index) => {
      chunks.push(
        chunk({
          tool_calls: [
            {
              index,
              id: c.id ?? `call_${n}_${index}`,
              type: 'function',
              function: { name: c.name, arguments: '' },
            },
          ],
        }),
      );
      for (let at = 0; at < c.arguments.length; at += this.argsPiece) {
        chunks.push(
          chunk({
            tool_calls: [
              { index, function: { arguments: c.arguments.slice(at, at + this.argsPiece) } },
            ],
          }),
        );
      }
    });
    chunks.push(chunk({}, turn.finish ?? (turn.calls?.length ? 'tool_calls' : 'stop')));
    chunks.push({ ...head, choices: [], usage: { ...USAGE }, ...turn.extra });
    return new Observable<LoopChunk>((subscriber) => {
      let i = 0;
      const timer = setInterval(() => {
        if (i < chunks.length) {
          const next = chunks[i++];
          subscriber.next({ raw: JSON.stringify(next), chunk: next });
        } else {
          clearInterval(timer);
          subscriber.complete();
        }
      }, 0);
      return () => clearInterval(timer);
    });
  }
}

/** The payloads of a stream, as text. */
const collectRaw = (source: Observable<string>): Promise<string[]> =>
  firstValueFrom(source.pipe(toArray()));

const collect = (source: Observable<string>) =>
  collectRaw(source).then((payloads) => payloads.map((p) => JSON.parse(p) as ChatCompletionChunk));

/** Streamed tool calls put back together by index. */
function reassemble(
  chunks: ChatCompletionChunk[],
): { id?: string; name?: string; arguments: string }[] {
  const calls: { id?: string; name?: string; arguments: string }[] = [];
  for (const c of chunks) {
    for (const d of c.choices[0]?.delta.tool_calls ?? []) {
      const call = (calls[d.index] ??= { arguments: '' });
      if (d.id) call.id = d.id;
      if (d.function?.name) call.name = d.function.name;
      call.arguments += d.function?.arguments ?? '';
    }
  }
  return calls;
}

/** Records the exact payloads each of `model`'s stream calls sends, in call order. */
function rawOf(model: ScriptedModel): string[][] {
  const sent: string[][] = [];
  const stream = model.stream.bind(model);
  model.stream = (body) => {
    const mine: string[] = [];
    sent.push(mine);
    return stream(body).pipe(
      map((received) => {
        mine.push(received.raw);
        return received;
      }),
    );
  };
  return sent;
}

/** The last message of a request, and whether it is a tool result. */
const lastIsTool = (body: ChatCompletionRequest): boolean =>
  body.messages[body.messages.length - 1].role === 'tool';

// ------------------------------------------------------------------------------------- setup

const SETTINGS: ToolsConfig = {
  maxRounds: 4,
  timeoutMs: 300,
  maxCallsPerRound: 16,
  maxCallsPerRequest: 64,
  sandbox: { maxWorkers: 2, queueTimeoutMs: 1000 },
  escalation: { enabled: true, invalidArguments: 2, rounds: 2 },
  builtin: {
    calculator: { enabled: false },
    currentTime: { enabled: false },
    runJavascript: { enabled: false },
    webSearch: { enabled: false },
    memory: { enabled: false },
  },
  runJavascript: { timeoutMs: 1000, memoryLimitMb: 8 },
  webSearch: { maxResults: 3, timeoutMs: 1000, maxBodyBytes: 65536, redirectHosts: [] },
  memory: { maxNotes: 10, keyPrefix: 'test:memory:' },
};

async function loopService(
  settings: Partial<ToolsConfig> = {},
): Promise<[ToolLoopService, INestApplicationContext]> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot({
        isGlobal: true,
        ignoreEnvFile: true,
        load: [() => ({ tools: { ...SETTINGS, ...settings }, redis: {}, auth: { keys: [] } })],
      }),
      ToolsModule,
      TestToolsModule,
    ],
  }).compile();
  await moduleRef.init();
  return [moduleRef.get(ToolLoopService), moduleRef];
}

const TOOLS: ToolDefinition[] = [
  { type: 'function', function: { name: 'add' } },
  { type: 'function', function: { name: 'wait' } },
  { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } },
];

function request(
  model: LoopModel,
  extra: Partial<ToolLoopRequest> = {},
  body: Partial<ChatCompletionRequest> = {},
): ToolLoopRequest {
  return {
    body: { model: 'auto', messages: [{ role: 'user', content: 'hi' }], tools: TOOLS, ...body },
    model,
    signal: new AbortController().signal,
    requestId: 'req-1',
    keyName: 'team-a',
    ...extra,
  };
}

const add = (a: number, b: number, id?: string) => ({
  name: 'add',
  arguments: JSON.stringify({ a, b }),
  ...(id ? { id } : {}),
});

describe('ToolLoopService', () => {
  let loop: ToolLoopService;
  let moduleRef: INestApplicationContext;

  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    [loop, moduleRef] = await loopService();
  });
  afterAll(async () => {
    await moduleRef.close();
    jest.restoreAllMocks();
  });

  describe('applies', () => {
    it.each<[string, ToolDefinition[] | undefined, boolean]>([
      ['no tools', undefined, false],
      ['client tools only', [TOOLS[2]], false],
      ['a registered tool by name', [TOOLS[0]], true],
      ['a mix', TOOLS, true],
    ])('%s', (_name, tools, expected) => {
      expect(loop.applies({ messages: [], ...(tools ? { tools } : {}) })).toBe(expected);
    });

    it('counts only the registered tools the key may use (allowed_tools)', () => {
      expect(loop.applies({ messages: [], tools: [TOOLS[0]] }, new Set(['wait']))).toBe(false);
      expect(loop.applies({ messages: [], tools: TOOLS }, new Set(['wait']))).toBe(true);
      expect(loop.applies({ messages: [], tools: TOOLS }, new Set())).toBe(false);
    });
  });

  describe('allowed tools (a key’s allowed_tools)', () => {
    it('neither completes nor runs a registered tool the key may not use: its call goes back', async () => {
      const model = new ScriptedModel('instant', 'model:instant', () => ({
        calls: [add(1, 2, 'call_x')],
      }));
      const answer = await loop.complete(request(model, { allowedTools: new Set(['wait']) }));
      const body = JSON.parse(answer.body);
      expect(answer.rounds).toBe(0);
      expect(body.choices[0].finish_reason).toBe('tool_calls');
      expect(body.choices[0].message.tool_calls[0].function.name).toBe('add');
      // Sent as the caller wrote it, not filled in from the registry; `wait` still is.
      expect(model.requests[0].tools?.[0]).toEqual(TOOLS[0]);
      expect(model.requests[0].tools?.[1].function.description).toBe('Waits.');
    });

    it('runs the ones it may use, and reports each executed round', async () => {
      const model = new ScriptedModel('instant', 'model:instant', (body) =>
        lastIsTool(body) ? { content: 'done' } : { calls: [add(2, 3)] },
      );
      let rounds = 0;
      const answer = await loop.complete(
        request(model, {
          allowedTools: new Set(['add']),
          hooks: { onToolRound: () => rounds++ },
        }),
      );
      expect([answer.rounds, rounds]).toEqual([1, 1]);
    });
  });

  describe('non-streaming', () => {
    it('answers at once when the model calls no tool', async () => {
      const model = new ScriptedModel('instant', 'model:instant', () => ({ content: 'hello' }));
      const answer = await loop.complete(request(model));
      const body = JSON.parse(answer.body);
      expect(body.choices[0].message.content).toBe('hello');
      expect(answer.rounds).toBe(0);
      expect(answer.model).toBe(model);
    });

    it('fills a name-only tools entry from the registry before it goes upstream', async () => {
      const model = new ScriptedModel('instant', 'model:instant', () => ({ content: 'ok' }));
      await loop.complete(request(model));
      expect(model.requests[0].tools?.[0]).toEqual({
        type: 'function',
        function: { name: 'add', description: 'Adds two numbers.', parameters: NUMBERS },
      });
      expect(model.requests[0].tools?.[2]).toEqual(TOOLS[2]);
    });

    it('runs a call, appends the assistant turn and the result, and sums usage', async () => {
      const model = new ScriptedModel('instant', 'model:instant', (body) =>
        lastIsTool(body) ? { content: 'The sum is 5.' } : { calls: [add(2, 3, 'call_a')] },
      );
      const answer = await loop.complete(request(model));
      const body = JSON.parse(answer.body);
      expect(body.choices[0].message.content).toBe('The sum is 5.');
      expect(body.choices[0].finish_reason).toBe('stop');
      expect(body.usage).toEqual({ prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 });
      expect(answer.rounds).toBe(1);
      expect(model.requests[1].messages).toEqual<ChatMessage[]>([
        { role: 'user', content: 'hi' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_a',
              type: 'function',
              function: { name: 'add', arguments: '{"a":2,"b":3}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_a', content: '{"sum":5}' },
      ]);
    });

    it('runs parallel calls and appends their results in call order', async () => {
      const model = new ScriptedModel('instant', 'model:instant', (body) =>
        lastIsTool(body)
          ? { content: 'done' }
          : { calls: [add(1, 1, 'x'), add(2, 2, 'y'), add(3, 3, 'z')] },
      );
      await loop.complete(request(model));
      expect(model.requests[1].messages.slice(2)).toEqual([
        { role: 'tool', tool_call_id: 'x', content: '{"sum":2}' },
        { role: 'tool', tool_call_id: 'y', content: '{"sum":4}' },
        { role: 'tool', tool_call_id: 'z', content: '{"sum":6}' },
      ]);
    });

    it('runs several rounds and stops when the model answers without a registered call', async () => {
      const model = new ScriptedModel('thinking', 'model:thinking', (_body, call) =>
        call < 3 ? { calls: [add(call, 1)] } : { content: 'three rounds' },
      );
      const answer = await loop.complete(request(model));
      expect(answer.rounds).toBe(3);
      expect(model.requests).toHaveLength(4);
      expect(JSON.parse(answer.body).usage.total_tokens).toBe(60);
    });

    it('gives invalid arguments back as an error result the model can correct', async () => {
      const model = new ScriptedModel('thinking', 'model:thinking', (_body, call) =>
        call === 0
          ? { calls: [{ name: 'add', arguments: '{"a":"two"}' }] }
          : call === 1
            ? { calls: [add(2, 2)] }
            : { content: '4' },
      );
      const answer = await loop.complete(request(model));
      const firstResult = model.requests[1].messages[2];
      expect(firstResult.role).toBe('tool');
      expect(JSON.parse(firstResult.content as string).error).toMatch(
        /arguments\/a must be number/,
      );
      expect(answer.rounds).toBe(2);
    });

    it('stops after max_rounds, then asks once more with tool_choice none and drops calls it still makes', async () => {
      const model = new ScriptedModel('thinking', 'model:thinking', () => ({
        content: 'still busy',
        calls: [add(1, 2)],
      }));
      const answer = await loop.complete(request(model));
      expect(answer.rounds).toBe(4);
      expect(model.requests).toHaveLength(5);
      expect(model.requests.slice(0, 4).map((r) => r.tool_choice)).toEqual([
        undefined,
        undefined,
        undefined,
        undefined,
      ]);
      expect(model.requests[4].tool_choice).toBe('none');
      const choice = JSON.parse(answer.body).choices[0];
      expect(choice.message.tool_calls).toBeUndefined();
      expect(choice.message.content).toBe('still busy');
      expect(choice.finish_reason).toBe('stop');
    });

    it('honours a forced tool_choice once, then lets the model decide', async () => {
      const model = new ScriptedModel('thinking', 'model:thinking', (_b, call) =>
        call === 0 ? { calls: [add(1, 2)] } : { content: 'ok' },
      );
      await loop.complete(
        request(model, {}, { tool_choice: { type: 'function', function: { name: 'add' } } }),
      );
      expect(model.requests.map((r) => r.tool_choice)).toEqual([
        { type: 'function', function: { name: 'add' } },
        'auto',
      ]);
    });

    it('returns calls to client tools as an ordinary tool_calls answer', async () => {
      const model = new ScriptedModel('instant', 'model:instant', () => ({
        calls: [{ name: 'get_weather', arguments: '{"city":"Paris"}', id: 'call_w' }],
      }));
      const answer = await loop.complete(request(model));
      const choice = JSON.parse(answer.body).choices[0];
      expect(choice.finish_reason).toBe('tool_calls');
      expect(choice.message.tool_calls).toEqual([
        {
          id: 'call_w',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
        },
      ]);
      expect(answer.rounds).toBe(0);
    });

    describe('a mixed turn (ADR 0005)', () => {
      const mixed = [
        add(2, 3, 'call_add'),
        { name: 'get_weather', arguments: '{"city":"Paris"}', id: 'call_w' },
      ];

      it('goes back to the caller whole and unexecuted', async () => {
        const model = new ScriptedModel('instant', 'model:instant', () => ({ calls: mixed }));
        const answer = await loop.complete(request(model));
        const choice = JSON.parse(answer.body).choices[0];
        expect(choice.finish_reason).toBe('tool_calls');
        expect(choice.message.tool_calls.map((c: { id: string }) => c.id)).toEqual([
          'call_add',
          'call_w',
        ]);
        expect(answer.rounds).toBe(0);
      });

      it('has its registered calls run when the conversation comes back, before it goes upstream', async () => {
        const model = new ScriptedModel('instant', 'model:instant', () => ({
          content: 'Paris is sunny; 2+3=5.',
        }));
        const assistant: ChatMessage = {
          role: 'assistant',
          content: null,
          tool_calls: mixed.map((c) => ({
            id: c.id ?? '',
            type: 'function',
            function: { name: c.name, arguments: c.arguments },
          })),
        };
        const answer = await loop.complete(
          request(
            model,
            {},
            {
              messages: [
                { role: 'user', content: 'weather and sum?' },
                assistant,
                { role: 'tool', tool_call_id: 'call_w', content: 'sunny' },
              ],
            },
          ),
        );
        expect(answer.rounds).toBe(1);
        expect(model.requests[0].messages).toEqual([
          { role: 'user', content: 'weather and sum?' },
          assistant,
          { role: 'tool', tool_call_id: 'call_w', content: 'sunny' },
          { role: 'tool', tool_call_id: 'call_add', content: '{"sum":5}' },
        ]);
      });

      it('keeps a result the caller gave for a registered call', async () => {
        const model = new ScriptedModel('instant', 'model:instant', () => ({ content: 'ok' }));
        const messages: ChatMessage[] = [
          { role: 'user', content: 'sum?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'c1', type: 'function', function: { name: 'add', arguments: '{"a":1,"b":1}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'c1', content: 'the caller’s own result' },
        ];
        const answer = await loop.complete(request(model, {}, { messages }));
        expect(answer.rounds).toBe(0);
        expect(model.requests[0].messages).toEqual(messages);
      });
    });

    describe('escalation', () => {
      const thinking = () =>
        new ScriptedModel('thinking', 'escalated:tools', (body) =>
          lastIsTool(body) ? { content: 'thought it through' } : { calls: [add(1, 1)] },
        );

      it('moves the remaining rounds to thinking after two invalid arguments', async () => {
        const target = thinking();
        const onEscalated = jest.fn();
        const instant = new ScriptedModel('instant', 'model:instant', () => ({
          calls: [
            { name: 'add', arguments: '{}' },
            { name: 'add', arguments: '{"a":1}' },
          ],
        }));
        const answer = await loop.complete(
          request(instant, { escalate: () => target, hooks: { onEscalated } }),
        );
        expect(instant.requests).toHaveLength(1);
        expect(target.requests).toHaveLength(1);
        expect(answer.model).toBe(target);
        expect(onEscalated).toHaveBeenCalledWith(target);
        // The thinking tier continues the same conversation.
        expect(target.requests[0].messages).toHaveLength(4);
        expect(JSON.parse(answer.body).usage.total_tokens).toBe(30);
      });

      it('moves the remaining rounds to thinking at half of max_rounds', async () => {
        const target = new ScriptedModel('thinking', 'escalated:tools', () => ({
          content: 'done',
        }));
        const instant = new ScriptedModel('instant', 'model:instant', () => ({
          calls: [add(1, 1)],
        }));
        const answer = await loop.complete(request(instant, { escalate: () => target }));
        expect(instant.requests).toHaveLength(2);
        expect(answer.rounds).toBe(2);
        expect(answer.model).toBe(target);
      });

      it('stays on instant without a thinking tier, and never escalates a thinking loop', async () => {
        const instant = new ScriptedModel('instant', 'model:instant', (body) =>
          body.messages.length > 5 ? { content: 'ok' } : { calls: [add(1, 1)] },
        );
        const none = await loop.complete(request(instant, { escalate: () => undefined }));
        expect(none.model).toBe(instant);
        const deep = new ScriptedModel('thinking', 'model:thinking', (body) =>
          body.messages.length > 5 ? { content: 'ok' } : { calls: [add(1, 1)] },
        );
        const escalate = jest.fn();
        await loop.complete(request(deep, { escalate }));
        expect(escalate).not.toHaveBeenCalled();
      });

      it('can be switched off', async () => {
        const [off, ref] = await loopService({
          escalation: { enabled: false, invalidArguments: 1, rounds: 1 },
        });
        const instant = new ScriptedModel('instant', 'model:instant', (body) =>
          body.messages.length > 5 ? { content: 'ok' } : { calls: [add(1, 1)] },
        );
        const escalate = jest.fn();
        await off.complete(request(instant, { escalate }));
        expect(escalate).not.toHaveBeenCalled();
        await ref.close();
      });
    });

    it('refuses n > 1', async () => {
      const model = new ScriptedModel('instant', 'model:instant', () => ({ content: 'x' }));
      await expect(loop.complete(request(model, {}, { n: 2 }))).rejects.toThrow(
        ToolMessages.severalChoicesWithTools(),
      );
    });

    it('aborts a running tool when the caller goes away, and fails with the abort reason', async () => {
      WaitTool.aborted = [];
      const controller = new AbortController();
      const model = new ScriptedModel('instant', 'model:instant', () => ({
        calls: [{ name: 'wait', arguments: '{}' }],
      }));
      const pending = loop.complete(request(model, { signal: controller.signal }));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const reason = new Error('caller left');
      controller.abort(reason);
      await expect(pending).rejects.toBe(reason);
      expect(WaitTool.aborted).toEqual([reason]);
      expect(model.requests).toHaveLength(1);
    });
  });

  describe('streaming', () => {
    const text = (chunks: ChatCompletionChunk[]) =>
      chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');

    it('consumes intermediate rounds, streams the final text, and ends with one finish and summed usage', async () => {
      // Valid arguments padded past 64 KiB, arriving in 1000-character deltas.
      const big = `{"a":1,${' '.repeat(70 * 1024)}"b":2}`;
      const model = new ScriptedModel(
        'instant',
        'model:instant',
        (body) =>
          lastIsTool(body)
            ? { content: 'The answer is 3.' }
            : { calls: [{ name: 'add', arguments: big }] },
        1000,
      );
      const started: string[] = [];
      const chunks = await collect(
        loop.stream(
          request(
            model,
            { hooks: { onToolStart: (n) => started.push(n) } },
            { stream: true, stream_options: { include_usage: true } },
          ),
        ),
      );
      expect(started).toEqual(['add']);
      expect(chunks[0].choices[0].delta.role).toBe('assistant');
      expect(text(chunks)).toBe('The answer is 3.');
      expect(
        chunks.flatMap((c) => c.choices.map((ch) => ch.finish_reason)).filter(Boolean),
      ).toEqual(['stop']);
      expect(chunks.some((c) => c.choices[0]?.delta.tool_calls)).toBe(false);
      expect(new Set(chunks.map((c) => c.id))).toEqual(new Set(['chatcmpl-1']));
      const last = chunks[chunks.length - 1];
      expect(last.choices).toEqual([]);
      expect(last.usage).toEqual({ prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 });
    });

    it('reassembles arguments of over 64 KiB split into small deltas', async () => {
      const note = 'é🌍'.repeat(40 * 1024);
      const args = JSON.stringify({ a: 1, b: 2 }).replace('}', `,"c":${JSON.stringify(note)}}`);
      // add refuses the extra property, which proves the whole argument text reached validation.
      const model = new ScriptedModel(
        'thinking',
        'model:thinking',
        (body) =>
          lastIsTool(body) ? { content: 'ok' } : { calls: [{ name: 'add', arguments: args }] },
        4096,
      );
      await collect(loop.stream(request(model, {}, { stream: true })));
      const sent = model.requests[1].messages[1].tool_calls?.[0].function.arguments;
      expect(sent?.length).toBeGreaterThan(64 * 1024);
      expect(sent).toBe(args);
      expect(JSON.parse(model.requests[1].messages[2].content as string).error).toMatch(
        /additional properties/,
      );
    });

    it('leaves out usage when the caller did not ask for it', async () => {
      const model = new ScriptedModel('instant', 'model:instant', () => ({ content: 'hi there' }));
      const chunks = await collect(loop.stream(request(model, {}, { stream: true })));
      expect(chunks.every((c) => c.choices.length > 0)).toBe(true);
    });

    it('streams a handed-back turn as tool-call chunks with finish_reason tool_calls', async () => {
      const model = new ScriptedModel('instant', 'model:instant', () => ({
        calls: [
          add(1, 2, 'call_add'),
          { name: 'get_weather', arguments: '{"city":"Paris"}', id: 'call_w' },
        ],
      }));
      const chunks = await collect(loop.stream(request(model, {}, { stream: true })));
      expect(reassemble(chunks)).toEqual([
        { id: 'call_add', name: 'add', arguments: '{"a":1,"b":2}' },
        { id: 'call_w', name: 'get_weather', arguments: '{"city":"Paris"}' },
      ]);
      // As the upstream streamed them: one delta per piece, not one gathered delta per call.
      expect(chunks.filter((c) => c.choices[0]?.delta.tool_calls).length).toBe(1 + 3 + (1 + 4));
      expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('tool_calls');
    });

    it('forwards a one-round answer exactly as the upstream sent it; dropped usage leaves its fields on the finish chunk', async () => {
      const model = new ScriptedModel('instant', 'model:instant', () => ({
        content: 'hi there',
        extra: { timings: { predicted_n: 2 } },
      }));
      const sent = rawOf(model);
      const withUsage = await collectRaw(
        loop.stream(request(model, {}, { stream: true, stream_options: { include_usage: true } })),
      );
      expect(withUsage).toEqual(sent[0]);
      const without = await collectRaw(loop.stream(request(model, {}, { stream: true })));
      const upstream = sent[1];
      expect(without.slice(0, -1)).toEqual(upstream.slice(0, -2));
      const finish = JSON.parse(without[without.length - 1]);
      expect(finish.choices[0].finish_reason).toBe('stop');
      expect(finish.timings).toEqual({ predicted_n: 2 });
      expect(finish.usage).toBeNull();
    });

    it('keeps the last round’s fields after server-side rounds, under the first round’s id', async () => {
      const model = new ScriptedModel('instant', 'model:instant', (body) =>
        lastIsTool(body)
          ? { content: 'five', extra: { timings: { predicted_n: 1 } } }
          : { calls: [add(2, 3)] },
      );
      const chunks = await collect(
        loop.stream(request(model, {}, { stream: true, stream_options: { include_usage: true } })),
      );
      const last = chunks[chunks.length - 1] as ChatCompletionChunk & { timings?: unknown };
      expect(last.timings).toEqual({ predicted_n: 1 });
      expect(last.usage?.total_tokens).toBe(30);
      expect(new Set(chunks.map((c) => c.id))).toEqual(new Set(['chatcmpl-1']));
      // One role announcement: the second round's opening chunk is not forwarded.
      expect(chunks.filter((c) => c.choices[0]?.delta.role).length).toBe(1);
    });

    it('aborts the running tool when the subscriber leaves', async () => {
      WaitTool.aborted = [];
      WaitTool.started = 0;
      const model = new ScriptedModel('instant', 'model:instant', () => ({
        calls: [{ name: 'wait', arguments: '{}' }],
      }));
      const subscription = loop
        .stream(request(model, {}, { stream: true }))
        .subscribe({ error: () => undefined });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(WaitTool.started).toBe(1);
      subscription.unsubscribe();
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(WaitTool.aborted).toHaveLength(1);
      expect((WaitTool.aborted[0] as Error).name).toBe('ClientClosedError');
    });

    it('fails the stream when the model call fails', async () => {
      const failing: LoopModel = {
        tier: 'instant',
        reason: 'model:instant',
        complete: () => Promise.reject(new Error('x')),
        stream: () => new Observable((s) => s.error(new Error('upstream broke'))),
      };
      await expect(collect(loop.stream(request(failing, {}, { stream: true })))).rejects.toThrow(
        'upstream broke',
      );
    });
  });

  describe('a turn cut off, and finish reasons (issue 12)', () => {
    /** `max_tokens` ran out in the middle of a call's arguments. */
    const cutOff = (name: string): Turn => ({
      content: 'Let me compute',
      calls: [{ name, arguments: '{"a":1,' }],
      finish: 'length',
    });

    it.each<[string, string]>([
      ['a registered tool', 'add'],
      ['the caller’s own tool', 'get_weather'],
    ])(
      'non-streaming, a call to %s: one model call, the answer as the upstream sent it',
      async (_name, tool) => {
        const model = new ScriptedModel('instant', 'model:instant', () => cutOff(tool));
        const sent: string[] = [];
        const complete = model.complete.bind(model);
        model.complete = (body) => complete(body).then((answer) => (sent.push(answer.raw), answer));
        const answer = await loop.complete(request(model));
        expect(model.requests).toHaveLength(1);
        expect(answer.rounds).toBe(0);
        expect(answer.body).toBe(sent[0]);
        expect(JSON.parse(answer.body).choices[0].finish_reason).toBe('length');
      },
    );

    it.each<[string, string]>([
      ['a registered tool', 'add'],
      ['the caller’s own tool', 'get_weather'],
    ])(
      'streaming, a call to %s: one model call, what was generated, finish_reason length',
      async (_name, tool) => {
        const model = new ScriptedModel('instant', 'model:instant', () => cutOff(tool));
        const sent = rawOf(model);
        const payloads = await collectRaw(loop.stream(request(model, {}, { stream: true })));
        expect(model.requests).toHaveLength(1);
        // Every chunk but the dropped usage chunk, byte for byte.
        expect(payloads).toEqual(sent[0].slice(0, -1));
        const chunks = payloads.map((p) => JSON.parse(p) as ChatCompletionChunk);
        expect(reassemble(chunks)).toEqual([{ id: 'call_1_0', name: tool, arguments: '{"a":1,' }]);
        expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('length');
      },
    );

    it.each<[string, Turn, string]>([
      [
        'stop with a call to the caller’s tool',
        { calls: [{ name: 'get_weather', arguments: '{}' }], finish: 'stop' },
        'stop',
      ],
      ['tool_calls without any call', { content: 'done', finish: 'tool_calls' }, 'tool_calls'],
      ['content_filter', { content: 'I can', finish: 'content_filter' }, 'content_filter'],
      ['length with text only', { content: 'I can', finish: 'length' }, 'length'],
    ])('keeps the upstream’s finish_reason: %s', async (_name, turn, expected) => {
      const model = new ScriptedModel('instant', 'model:instant', () => turn);
      const answer = await loop.complete(request(model));
      expect(JSON.parse(answer.body).choices[0].finish_reason).toBe(expected);
      const chunks = await collect(loop.stream(request(model, {}, { stream: true })));
      expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe(expected);
    });

    it.each<[string, string]>([
      ['not JSON', '{"a":1,"b"'],
      ['JSON but not an object', '[1,2]'],
    ])(
      'sends a call whose arguments are %s upstream with {} and its error result',
      async (_name, args) => {
        const model = new ScriptedModel('instant', 'model:instant', (body) =>
          lastIsTool(body) ? { content: 'sorry' } : { calls: [{ name: 'add', arguments: args }] },
        );
        await loop.complete(request(model));
        const [turn, result] = model.requests[1].messages.slice(1);
        expect(turn.tool_calls?.[0].function.arguments).toBe('{}');
        expect(JSON.parse(result.content as string).error).toMatch(/arguments/);
      },
    );

    it('sends a pending registered call of the caller’s history upstream with {} when its arguments are not JSON', async () => {
      const model = new ScriptedModel('instant', 'model:instant', () => ({ content: 'ok' }));
      const assistant: ChatMessage = {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_add', type: 'function', function: { name: 'add', arguments: '{"a":' } },
          { id: 'call_w', type: 'function', function: { name: 'get_weather', arguments: '{"c' } },
        ],
      };
      const messages: ChatMessage[] = [
        { role: 'user', content: 'hi' },
        assistant,
        { role: 'tool', tool_call_id: 'call_w', content: 'sunny' },
      ];
      await loop.complete(request(model, {}, { messages }));
      const sentTurn = model.requests[0].messages[1];
      expect(sentTurn.tool_calls?.map((c) => c.function.arguments)).toEqual(['{}', '{"c']);
      // The caller's own objects are not changed.
      expect(assistant.tool_calls?.[0].function.arguments).toBe('{"a":');
    });
  });
});

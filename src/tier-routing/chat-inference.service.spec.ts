import { lastValueFrom, of, throwError, toArray } from 'rxjs';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest } from '../common/openai';
import type { SseResponseWriter } from '../common/sse';
import type { TierConfig } from '../config';
import type { ToolRegistry } from '../tools';
import { ChatCompletionsService } from './chat-completions.service';
import { ChatInferenceService } from './chat-inference.service';
import type { InferenceExchange } from './inference-responder';
import type { RouteDecision, TierRouterService } from './tier-router.service';
import type { ToolLoopResponder } from './tool-loop-responder';

const USAGE = { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 };

function answer(model: string): ChatCompletion {
  return {
    id: 'c',
    object: 'chat.completion',
    created: 1,
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: '<think>hm</think>Hi' },
        finish_reason: 'stop',
      },
    ],
    usage: USAGE,
  };
}

function chunks(model: string): { raw: string; chunk: ChatCompletionChunk }[] {
  return [
    { index: 0, delta: { role: 'assistant' as const, content: 'Hi' }, finish_reason: null },
    { index: 0, delta: {}, finish_reason: 'stop' },
  ]
    .map((choice) => ({ choices: [choice] }))
    .concat([{ choices: [], usage: USAGE } as never])
    .map((fields) => {
      const chunk = {
        id: 'c',
        object: 'chat.completion.chunk',
        created: 1,
        model,
        ...fields,
      } as ChatCompletionChunk;
      return { raw: JSON.stringify(chunk), chunk };
    });
}

function route(tier: 'instant' | 'thinking', pool: object): RouteDecision {
  return {
    tier,
    reason: `model:${tier}`,
    config: { model: `sim-${tier}`, timeouts: {}, reasoning: 'passthrough' } as TierConfig,
    pool,
  } as unknown as RouteDecision;
}

function setUp(options: { loops?: boolean; failFirst?: boolean } = {}) {
  const refused = Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
  const instantPool = {
    chat: options.failFirst
      ? jest.fn().mockRejectedValue(refused)
      : jest.fn().mockResolvedValue({ raw: '{}', value: answer('sim-instant') }),
    chatStream: jest
      .fn()
      .mockReturnValue(
        options.failFirst ? throwError(() => refused) : of(...chunks('sim-instant')),
      ),
  };
  const thinkingPool = {
    chat: jest
      .fn()
      .mockImplementation(() => Promise.resolve({ raw: '{}', value: answer('sim-thinking') })),
    chatStream: jest.fn().mockReturnValue(of(...chunks('sim-thinking'))),
  };
  const instant = route('instant', instantPool);
  const thinking = route('thinking', thinkingPool);
  const router = {
    route: jest.fn().mockResolvedValue(instant),
    fallbackAfter: jest.fn((_route: RouteDecision, error: unknown) =>
      error === refused ? thinking : undefined,
    ),
  };
  const toolLoop = {
    applies: jest.fn().mockReturnValue(options.loops === true),
    complete: jest.fn().mockResolvedValue(JSON.stringify(answer('loop'))),
    stream: jest.fn().mockReturnValue(of(...chunks('loop').map((c) => c.raw))),
  };
  const registry = { warnAboutUnknownNames: jest.fn() };
  const exchange = {
    request: { id: 'req-1' },
    admission: {
      caller: { policy: { allowedTools: undefined } },
      addUsage: jest.fn(),
      addStreamed: jest.fn(),
    },
    telemetry: undefined,
    signal: new AbortController().signal,
    confine: jest.fn((routed: RouteDecision) => routed),
    rerouted: jest.fn(),
  } as unknown as InferenceExchange;
  const writer = { gate: undefined } as unknown as SseResponseWriter;
  const service = new ChatInferenceService(
    router as unknown as TierRouterService,
    new ChatCompletionsService(),
    registry as unknown as ToolRegistry,
    toolLoop as unknown as ToolLoopResponder,
  );
  return { service, router, toolLoop, exchange, writer, instantPool, thinkingPool, registry };
}

const body: ChatCompletionRequest = {
  model: 'instant',
  messages: [{ role: 'user', content: 'x' }],
};

describe('ChatInferenceService (the fronts’ seam)', () => {
  it('complete: routes, confines, calls the pool and answers the parsed completion, reasoning normalised', async () => {
    const { service, router, exchange, instantPool, registry } = setUp();
    const completion = await service.complete(exchange, { ...body, stream: true });
    expect(router.route).toHaveBeenCalledWith(expect.objectContaining({ model: 'instant' }));
    expect(exchange.confine).toHaveBeenCalledWith(
      expect.objectContaining({ tier: 'instant' }),
      false,
    );
    expect(registry.warnAboutUnknownNames).toHaveBeenCalled();
    expect(instantPool.chat.mock.calls[0][0]).toMatchObject({
      model: 'sim-instant',
      stream: false,
    });
    expect(completion.choices[0].message).toMatchObject({ content: 'Hi', reasoning_content: 'hm' });
    expect(exchange.admission.addUsage).toHaveBeenCalledWith(USAGE);
  });

  it('complete: falls back to the other tier when the routed pool has no replica', async () => {
    const { service, exchange, thinkingPool } = setUp({ failFirst: true });
    const completion = await service.complete(exchange, body);
    expect(completion.model).toBe('sim-thinking');
    expect(thinkingPool.chat).toHaveBeenCalled();
    expect(exchange.rerouted).toHaveBeenCalledWith(
      expect.objectContaining({ tier: 'thinking' }),
      'sim-thinking',
    );
  });

  it('complete: runs the tool loop when the request offers a registered tool', async () => {
    const { service, exchange, toolLoop, instantPool } = setUp({ loops: true });
    const completion = await service.complete(exchange, body);
    expect(completion.model).toBe('loop');
    expect(toolLoop.complete).toHaveBeenCalled();
    expect(instantPool.chat).not.toHaveBeenCalled();
  });

  it('stream: routes on subscription and emits parsed chunks, the usage chunk included', async () => {
    const { service, router, exchange, writer, instantPool } = setUp();
    const stream = service.stream(exchange, body, writer);
    expect(router.route).not.toHaveBeenCalled();
    const received = await lastValueFrom(stream.pipe(toArray()));
    expect(received.map((c) => c.model)).toEqual(['sim-instant', 'sim-instant', 'sim-instant']);
    expect(received.at(-1)!.usage).toEqual(USAGE);
    expect(instantPool.chatStream.mock.calls[0][0]).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(exchange.confine).toHaveBeenCalledWith(expect.anything(), true);
    expect(exchange.admission.addStreamed).toHaveBeenCalledTimes(3);
    expect(exchange.admission.addUsage).toHaveBeenCalledWith(USAGE);
  });

  it('stream: falls back before the first chunk', async () => {
    const { service, exchange, writer } = setUp({ failFirst: true });
    const received = await lastValueFrom(service.stream(exchange, body, writer).pipe(toArray()));
    expect(received[0].model).toBe('sim-thinking');
  });

  it('stream: a routing failure is the stream’s error (before anything was sent)', async () => {
    const { service, router, exchange, writer } = setUp();
    router.route.mockRejectedValue(new Error('no such model'));
    await expect(lastValueFrom(service.stream(exchange, body, writer))).rejects.toThrow(
      'no such model',
    );
  });

  it('stream: the tool loop’s payloads come back as chunk objects', async () => {
    const { service, exchange, writer, toolLoop } = setUp({ loops: true });
    const received = await lastValueFrom(service.stream(exchange, body, writer).pipe(toArray()));
    expect(received.map((c) => c.model)).toEqual(['loop', 'loop', 'loop']);
    expect(toolLoop.stream.mock.calls[0][1]).toMatchObject({
      stream_options: { include_usage: true },
    });
  });

  it('completeText / streamText: the upstream’s text for the chat fast path', async () => {
    const { service, exchange, writer, instantPool } = setUp();
    instantPool.chat.mockResolvedValue({
      raw: '{"as":"sent"}',
      value: { ...answer('sim-instant'), choices: [] },
    });
    const routed = await service.route(exchange, body);
    await expect(service.completeText(exchange, body, routed)).resolves.toBe('{"as":"sent"}');
    const payloads = await lastValueFrom(
      service.streamText(exchange, body, routed, writer).pipe(toArray()),
    );
    // The caller did not ask for usage: the usage chunk is dropped on chat's path.
    expect(payloads).toEqual(
      chunks('sim-instant')
        .slice(0, 2)
        .map((c) => c.raw),
    );
    // Every chunk is charged as it streams, the dropped usage chunk included; its usage counts.
    expect(exchange.admission.addStreamed).toHaveBeenCalledTimes(3);
    expect(exchange.admission.addUsage).toHaveBeenCalledWith(USAGE);
  });
});

import { ErrorCode, GatewayException } from '../common/errors';
import type { ChatMessage } from '../common/openai';
import type { TierName } from '../config';
import { ROOT_CONTEXT, TraceFlags, trace, type Context } from '@opentelemetry/api';
import type {
  ClassificationInput,
  TierClassifier,
  TierVerdict,
} from './classifiers/tier-classifier.interface';
import { estimatePromptTokens } from '../common/tokens';
import { ModelCatalogService } from './model-catalog.service';
import { TierRouterService, type RouteDecision, type RouteRequest } from './tier-router.service';

/**
 * The routing policy, table-driven, through the router's public methods only: explicit model and
 * aliases, the classifier for `auto`, fallback and spill by pool state (ADR 0006), context fit and
 * truncation, the call-time fallback and the key's tier confinement.
 */

interface PoolState {
  available: boolean;
  serving: boolean;
  saturated: boolean;
}

const UP: PoolState = { available: true, serving: true, saturated: false };
const DOWN: PoolState = { available: false, serving: false, saturated: false };
/** Every replica ejected: not available, still serving. */
const EJECTED: PoolState = { available: false, serving: true, saturated: false };
const FULL: PoolState = { available: true, serving: true, saturated: true };

const conversation = (turns: number, size = 400): ChatMessage[] => [
  { role: 'system', content: 'Be brief.' },
  ...Array.from({ length: turns }, (_, i): ChatMessage[] => [
    { role: 'user', content: `question ${i} ${'x'.repeat(size)}` },
    { role: 'assistant', content: `answer ${i} ${'y'.repeat(size)}` },
  ]).flat(),
  { role: 'user', content: 'And now?' },
];

const LONG = conversation(6);
const LONG_TOKENS = estimatePromptTokens(LONG);

interface Setup {
  pools?: Partial<Record<TierName, PoolState>>;
  tiers?: Partial<
    Record<TierName, { fallback?: boolean; spill?: boolean; contextWindow?: number }>
  >;
  verdict?: TierVerdict | null;
  /** The window each tier's replicas report in `/v1/models` (model discovery). */
  discovered?: Partial<Record<TierName, number>>;
}

function setUp({ pools = {}, tiers = {}, verdict = null, discovered = {} }: Setup = {}) {
  const tier = (name: TierName, model: string) => ({
    name,
    pool: `${name}-pool`,
    model,
    reasoning: 'passthrough',
    timeouts: { requestMs: 1000 },
    fallback: false,
    spill: false,
    ...tiers[name],
  });
  const config = {
    tiers: Object.fromEntries(
      (['instant', 'thinking'] as const)
        .filter((name) => name in tiers || Object.keys(tiers).length === 0)
        .map((name) => [name, tier(name, name === 'instant' ? 'qwen-7b' : 'qwq-32b')]),
    ),
    aliases: {
      'gpt-4o-mini': { tier: 'instant', truncate: 'none' },
      'chat-long': { tier: 'instant', truncate: 'oldest' },
    },
    routing: { defaultModel: 'auto', defaultTier: 'instant' },
  };
  const poolObjects = new Map(
    (['instant', 'thinking'] as const).map((name) => [
      `${name}-pool`,
      {
        name: `${name}-pool`,
        retryAfterSeconds: 7,
        contextWindow: () => discovered[name],
        ...(pools[name] ?? UP),
      },
    ]),
  );
  const classifier: TierClassifier = { name: 'fake', classify: jest.fn(() => verdict) } as never;
  const metrics = { countDecision: jest.fn() };
  const router = new TierRouterService(
    new ModelCatalogService(config as never),
    { get: (name: string) => poolObjects.get(name) } as never,
    classifier,
    metrics as never,
    config as never,
  );
  return { router, metrics, classifier, pool: (tier: TierName) => poolObjects.get(`${tier}-pool`) };
}

const ask = (model: string | undefined, fields: Partial<RouteRequest> = {}): RouteRequest => ({
  model,
  messages: [{ role: 'user', content: 'Hello?' }],
  ...fields,
});

/** The observable outcome of a routing call: where it went and why, or the error it answered. */
async function outcome(
  run: Promise<RouteDecision>,
): Promise<{ tier: string; reason: string } | { error: string; status: number }> {
  try {
    const decision = await run;
    return { tier: decision.tier, reason: decision.reason };
  } catch (error) {
    if (!(error instanceof GatewayException)) throw error;
    return { error: error.code, status: error.status };
  }
}

const THINKING_VERDICT: TierVerdict = {
  tier: 'thinking',
  reason: 'classifier:learned:0.91',
  score: 0.91,
};
const INSTANT_VERDICT: TierVerdict = {
  tier: 'instant',
  reason: 'classifier:rules:0.80',
  score: 0.8,
};

describe('TierRouterService.route', () => {
  describe('which tier, and why', () => {
    it.each<[string, Setup, RouteRequest, object]>([
      ['an explicit tier', {}, ask('thinking'), { tier: 'thinking', reason: 'model:thinking' }],
      ["a pool's own model id", {}, ask('qwen-7b'), { tier: 'instant', reason: 'model:qwen-7b' }],
      ['an alias', {}, ask('gpt-4o-mini'), { tier: 'instant', reason: 'alias:gpt-4o-mini' }],
      [
        'auto: the classifier',
        { verdict: THINKING_VERDICT },
        ask('auto'),
        { tier: 'thinking', reason: 'classifier:learned:0.91' },
      ],
      [
        'no model: the default model (auto)',
        { verdict: INSTANT_VERDICT },
        ask(undefined),
        { tier: 'instant', reason: 'classifier:rules:0.80' },
      ],
      [
        'auto with no verdict: the default tier',
        { verdict: null },
        ask('auto'),
        { tier: 'instant', reason: 'default' },
      ],
      [
        'auto with one tier configured: that tier, said as a fallback',
        { verdict: THINKING_VERDICT, tiers: { instant: {} } },
        ask('auto'),
        { tier: 'instant', reason: 'fallback:thinking->instant' },
      ],
      ['an unknown model: 404', {}, ask('gpt-5'), { error: ErrorCode.ModelNotFound, status: 404 }],
    ])('%s', async (_, setup, request, expected) => {
      const { router, metrics } = setUp(setup);
      const result = await outcome(router.route(request));
      expect(result).toEqual(expected);
      if ('tier' in result)
        expect(metrics.countDecision).toHaveBeenCalledWith(result.tier, result.reason);
    });

    it('keeps the name asked for, the score and the pool and config of the tier', async () => {
      const { router, pool } = setUp({ verdict: THINKING_VERDICT });
      const decision = await router.route(ask('auto'));
      expect(decision).toEqual(
        expect.objectContaining({
          requested: 'auto',
          score: 0.91,
          pool: pool('thinking'),
          config: expect.objectContaining({ model: 'qwq-32b' }),
        }),
      );
      expect(decision.truncated).toBeUndefined();
    });

    it.each<[string, TierVerdict | Promise<TierVerdict>]>([
      ['a synchronous verdict', THINKING_VERDICT],
      ['a verdict that waited (the semantic step)', Promise.resolve(THINKING_VERDICT)],
    ])(
      'gives the classifier the conversation, the hint and the route span as the parent of its calls: %s',
      async (_, answer) => {
        const { router, classifier } = setUp();
        const seen: ClassificationInput[] = [];
        (classifier.classify as jest.Mock).mockImplementation((input: ClassificationInput) => {
          seen.push(input);
          return answer;
        });
        const requestSpan = trace.wrapSpanContext({
          traceId: 'a'.repeat(32),
          spanId: 'b'.repeat(16),
          traceFlags: TraceFlags.SAMPLED,
        });
        const tools = [{ type: 'function' as const, function: { name: 'f' } }];
        const request = ask('auto', {
          tools,
          reasoningEffort: 'high',
          traceContext: trace.setSpan(ROOT_CONTEXT, requestSpan),
        });
        const decision = await router.route(request);
        expect(decision).toEqual(expect.objectContaining({ tier: 'thinking', score: 0.91 }));
        const [input] = seen;
        expect(input).toEqual(
          expect.objectContaining({
            messages: request.messages,
            tools,
            reasoningEffort: 'high',
          }),
        );
        // The route span (a child of the request's), not the request's own span.
        const parent = trace.getSpan(input.traceContext as Context);
        expect(parent).toBeDefined();
        expect(parent).not.toBe(requestSpan);
        expect(parent?.spanContext().traceId).toBe('a'.repeat(32));
        expect(input.traceContext).toBe(input.traceContext);
      },
    );
  });

  describe('fallback and spill by pool state (ADR 0006)', () => {
    it.each<[string, Setup, RouteRequest, object]>([
      [
        'a tier with no healthy replica falls back when its fallback allows',
        { pools: { instant: DOWN }, tiers: { instant: { fallback: true }, thinking: {} } },
        ask('instant'),
        { tier: 'thinking', reason: 'fallback:instant->thinking' },
      ],
      [
        'fallback applies to auto too',
        {
          pools: { thinking: EJECTED },
          tiers: { instant: {}, thinking: { fallback: true } },
          verdict: THINKING_VERDICT,
        },
        ask('auto'),
        { tier: 'instant', reason: 'fallback:thinking->instant' },
      ],
      [
        'no fallback configured: ejected replicas still get the requests',
        { pools: { instant: EJECTED } },
        ask('instant'),
        { tier: 'instant', reason: 'model:instant' },
      ],
      [
        'no fallback configured, nothing serving: 503 tier_unavailable',
        { pools: { instant: DOWN } },
        ask('instant'),
        { error: ErrorCode.TierUnavailable, status: 503 },
      ],
      [
        'fallback allowed but the other tier is down too, own replicas ejected: stays',
        {
          pools: { instant: EJECTED, thinking: DOWN },
          tiers: { instant: { fallback: true }, thinking: {} },
        },
        ask('instant'),
        { tier: 'instant', reason: 'model:instant' },
      ],
      [
        'fallback allowed but nothing serves either tier: 503',
        {
          pools: { instant: DOWN, thinking: DOWN },
          tiers: { instant: { fallback: true }, thinking: {} },
        },
        ask('instant'),
        { error: ErrorCode.TierUnavailable, status: 503 },
      ],
      [
        'a saturated tier spills auto traffic when its spill allows',
        {
          pools: { instant: FULL },
          tiers: { instant: { spill: true }, thinking: {} },
          verdict: INSTANT_VERDICT,
        },
        ask('auto'),
        { tier: 'thinking', reason: 'spill:instant->thinking' },
      ],
      [
        'an explicit model never spills',
        { pools: { instant: FULL }, tiers: { instant: { spill: true }, thinking: {} } },
        ask('instant'),
        { tier: 'instant', reason: 'model:instant' },
      ],
      [
        'no spill into a tier that is saturated too',
        {
          pools: { instant: FULL, thinking: FULL },
          tiers: { instant: { spill: true }, thinking: {} },
          verdict: INSTANT_VERDICT,
        },
        ask('auto'),
        { tier: 'instant', reason: 'classifier:rules:0.80' },
      ],
      [
        'no spill when spill is off',
        { pools: { instant: FULL }, verdict: INSTANT_VERDICT },
        ask('auto'),
        { tier: 'instant', reason: 'classifier:rules:0.80' },
      ],
    ])('%s', async (_, setup, request, expected) => {
      const { router } = setUp(setup);
      await expect(outcome(router.route(request))).resolves.toEqual(expected);
    });

    it('says when to retry on 503', async () => {
      const { router } = setUp({ pools: { instant: DOWN } });
      const error = await router.route(ask('instant')).catch((e: unknown) => e);
      expect((error as GatewayException).headers).toEqual({ 'retry-after': '7' });
    });
  });

  describe('context fit', () => {
    it.each<[string, Setup, object]>([
      [
        'a discovered window is checked like a configured one',
        { discovered: { instant: LONG_TOKENS - 1, thinking: 4 * LONG_TOKENS } },
        { tier: 'thinking', reason: 'context:instant->thinking' },
      ],
      [
        'a configured window wins over the discovered one',
        {
          tiers: { instant: { contextWindow: 4 * LONG_TOKENS }, thinking: {} },
          discovered: { instant: LONG_TOKENS - 1 },
        },
        { tier: 'instant', reason: 'model:instant' },
      ],
      [
        'discovered everywhere and too small: left to the upstream’s own 400',
        { discovered: { instant: 10, thinking: 10 } },
        { tier: 'instant', reason: 'model:instant' },
      ],
    ])('%s', async (_, setup, expected) => {
      const { router } = setUp(setup);
      await expect(outcome(router.route(ask('instant', { messages: LONG })))).resolves.toEqual(
        expected,
      );
    });

    const windows = (instant?: number, thinking?: number): Setup['tiers'] => ({
      instant: { contextWindow: instant },
      thinking: { contextWindow: thinking },
    });

    it.each<[string, Setup['tiers'], RouteRequest, object]>([
      [
        'no window configured: not checked',
        windows(),
        ask('instant', { messages: LONG }),
        { tier: 'instant', reason: 'model:instant' },
      ],
      [
        'fits the window exactly',
        windows(LONG_TOKENS),
        ask('instant', { messages: LONG }),
        { tier: 'instant', reason: 'model:instant' },
      ],
      [
        'too long for its tier, fits the other: moved, and said so',
        windows(LONG_TOKENS - 1, 4 * LONG_TOKENS),
        ask('instant', { messages: LONG }),
        { tier: 'thinking', reason: 'context:instant->thinking' },
      ],
      [
        'the completion budget counts',
        windows(LONG_TOKENS + 100, 4 * LONG_TOKENS),
        ask('instant', { messages: LONG, maxTokens: 101 }),
        { tier: 'thinking', reason: 'context:instant->thinking' },
      ],
      [
        'fits nowhere, no truncation: 400 context_length_exceeded',
        windows(LONG_TOKENS - 1, LONG_TOKENS - 1),
        ask('instant', { messages: LONG }),
        { error: ErrorCode.ContextLengthExceeded, status: 400 },
      ],
      [
        'fits nowhere, an alias without truncation: 400',
        windows(LONG_TOKENS - 1),
        ask('gpt-4o-mini', { messages: LONG }),
        { error: ErrorCode.ContextLengthExceeded, status: 400 },
      ],
      [
        'fits nowhere, an alias that truncates: kept on its tier',
        windows(Math.floor(LONG_TOKENS / 2)),
        ask('chat-long', { messages: LONG }),
        { tier: 'instant', reason: 'alias:chat-long' },
      ],
      [
        'truncation cannot help when the last turn alone is too long: 400',
        windows(5),
        ask('chat-long', { messages: LONG }),
        { error: ErrorCode.ContextLengthExceeded, status: 400 },
      ],
    ])('%s', async (_, tiers, request, expected) => {
      const { router } = setUp({ tiers });
      await expect(outcome(router.route(request))).resolves.toEqual(expected);
    });

    it('truncation drops the oldest turns, keeps the system message and the last turn, and says how many', async () => {
      const window = Math.floor(LONG_TOKENS / 2);
      const { router } = setUp({ tiers: windows(window) });
      const { truncated } = await router.route(ask('chat-long', { messages: LONG }));
      expect(truncated).toBeDefined();
      const { messages, dropped } = truncated!;
      expect(dropped).toBeGreaterThan(0);
      expect(messages).toHaveLength(LONG.length - dropped);
      expect(messages[0]).toBe(LONG[0]);
      expect(messages.at(-1)).toBe(LONG.at(-1));
      expect(messages.slice(1)).toEqual(LONG.slice(1 + dropped));
      expect(estimatePromptTokens(messages)).toBeLessThanOrEqual(window);
    });

    it('fitted messages leave room for the completion budget', async () => {
      const window = Math.floor(LONG_TOKENS / 2);
      const { router } = setUp({ tiers: windows(window) });
      const plain = await router.route(ask('chat-long', { messages: LONG }));
      const budgeted = await router.route(ask('chat-long', { messages: LONG, maxTokens: 300 }));
      expect(budgeted.truncated!.dropped).toBeGreaterThan(plain.truncated!.dropped);
      expect(estimatePromptTokens(budgeted.truncated!.messages) + 300).toBeLessThanOrEqual(window);
    });
  });
});

describe('TierRouterService.fallbackAfter (call time) and key confinement', () => {
  const unavailable = new GatewayException(ErrorCode.TierUnavailable, 'no replica');
  const anyTier = (): boolean => true;

  async function routed(setup: Setup) {
    const context = setUp(setup);
    const route = await context.router.route(ask('instant'));
    return { ...context, route };
  }

  it('moves to the other tier when fallback allows, the other serves and the key may use it', async () => {
    const { router, route, pool, metrics } = await routed({
      tiers: { instant: { fallback: true }, thinking: {} },
    });
    Object.assign(pool('instant')!, DOWN);
    const moved = router.fallbackAfter(route, unavailable, anyTier);
    expect(moved).toEqual(
      expect.objectContaining({
        tier: 'thinking',
        reason: 'fallback:instant->thinking',
        pool: pool('thinking'),
      }),
    );
    expect(metrics.countDecision).toHaveBeenLastCalledWith(
      'thinking',
      'fallback:instant->thinking',
    );
  });

  it.each<[string, Setup, unknown, (tier: TierName) => boolean, PoolState]>([
    [
      'not when the key is confined to the routed tier',
      { tiers: { instant: { fallback: true }, thinking: {} } },
      unavailable,
      (tier) => tier === 'instant',
      DOWN,
    ],
    [
      'not for any other error',
      { tiers: { instant: { fallback: true }, thinking: {} } },
      new GatewayException(ErrorCode.ContextLengthExceeded, 'x'),
      anyTier,
      DOWN,
    ],
    [
      'not for a plain error',
      { tiers: { instant: { fallback: true }, thinking: {} } },
      new Error('boom'),
      anyTier,
      DOWN,
    ],
    ['not when fallback is off', {}, unavailable, anyTier, DOWN],
    [
      'not while the routed pool is available again',
      { tiers: { instant: { fallback: true }, thinking: {} } },
      unavailable,
      anyTier,
      UP,
    ],
    [
      'not when the other tier is down',
      { pools: { thinking: DOWN }, tiers: { instant: { fallback: true }, thinking: {} } },
      unavailable,
      anyTier,
      DOWN,
    ],
    [
      'not when the other tier is not configured',
      { tiers: { instant: { fallback: true } } },
      unavailable,
      anyTier,
      DOWN,
    ],
  ])('%s', async (_, setup, error, allowed, nowInstant) => {
    const { router, route, pool } = await routed(setup);
    Object.assign(pool('instant')!, nowInstant);
    expect(router.fallbackAfter(route, error, allowed)).toBeUndefined();
  });
});

describe('TierRouterService.routeTo (the tool loop’s escalation)', () => {
  it('decides for a configured tier with the given reason, and counts it', () => {
    const { router, metrics, pool } = setUp();
    expect(router.routeTo('thinking', 'escalated:tools')).toEqual(
      expect.objectContaining({
        tier: 'thinking',
        reason: 'escalated:tools',
        pool: pool('thinking'),
      }),
    );
    expect(metrics.countDecision).toHaveBeenCalledWith('thinking', 'escalated:tools');
  });

  it('answers nothing for a tier that is not configured', () => {
    const { router } = setUp({ tiers: { instant: {} } });
    expect(router.routeTo('thinking', 'escalated:tools')).toBeUndefined();
  });
});

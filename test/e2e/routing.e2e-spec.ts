import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chat, expectErrorEnvelope, postJson, startStack, type Stack } from './harness';

const HARD =
  'Prove that there are infinitely many prime numbers p such that p ≡ 3 (mod 4). Give a complete, rigorous argument.';
const EASY = 'Translate "good morning, my friend" into French.';

function yamlFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tiergate-routing-'));
  const path = join(dir, 'gateway.yaml');
  writeFileSync(path, text);
  return path;
}

describe('auto routing: the classifier decides, hints and explicit models win (issue 3)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.instant.reset();
    stack.thinking.reset();
  });

  it.each([
    [HARD, 'thinking'],
    [
      'A bat and a ball cost $1.10 in total. The bat costs $1.00 more than the ball. Three friends buy 7 bats and 4 balls and split the bill equally; how much does each pay? Show each step.',
      'thinking',
    ],
    [
      'Write a Python function that returns the longest palindromic substring of a string in O(n^2) time, and explain why it is correct.',
      'thinking',
    ],
    [EASY, 'instant'],
    ['Hi there! How are you today?', 'instant'],
    ['What is the capital of Australia?', 'instant'],
  ])('%s → %s, and the simulator of that tier received it', async (prompt, tier) => {
    const res = await postJson(`${stack.url}/v1/chat/completions`, chat(prompt, { model: 'auto' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-tier')).toBe(tier);
    expect(res.headers.get('x-gateway-route-reason')).toMatch(
      /^classifier:(learned|rules):\d\.\d\d$/,
    );
    const chosen = tier === 'thinking' ? stack.thinking : stack.instant;
    const other = tier === 'thinking' ? stack.instant : stack.thinking;
    expect(chosen.requests()).toHaveLength(1);
    expect(other.requests()).toHaveLength(0);
  });

  it('POST /v1/route explains the same decision without calling any model', async () => {
    for (const prompt of [HARD, EASY]) {
      const explained = await postJson(`${stack.url}/v1/route`, chat(prompt, { model: 'auto' }));
      expect(explained.status).toBe(200);
      const routed = await postJson(
        `${stack.url}/v1/chat/completions`,
        chat(prompt, { model: 'auto' }),
      );
      expect(explained.body.tier).toBe(routed.headers.get('x-gateway-tier'));
      expect(explained.body.reason).toBe(routed.headers.get('x-gateway-route-reason'));
      expect(explained.body.steps.length).toBeGreaterThan(0);
      expect(explained.body.features.length).toBeGreaterThan(0);
      for (const feature of explained.body.features) {
        expect(feature).toEqual({
          name: expect.any(String),
          value: expect.any(Number),
          contribution: expect.any(Number),
        });
      }
    }
    // Two chat requests reached the upstreams; the two explanations did not.
    expect(stack.instant.requests().length + stack.thinking.requests().length).toBe(2);
  });

  it('POST /v1/route needs a key and validates the body like chat does', async () => {
    const anonymous = await postJson(`${stack.url}/v1/route`, chat(EASY), {
      'content-type': 'application/json',
    });
    expect(anonymous.status).toBe(401);
    const invalid = await postJson(`${stack.url}/v1/route`, { model: 'auto' });
    expect(invalid.status).toBe(400);
    expectErrorEnvelope(invalid.body, 'invalid_request_error');
    expect(invalid.body.error.param).toBe('messages');
  });

  it('POST /v1/route reports an explicit model as the deciding step', async () => {
    const res = await postJson(`${stack.url}/v1/route`, chat(EASY, { model: 'thinking' }));
    expect(res.body.tier).toBe('thinking');
    expect(res.body.reason).toBe('model:thinking');
  });

  it('the reasoning_effort hint beats the classifier; an explicit model beats both', async () => {
    const hinted = await postJson(
      `${stack.url}/v1/chat/completions`,
      chat(HARD, { model: 'auto', reasoning_effort: 'low' }),
    );
    expect(hinted.headers.get('x-gateway-tier')).toBe('instant');
    expect(hinted.headers.get('x-gateway-route-reason')).toBe('hint:reasoning_effort');
    const explicit = await postJson(
      `${stack.url}/v1/chat/completions`,
      chat(EASY, { model: 'thinking', reasoning_effort: 'low' }),
    );
    expect(explicit.headers.get('x-gateway-tier')).toBe('thinking');
    expect(explicit.headers.get('x-gateway-route-reason')).toBe('model:thinking');
  });

  it('a short follow-up in a conversation that was hard stays on thinking', async () => {
    const res = await postJson(`${stack.url}/v1/chat/completions`, {
      model: 'auto',
      messages: [
        { role: 'user', content: HARD },
        {
          role: 'assistant',
          content:
            'Suppose there are finitely many such primes p1, …, pk. Consider N = 4·p1⋯pk − 1 …',
        },
        { role: 'user', content: 'why?' },
      ],
    });
    expect(res.headers.get('x-gateway-tier')).toBe('thinking');
  });

  it('counts decisions in /metrics by tier and deciding step', async () => {
    await postJson(`${stack.url}/v1/chat/completions`, chat(HARD, { model: 'auto' }));
    const text = await (await fetch(`${stack.url}/metrics`)).text();
    expect(text).toMatch(
      /tiergate_route_decisions_total\{tier="thinking",reason="classifier:(learned|rules)"\} [1-9]/,
    );
  });
});

describe('context fit: window per tier, move, truncate or 400 (issue 3)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      env: {
        GATEWAY_CONFIG: yamlFile(
          [
            'tiers:',
            '  instant: { context_window: 200 }',
            '  thinking: { context_window: 400 }',
            'aliases:',
            '  chat-trimmed: { tier: instant, truncate: oldest }',
            '',
          ].join('\n'),
        ),
      },
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.instant.reset();
    stack.thinking.reset();
  });

  // About 4 characters per token: 1,000 characters are about 250 tokens.
  const long = 'word '.repeat(200);

  it('a request too long for its tier goes to the other tier when it fits there', async () => {
    const res = await postJson(
      `${stack.url}/v1/chat/completions`,
      chat(long, { model: 'instant' }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-tier')).toBe('thinking');
    expect(res.headers.get('x-gateway-route-reason')).toBe('context:instant->thinking');
    expect(stack.thinking.requests()).toHaveLength(1);
  });

  it('max_tokens counts against the window', async () => {
    const res = await postJson(
      `${stack.url}/v1/chat/completions`,
      chat('short question', { model: 'instant', max_tokens: 300 }),
    );
    expect(res.headers.get('x-gateway-route-reason')).toBe('context:instant->thinking');
  });

  it('400 context_length_exceeded when no tier can hold it, and nothing is sent upstream', async () => {
    const res = await postJson(
      `${stack.url}/v1/chat/completions`,
      chat(long.repeat(3), { model: 'instant' }),
    );
    expect(res.status).toBe(400);
    expectErrorEnvelope(res.body, 'invalid_request_error', 'context_length_exceeded');
    expect(res.body.error.message).toMatch(/maximum context length is 200 tokens/);
    expect(stack.instant.requests().length + stack.thinking.requests().length).toBe(0);
  });

  it('an alias with truncate: oldest drops the oldest turns, says so, and keeps the last turn', async () => {
    const messages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: long },
      { role: 'assistant', content: long },
      { role: 'user', content: long },
      { role: 'assistant', content: 'ok' },
      { role: 'user', content: 'and the last question?' },
    ];
    const res = await postJson(`${stack.url}/v1/chat/completions`, {
      model: 'chat-trimmed',
      messages,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-tier')).toBe('instant');
    expect(Number(res.headers.get('x-gateway-truncated-messages'))).toBeGreaterThan(0);
    const sent = (
      stack.instant.requests()[0].body as { messages: Array<{ role: string; content: string }> }
    ).messages;
    expect(sent[0]).toEqual({ role: 'system', content: 'Be brief.' });
    expect(sent[sent.length - 1]).toEqual({ role: 'user', content: 'and the last question?' });
    expect(sent.length).toBeLessThan(messages.length);
  });

  it('without a truncate policy, nothing is ever dropped', async () => {
    const res = await postJson(
      `${stack.url}/v1/chat/completions`,
      chat(long.repeat(3), { model: 'auto' }),
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('x-gateway-truncated-messages')).toBeNull();
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authHeaders, chat, postJson, startStack, TEST_KEY, withSim, type Stack } from './harness';

/*
 * Issue 13, the tools half: one request cannot end the process or take it over (findings 0 and
 * 1), and the tools that run code or keep state are off unless configured (finding 14). The real
 * app on a real port, the simulator scripted (x_sim) to emit the hostile tool calls.
 */

function yamlFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tiergate-tools-hardening-')), 'gateway.yaml');
  writeFileSync(file, text);
  return file;
}

const byName = (...names: string[]) =>
  names.map((name) => ({ type: 'function' as const, function: { name } }));
const call = (name: string, args: unknown) => ({ name, arguments: JSON.stringify(args) });

/** The `tool` messages the thinking upstream received in its `n`-th request. */
function toolMessages(stack: Stack, n: number): { tool_call_id: string; content: string }[] {
  const body = stack.thinking.requests()[n].body as {
    messages: { role: string; tool_call_id: string; content: string }[];
  };
  return body.messages.filter((m) => m.role === 'tool');
}

// The bombs, and a matrix whose worker runs out of memory near the 2 s time limit,
// which is when an unhandled 'error' of a terminated thread used to end the process.
const CALCULATOR_BOMBS = [
  'sum(1:5000000)',
  'sum(1:2000000)',
  'prod(1:3000000)',
  'zeros(4000, 4000)',
];
const SCRIPT_BOMB = 'const hoard = []; for (;;) hoard.push(new Array(1e6).fill(1));';

describe('tools under hostile calls (issue 13)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      env: {
        GATEWAY_CONFIG: yamlFile(`
tools:
  timeout_ms: 20000
  max_calls_per_round: 200
  max_calls_per_request: 200
  sandbox: { max_workers: 4, queue_timeout_ms: 20000 }
  builtin:
    run_javascript: { enabled: true }
`),
      },
    });
  }, 30_000);
  afterAll(() => stack.close());
  beforeEach(() => stack.thinking.reset());

  it('survives calculator and run_javascript bombs, answering each with a tool error', async () => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const answers = await Promise.all([
        ...CALCULATOR_BOMBS.map((expression) =>
          postJson(
            `${stack.url}/v1/chat/completions`,
            withSim(chat('compute', { model: 'thinking', tools: byName('calculator') }), {
              tool_calls: [call('calculator', { expression })],
            }),
          ),
        ),
        postJson(
          `${stack.url}/v1/chat/completions`,
          withSim(chat('run', { model: 'thinking', tools: byName('run_javascript') }), {
            tool_calls: [call('run_javascript', { code: SCRIPT_BOMB })],
          }),
        ),
      ]);
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        const content = answer.body.choices[0].message.content as string;
        expect(content.startsWith('Tool results: ')).toBe(true);
        expect(JSON.parse(content.slice('Tool results: '.length))).toHaveProperty('error');
      }
    }
    expect((await fetch(`${stack.url}/health/live`)).status).toBe(200);
    // And the sandboxes still work.
    const sane = await postJson(
      `${stack.url}/v1/chat/completions`,
      withSim(chat('compute', { model: 'thinking', tools: byName('calculator') }), {
        tool_calls: [call('calculator', { expression: '2^10' })],
      }),
    );
    expect(sane.body.choices[0].message.content).toBe(
      'Tool results: {"expression":"2^10","result":"1024"}',
    );
  }, 120_000);

  it('runs 150 pending run_javascript calls through the bounded pool: /health/live stays under 1 s, RSS grows < 300 MB', async () => {
    const calls = Array.from({ length: 150 }, (_v, i) => ({
      id: `call_${i}`,
      type: 'function',
      function: {
        name: 'run_javascript',
        arguments: JSON.stringify({
          code: `let s = 0; for (let i = 0; i < 1e5; i++) s += i; s + ${i}`,
        }),
      },
    }));
    const body = {
      model: 'thinking',
      tools: byName('run_javascript'),
      messages: [
        { role: 'user', content: 'run them all' },
        { role: 'assistant', content: null, tool_calls: calls },
      ],
    };
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    let slowest = 0;
    let probes = 0;
    let finished = false;
    const probe = (async () => {
      while (!finished) {
        const started = performance.now();
        const res = await fetch(`${stack.url}/health/live`);
        await res.arrayBuffer();
        slowest = Math.max(slowest, performance.now() - started);
        rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
        probes++;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const answer = await postJson(`${stack.url}/v1/chat/completions`, body);
    finished = true;
    await probe;
    expect(answer.status).toBe(200);
    const results = toolMessages(stack, 0);
    expect(results).toHaveLength(150);
    expect(JSON.parse(results[149].content)).toEqual({ result: 4999950149, console: '' });
    expect(probes).toBeGreaterThan(5);
    expect(slowest).toBeLessThan(1000);
    expect(rssPeak - rssBefore).toBeLessThan(300 * 1024 * 1024);
  }, 120_000);
});

describe('tool calls per round and per request (issue 13), default limits', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      env: {
        GATEWAY_CONFIG: yamlFile('tools: { builtin: { run_javascript: { enabled: true } } }\n'),
      },
    });
  }, 30_000);
  afterAll(() => stack.close());
  beforeEach(() => stack.thinking.reset());

  it('refuses a caller turn with more pending tool_calls than one round runs (400)', async () => {
    const calls = Array.from({ length: 150 }, (_v, i) => ({
      id: `call_${i}`,
      type: 'function',
      function: { name: 'run_javascript', arguments: '{"code":"1"}' },
    }));
    const res = await postJson(`${stack.url}/v1/chat/completions`, {
      model: 'thinking',
      tools: byName('run_javascript'),
      messages: [
        { role: 'user', content: 'x' },
        { role: 'assistant', content: null, tool_calls: calls },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'invalid_value',
      param: 'messages[1].tool_calls',
    });
    expect(stack.thinking.requests()).toHaveLength(0);
  });

  it('runs 16 of a model’s 20 calls and tells the model the rest were not run', async () => {
    const res = await postJson(
      `${stack.url}/v1/chat/completions`,
      withSim(chat('compute', { model: 'thinking', tools: byName('current_time') }), {
        tool_calls: Array.from({ length: 20 }, () => call('current_time', { timezone: 'UTC' })),
      }),
    );
    expect(res.status).toBe(200);
    const results = toolMessages(stack, 1).map((m) => JSON.parse(m.content));
    expect(results).toHaveLength(20);
    expect(results.slice(0, 16).every((r) => r.timezone === 'UTC')).toBe(true);
    for (const r of results.slice(16)) expect(r.error).toMatch(/at most 16 tool calls/);
  });
});

describe('tools that run code or keep state are off unless configured (issue 13)', () => {
  const OTHER_KEY = 'tg-other-key-9876543210';
  const listTools = async (stack: Stack, key: string) => {
    const res = await fetch(`${stack.url}/v1/tools`, {
      headers: { ...authHeaders(), authorization: `Bearer ${key}` },
    });
    return ((await res.json()) as { data: { function: { name: string } }[] }).data.map(
      (t) => t.function.name,
    );
  };

  it('registers neither run_javascript nor memory by default', async () => {
    const stack = await startStack();
    try {
      const names = await listTools(stack, TEST_KEY);
      expect(names).toContain('calculator');
      expect(names).not.toContain('run_javascript');
      expect(names).not.toContain('memory');
      // Offered anyway, run_javascript is the caller's own tool: its call comes back.
      const res = await postJson(
        `${stack.url}/v1/chat/completions`,
        withSim(chat('run', { model: 'thinking', tools: byName('run_javascript') }), {
          tool_calls: [call('run_javascript', { code: '1 + 1' })],
        }),
      );
      expect(res.body.choices[0].finish_reason).toBe('tool_calls');
      expect(res.headers.get('x-gateway-tool-rounds')).toBeNull();
    } finally {
      await stack.close();
    }
  }, 30_000);

  it('switches a tool on for the keys whose allowed_tools name it, and for them only', async () => {
    const stack = await startStack({
      env: {
        GATEWAY_API_KEYS: '',
        GATEWAY_CONFIG: yamlFile(`
auth:
  keys:
    - { name: sandboxed, key: ${TEST_KEY}, allowed_tools: [calculator, run_javascript] }
    - { name: plain, key: ${OTHER_KEY} }
`),
      },
    });
    try {
      expect(await listTools(stack, TEST_KEY)).toEqual(['calculator', 'run_javascript']);
      const plain = await listTools(stack, OTHER_KEY);
      expect(plain).toContain('calculator');
      expect(plain).not.toContain('run_javascript');
      const run = withSim(chat('run', { model: 'thinking', tools: byName('run_javascript') }), {
        tool_calls: [call('run_javascript', { code: '6 * 7' })],
      });
      const mine = await postJson(`${stack.url}/v1/chat/completions`, run);
      expect(mine.body.choices[0].message.content).toBe('Tool results: {"result":42,"console":""}');
      const theirs = await postJson(`${stack.url}/v1/chat/completions`, run, {
        ...authHeaders(),
        authorization: `Bearer ${OTHER_KEY}`,
      });
      expect(theirs.body.choices[0].finish_reason).toBe('tool_calls');
    } finally {
      await stack.close();
    }
  }, 30_000);
});

import { Logger } from '@nestjs/common';
import Ajv from 'ajv';
import type { ToolCall } from '../common/openai';
import { installSecrets } from '../common/secrets';
import type { GatewayTool, ToolContext } from './gateway-tool.interface';
import { errorResult, ToolCallBudget, ToolExecutor } from './tool-executor.service';
import type { RegisteredTool, ToolRegistry } from './tool-registry.service';
import type { ToolsSlice } from './tools.config';
import { MAX_TOOL_RESULT_CHARS } from './tools.constants';
import { ToolMessages } from './tools.messages';

const ajv = new Ajv({ allErrors: true, useDefaults: true });

function registered(
  name: string,
  execute: GatewayTool<any>['execute'],
  parameters: Record<string, unknown> = { type: 'object' },
  timeoutMs?: number,
): RegisteredTool {
  return {
    name,
    description: name,
    parameters,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    tool: { execute },
    validate: ajv.compile(parameters),
    definition: { type: 'function', function: { name, parameters } },
    listedKeysOnly: false,
  };
}

function executor(...tools: RegisteredTool[]): ToolExecutor {
  return limitedExecutor(Number.POSITIVE_INFINITY, ...tools);
}

function limitedExecutor(maxCallsPerRound: number, ...tools: RegisteredTool[]): ToolExecutor {
  const registry = { get: (name: string) => tools.find((t) => t.name === name) };
  const config = { tools: { timeoutMs: 200, maxCallsPerRound } } as unknown as ToolsSlice;
  return new ToolExecutor(registry as unknown as ToolRegistry, config);
}

const call = (name: string, args: string, id = 'call_1'): ToolCall => ({
  id,
  type: 'function',
  function: { name, arguments: args },
});

const context = (signal = new AbortController().signal) => ({
  signal,
  requestId: 'req-1',
  keyName: 'team-a',
});

const ADD = {
  type: 'object',
  properties: { a: { type: 'number' }, b: { type: 'number' } },
  required: ['a', 'b'],
  additionalProperties: false,
};

describe('ToolExecutor', () => {
  beforeAll(() => jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());

  it('validates, runs and returns a JSON result; a string result is given as is', async () => {
    let seen: ToolContext | undefined;
    const run = executor(
      registered(
        'add',
        ({ a, b }: { a: number; b: number }, ctx) => {
          seen = ctx;
          return { sum: a + b };
        },
        ADD,
      ),
      registered('hello', () => 'hello, world'),
    );
    await expect(run.execute(call('add', '{"a":2,"b":3}'), context())).resolves.toMatchObject({
      status: 'ok',
      content: '{"sum":5}',
    });
    expect(seen).toMatchObject({ keyName: 'team-a', requestId: 'req-1' });
    expect(seen?.signal).toBeInstanceOf(AbortSignal);
    await expect(run.execute(call('hello', ''), context())).resolves.toMatchObject({
      status: 'ok',
      content: 'hello, world',
    });
  });

  it.each([
    ['not JSON', '{"a":2,', /The arguments are not valid JSON/],
    ['not an object', '[1,2]', /must be a JSON object/],
    ['missing a property', '{"a":2}', /arguments must have required property 'b'/],
    ['of the wrong type', '{"a":"2","b":3}', /arguments\/a must be number/],
    ['with an extra property', '{"a":1,"b":2,"c":3}', /must NOT have additional properties/],
  ])(
    'gives the model every validation error of arguments %s, without running the tool',
    async (_n, args, message) => {
      const execute = jest.fn();
      const outcome = await executor(registered('add', execute, ADD)).execute(
        call('add', args),
        context(),
      );
      expect(outcome.status).toBe('invalid_arguments');
      expect(JSON.parse(outcome.content).error).toMatch(message);
      expect(execute).not.toHaveBeenCalled();
    },
  );

  it.each<[string, number, number | undefined, number, string[]]>([
    ['a round within both limits', 3, 10, 3, ['ok', 'ok', 'ok']],
    ['a round beyond max_calls_per_round', 2, undefined, 4, ['ok', 'ok', 'round', 'round']],
    ['a round beyond the request’s budget', 5, 1, 3, ['ok', 'request', 'request']],
    ['both: the round cap first, then the budget', 3, 2, 4, ['ok', 'ok', 'request', 'round']],
    ['a spent budget', 3, 0, 2, ['request', 'request']],
  ])(
    'runs only the calls the limits allow: %s',
    async (_case, perRound, budget, count, expected) => {
      const execute = jest.fn(() => 'done');
      const run = limitedExecutor(perRound, registered('t', execute));
      const calls = Array.from({ length: count }, (_v, i) => call('t', '{}', `call_${i}`));
      const outcomes = await run.executeAll(calls, {
        ...context(),
        ...(budget === undefined ? {} : { budget: new ToolCallBudget(budget) }),
      });
      expect(
        outcomes.map((o) => {
          if (o.status === 'ok') return 'ok';
          expect(o.status).toBe('over_limit');
          const message = JSON.parse(o.content).error as string;
          return message === ToolMessages.tooManyCallsPerRequest() ? 'request' : 'round';
        }),
      ).toEqual(expected);
      expect(outcomes.map((o) => o.call.id)).toEqual(calls.map((c) => c.id));
      expect(execute).toHaveBeenCalledTimes(expected.filter((e) => e === 'ok').length);
    },
  );

  it('spends one request budget over several rounds', async () => {
    const run = limitedExecutor(
      10,
      registered('t', () => 'done'),
    );
    const budget = new ToolCallBudget(3);
    const round = (n: number) =>
      run.executeAll(
        Array.from({ length: n }, (_v, i) => call('t', '{}', `c${i}`)),
        { ...context(), budget },
      );
    expect((await round(2)).map((o) => o.status)).toEqual(['ok', 'ok']);
    expect((await round(2)).map((o) => o.status)).toEqual(['ok', 'over_limit']);
    expect((await round(1)).map((o) => o.status)).toEqual(['over_limit']);
  });

  it('fills schema defaults into the arguments', async () => {
    const execute = jest.fn((args: unknown) => args as Record<string, unknown>);
    const schema = { type: 'object', properties: { tz: { type: 'string', default: 'UTC' } } };
    await executor(registered('tz', execute, schema)).execute(call('tz', '{}'), context());
    expect(execute.mock.calls[0][0]).toEqual({ tz: 'UTC' });
  });

  it('turns a thrown error into an error result; the message is the tool’s', async () => {
    const outcome = await executor(
      registered('boom', () => {
        throw new Error('the disk is full');
      }),
    ).execute(call('boom', '{}'), context());
    expect(outcome).toMatchObject({ status: 'failed', content: errorResult('the disk is full') });
  });

  it('times out a tool that ignores its signal, at its own limit or the default', async () => {
    const never = () => new Promise<never>(() => undefined);
    const run = executor(
      registered('slow', never),
      registered('slower', never, { type: 'object' }, 50),
    );
    const started = Date.now();
    const [own, fallback] = await Promise.all([
      run.execute(call('slower', '{}'), context()),
      run.execute(call('slow', '{}'), context()),
    ]);
    expect(own).toMatchObject({
      status: 'timed_out',
      content: errorResult(ToolMessages.timedOut('slower', 50)),
    });
    expect(fallback).toMatchObject({
      status: 'timed_out',
      content: errorResult(ToolMessages.timedOut('slow', 200)),
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('aborts the tool’s signal at its time limit', async () => {
    let aborted = false;
    const tool = registered('waits', (_args, { signal }) => {
      return new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          aborted = true;
          reject(signal.reason);
        });
      });
    });
    await executor(tool).execute(call('waits', '{}'), context());
    expect(aborted).toBe(true);
  });

  it('passes the request’s abort to the running tool', async () => {
    const controller = new AbortController();
    let reason: unknown;
    const tool = registered('waits', (_args, { signal }) => {
      return new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          reason = signal.reason;
          reject(signal.reason);
        });
      });
    });
    const pending = executor(tool).execute(call('waits', '{}'), context(controller.signal));
    const cause = new Error('caller left');
    setTimeout(() => controller.abort(cause), 10);
    await expect(pending).resolves.toMatchObject({ status: 'aborted' });
    expect(reason).toBe(cause);
  });

  it('runs calls in parallel and returns the outcomes in call order', async () => {
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const started: string[] = [];
    const run = executor(
      registered('sleep', async ({ ms }: { ms: number }) => {
        await sleep(ms);
        return ms;
      }),
    );
    const t0 = Date.now();
    const outcomes = await run.executeAll(
      [call('sleep', '{"ms":120}', 'a'), call('sleep', '{"ms":10}', 'b'), call('nope', '{}', 'c')],
      context(),
      (name) => started.push(name),
    );
    expect(Date.now() - t0).toBeLessThan(190);
    expect(outcomes.map((o) => [o.call.id, o.status, o.content])).toEqual([
      ['a', 'ok', '120'],
      ['b', 'ok', '10'],
      ['c', 'unknown_tool', errorResult('Unknown tool nope.')],
    ]);
    expect(started).toEqual(['sleep', 'sleep']);
  });

  it('cuts a huge result and says so', async () => {
    const outcome = await executor(
      registered('big', () => 'x'.repeat(MAX_TOOL_RESULT_CHARS + 10)),
    ).execute(call('big', '{}'), context());
    expect(outcome.content.length).toBeLessThan(MAX_TOOL_RESULT_CHARS + 100);
    expect(outcome.content.endsWith(ToolMessages.truncated(10))).toBe(true);
  });

  it('refuses a result that is not JSON', async () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const outcome = await executor(registered('loop', () => circular)).execute(
      call('loop', '{}'),
      context(),
    );
    expect(outcome).toMatchObject({
      status: 'failed',
      content: errorResult(ToolMessages.resultNotJson('loop')),
    });
  });
});

/** API §6 / issue 13: a tool's error message never hands a configured secret to the model. */
describe('ToolExecutor: secrets in tool errors', () => {
  beforeAll(() => jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());

  it('scrubs configured secrets from the error result', async () => {
    installSecrets(['sk-search-engine-4242']);
    const leaky = registered('leaky', () => {
      throw new Error('GET https://search/?key=sk-search-engine-4242 failed: 500');
    });
    const outcome = await executor(leaky).execute(call('leaky', '{}'), context());
    expect(outcome).toMatchObject({
      status: 'failed',
      content: errorResult('GET https://search/?key=[redacted] failed: 500'),
    });
  });
});

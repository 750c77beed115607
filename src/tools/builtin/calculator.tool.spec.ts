import { SandboxSlots } from '../sandbox/sandbox-slots';
import type { ToolsSlice } from '../tools.config';
import { CalculatorTool } from './calculator.tool';

function calculator(enabled = true): CalculatorTool {
  const config = { tools: { builtin: { calculator: { enabled } } } } as unknown as ToolsSlice;
  return new CalculatorTool(config, new SandboxSlots({ maxWorkers: 2, queueTimeoutMs: 10_000 }));
}

describe('CalculatorTool', () => {
  const tool = calculator();
  const run = (expression: string) =>
    tool.execute({ expression }, { signal: new AbortController().signal, requestId: 'test' });

  // The first call loads mathjs into a worker, which takes seconds on a busy machine.
  beforeAll(() => run('1'), 30_000);
  afterAll(() => tool.onApplicationShutdown());

  it.each([
    ['0.1 + 0.2', '0.3'],
    ['1/3', '0.33333333333333333333333333333333'],
    ['2^100', '1267650600228229401496703205376'],
    ['123456789 * 987654321', '121932631112635269'],
    ['sqrt(2)', '1.4142135623730950488016887242097'],
    ['sin(pi/2)', '1'],
    ['5!', '120'],
    ['det([1,2;3,4])', '-2'],
    ['sqrt(-4)', '2i'],
    ['2 inch to cm', '5.08 cm'],
    ['x = 3; x * 2', '6'],
  ])('evaluates %s exactly as %s', async (expression, result) => {
    await expect(run(expression)).resolves.toEqual({ expression, result });
  });

  it.each([
    ['f(x) = x^2', /Function definitions are not allowed/],
    ['import({x: 1})', /import\(\) is not available/],
    ['createUnit("foo")', /createUnit\(\) is not available/],
    ['evaluate("1+1")', /evaluate\(\) is not available/],
    ['parse("1+1")', /parse\(\) is not available/],
    ['simplify("x+x")', /simplify\(\) is not available/],
    ['derivative("x^2", "x")', /derivative\(\) is not available/],
    ['config({precision: 100000})', /config\(\) is not available/],
    ['2 +', /Unexpected end of expression/],
    ['sqrt', /is a function/],
  ])('refuses %s', async (expression, message) => {
    await expect(run(expression)).rejects.toThrow(message);
  });

  it('stops a runaway computation at its time limit without blocking the event loop', async () => {
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 50);
    const started = Date.now();
    await expect(run('gamma(1e9)')).rejects.toThrow(/did not finish within 2000 ms/);
    clearInterval(ticker);
    expect(Date.now() - started).toBeLessThan(5000);
    // The event loop kept turning while the worker computed.
    expect(ticks).toBeGreaterThan(10);
    // And the next calculation gets a healthy worker.
    await expect(run('1 + 1')).resolves.toEqual({ expression: '1 + 1', result: '2' });
  });

  it('passes the abort of the request on (the worker is stopped)', async () => {
    const controller = new AbortController();
    const pending = tool.execute(
      { expression: 'gamma(1e9)' },
      { signal: controller.signal, requestId: 'test' },
    );
    setTimeout(() => controller.abort(new Error('caller left')), 200);
    await expect(pending).rejects.toThrow('caller left');
  });

  it('is switchable in configuration', () => {
    expect(calculator(true).isEnabled()).toBe(true);
    expect(calculator(false).isEnabled()).toBe(false);
  });
});

import { BuiltinToolMessages as M } from './builtin-tools.messages';
import { SandboxSlots } from '../sandbox/sandbox-slots';
import type { ToolsSlice } from '../tools.config';
import { RunJavascriptTool } from './run-javascript.tool';

function sandbox(
  enabled = true,
  timeoutMs = 1000,
  memoryLimitMb = 16,
  keys: unknown[] = [],
): RunJavascriptTool {
  const config = {
    tools: { builtin: { runJavascript: { enabled } }, runJavascript: { timeoutMs, memoryLimitMb } },
    keys,
  } as unknown as ToolsSlice;
  return new RunJavascriptTool(config, new SandboxSlots({ maxWorkers: 2, queueTimeoutMs: 10_000 }));
}

describe('RunJavascriptTool', () => {
  const tool = sandbox();
  const run = (code: string, signal = new AbortController().signal) =>
    tool.execute({ code }, { signal, requestId: 'test' });

  afterAll(() => tool.onApplicationShutdown());

  it('returns the last expression and the console output', async () => {
    await expect(
      run(
        'const xs = [3, 1, 2].sort(); console.log("sorted", xs); console.warn("careful"); xs.length',
      ),
    ).resolves.toEqual({ result: 3, console: 'sorted [1,2,3]\n[warn] careful' });
  });

  it('returns objects as JSON values', async () => {
    await expect(run('({ a: 1, b: [true, null, "x"] })')).resolves.toEqual({
      result: { a: 1, b: [true, null, 'x'] },
      console: '',
    });
  });

  it('settles an async script', async () => {
    await expect(run('(async () => { await null; return 6 * 7; })()')).resolves.toEqual({
      result: 42,
      console: '',
    });
  });

  it('reports an uncaught error with the output written before it', async () => {
    await expect(run('console.log("before"); throw new TypeError("bad input")')).resolves.toEqual({
      console: 'before',
      error: 'TypeError: bad input',
    });
  });

  describe('refuses escapes', () => {
    it.each([
      ['require', 'require("fs").readFileSync("/etc/passwd", "utf8")', /ReferenceError: .*require/],
      ['process', 'process.exit(1)', /ReferenceError: .*process/],
      ['fetch', 'fetch("http://example.com")', /ReferenceError: .*fetch/],
      ['timers', 'setTimeout(() => 1, 10)', /ReferenceError: .*setTimeout/],
      ['a dynamic import', 'import("fs")', /Error/],
      [
        'unbounded recursion',
        'function f() { return f() + 1 } f()',
        /InternalError: stack overflow/,
      ],
    ])('%s', async (_name, code, error) => {
      const outcome = (await run(code)) as { error?: string };
      expect(outcome.error).toMatch(error);
    });

    it('the Function constructor and globalThis see no host objects', async () => {
      await expect(
        run(
          '[Function("return typeof process + typeof require")(), ' +
            'Object.keys(globalThis).filter((k) => !["console"].includes(k)).length, ' +
            'this.constructor.constructor("return typeof fetch")()]',
        ),
      ).resolves.toEqual({ result: ['undefinedundefined', 0, 'undefined'], console: '' });
    });

    it('an infinite loop is stopped at the time limit, and the event loop stays free', async () => {
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 50);
      const started = Date.now();
      const outcome = (await run('while (true) {}')) as { error?: string };
      clearInterval(ticker);
      expect(outcome.error).toBe(M.scriptTooLong(1000));
      expect(Date.now() - started).toBeLessThan(3000);
      expect(ticks).toBeGreaterThan(5);
    });

    it('a memory bomb is stopped by the memory or the time limit', async () => {
      const started = Date.now();
      const outcome = await run('const a = []; for (;;) a.push(new Array(1e6).fill(1));').then(
        (result) => (result as { error?: string }).error,
        (error: Error) => error.message,
      );
      expect([M.scriptOutOfMemory(16), M.scriptTooLong(1000)]).toContain(outcome);
      expect(Date.now() - started).toBeLessThan(3000);
    });

    it('a string-doubling bomb is stopped', async () => {
      const outcome = (await run('let s = "x"; for (;;) s += s;')) as { error?: string };
      expect(outcome.error).toBeDefined();
    });

    it('the sandbox still works after all of that', async () => {
      await expect(run('1 + 1')).resolves.toEqual({ result: 2, console: '' });
    });
  });

  it('caps the console output', async () => {
    const outcome = (await run('for (let i = 0; i < 100000; i++) console.log("line " + i); 1')) as {
      console: string;
    };
    expect(outcome.console.length).toBeLessThan(17 * 1024);
    expect(outcome.console.endsWith('[output truncated]')).toBe(true);
  });

  it('stops the script when the request is aborted', async () => {
    const controller = new AbortController();
    const pending = run('while (true) {}', controller.signal);
    setTimeout(() => controller.abort(new Error('caller left')), 100);
    await expect(pending).rejects.toThrow('caller left');
  });

  it('is switchable in configuration, globally or for the keys that list it', () => {
    expect(sandbox(true).isEnabled()).toBe(true);
    expect(sandbox(false).isEnabled()).toBe(false);
    const listing = [{ name: 'ci', key: 'k', allowedTools: ['run_javascript'] }];
    expect(sandbox(false, 1000, 16, listing).isEnabled()).toBe('listed-keys');
  });
});

/* istanbul ignore file -- serialised into a worker thread, where coverage counters do not exist */
import type * as QuickJs from 'quickjs-emscripten';
import type * as WorkerThreads from 'node:worker_threads';

export interface QuickJsWorkerData {
  /** Absolute path of the `quickjs-emscripten` package. */
  quickjsPath: string;
}

export interface ScriptJob {
  code: string;
  /** In-VM deadline (the interrupt handler); the thread is also killed from outside. */
  timeoutMs: number;
  memoryBytes: number;
  stackBytes: number;
  /** Console output kept, in characters. */
  maxOutputChars: number;
}

export interface ScriptOutcome {
  /** The completion value of the script (a settled promise's value), when JSON can carry it. */
  result?: unknown;
  /** What the script wrote with console.*, one call per line. */
  console: string;
  /** The uncaught error, as `Name: message`. */
  error?: string;
}

/**
 * The `run_javascript` worker body (see `WorkerSandbox`): each job gets a fresh QuickJS runtime
 * (WebAssembly) with a memory limit, a stack limit, an interrupt deadline and a `console` that
 * records; the VM has no `require`, `process`, `fetch`, timers, file or network access.
 * A job that ended in an error asks for a fresh thread, so nothing a failed script left behind
 * in the WebAssembly heap meets the next one.
 *
 * Self-contained on purpose: it runs from its source text.
 */
export function quickJsWorkerMain(load: (id: string) => unknown, data: QuickJsWorkerData): void {
  const { parentPort } = load('node:worker_threads') as typeof WorkerThreads;
  const quickjs = load(data.quickjsPath) as typeof QuickJs;
  const port = parentPort as WorkerThreads.MessagePort;

  const describe = (value: unknown): string => {
    if (value && typeof value === 'object') {
      const { name, message } = value as { name?: unknown; message?: unknown };
      if (typeof message === 'string')
        return `${typeof name === 'string' ? name : 'Error'}: ${message}`;
    }
    return `Uncaught ${typeof value === 'string' ? value : JSON.stringify(value)}`;
  };
  const text = (value: unknown): string => {
    if (typeof value === 'string') return value;
    try {
      const json = JSON.stringify(value);
      return json === undefined ? String(value) : json;
    } catch {
      return String(value);
    }
  };

  void quickjs.getQuickJS().then((QuickJS) => {
    port.on('message', (message: { type: string; input: ScriptJob }) => {
      if (message.type !== 'job') return;
      const job = message.input;
      const lines: string[] = [];
      let size = 0;
      let cut = false;
      const write = (line: string): void => {
        if (cut) return;
        if (size + line.length > job.maxOutputChars) {
          lines.push(line.slice(0, Math.max(0, job.maxOutputChars - size)), '[output truncated]');
          cut = true;
          return;
        }
        lines.push(line);
        size += line.length + 1;
      };
      const outcome: ScriptOutcome = { console: '' };
      let recycle = false;
      const runtime = QuickJS.newRuntime();
      try {
        runtime.setMemoryLimit(job.memoryBytes);
        runtime.setMaxStackSize(job.stackBytes);
        runtime.setInterruptHandler(
          quickjs.shouldInterruptAfterDeadline(Date.now() + job.timeoutMs),
        );
        const vm = runtime.newContext();
        try {
          const consoleObject = vm.newObject();
          for (const level of ['log', 'info', 'debug', 'warn', 'error']) {
            const fn = vm.newFunction(level, (...args) => {
              const line = args.map((arg) => text(vm.dump(arg))).join(' ');
              write(level === 'warn' || level === 'error' ? `[${level}] ${line}` : line);
            });
            vm.setProp(consoleObject, level, fn);
            fn.dispose();
          }
          vm.setProp(vm.global, 'console', consoleObject);
          consoleObject.dispose();

          const evaluated = vm.evalCode(job.code, 'script.js');
          if (evaluated.error) {
            outcome.error = describe(vm.dump(evaluated.error));
            evaluated.error.dispose();
            recycle = true;
          } else {
            const handle = evaluated.value;
            const state = vm.getPromiseState(handle);
            if (state.type === 'fulfilled' && state.notAPromise) {
              outcome.result = vm.dump(handle);
            } else {
              // An async script: run its jobs (there is no I/O or timer to wait for).
              runtime.executePendingJobs();
              const settled = vm.getPromiseState(handle);
              if (settled.type === 'fulfilled') {
                outcome.result = vm.dump(settled.value);
                settled.value.dispose();
              } else if (settled.type === 'rejected') {
                outcome.error = describe(vm.dump(settled.error));
                settled.error.dispose();
              } else {
                outcome.error = 'Error: the script returned a promise that never settles';
              }
            }
            handle.dispose();
          }
        } finally {
          vm.dispose();
        }
      } catch (error) {
        outcome.error ??= describe(error);
        recycle = true;
      } finally {
        try {
          runtime.dispose();
        } catch {
          recycle = true;
        }
      }
      outcome.console = lines.join('\n');
      try {
        port.postMessage({ type: 'result', ok: true, value: outcome, recycle });
      } catch {
        // The result does not survive structured cloning: send it as text.
        port.postMessage({
          type: 'result',
          ok: true,
          value: { ...outcome, result: text(outcome.result) },
          recycle,
        });
      }
    });
    port.postMessage({ type: 'ready' });
  });
}

import { Inject, type OnApplicationShutdown } from '@nestjs/common';
import type { RunJavascriptConfig } from '../../config';
import { GatewayTool } from '../gateway-tool.decorator';
import type { ToolAvailability, ToolContext, ToolResult } from '../gateway-tool.interface';
import { SandboxBusyError, type SandboxSlots } from '../sandbox/sandbox-slots';
import { SandboxCrashedError, SandboxTimeoutError, WorkerSandbox } from '../sandbox/worker-sandbox';
import { TOOLS_CONFIG, type ToolsSlice } from '../tools.config';
import { SANDBOX_SLOTS } from '../tools.constants';
import { BuiltinToolMessages } from './builtin-tools.messages';
import { optInAvailability } from './opt-in-tool';
import {
  quickJsWorkerMain,
  type QuickJsWorkerData,
  type ScriptJob,
  type ScriptOutcome,
} from './quickjs.worker';

export interface RunJavascriptArgs {
  code: string;
}

/** Longest accepted script, in characters. */
export const MAX_SCRIPT_LENGTH = 100_000;
/** QuickJS stack limit: 512 KiB crashed the host in testing, 256 KiB and less fail cleanly. */
const STACK_BYTES = 256 * 1024;
/** Console output kept per run, in characters. */
const MAX_OUTPUT_CHARS = 16 * 1024;
/** Time the in-VM deadline gets to stop a script before its thread is terminated. */
const KILL_GRACE_MS = 250;

/**
 * `run_javascript`: runs a script in a QuickJS (WebAssembly) sandbox inside a worker thread,
 * with memory and time limits and no I/O; console output is captured and returned. It runs
 * code a model (or a caller) wrote, so it is off unless `tools.builtin.run_javascript.enabled`
 * is true or a key lists it in `allowed_tools`.
 */
@GatewayTool({
  name: 'run_javascript',
  description:
    'Runs JavaScript (ES2023) in an isolated sandbox and returns the value of the last ' +
    'expression and everything printed with console.log. No network, files, timers, ' +
    'require or process; limited time and memory. Use it for exact computation, data ' +
    'transformation and checking code.',
  parameters: {
    type: 'object',
    properties: {
      code: {
        type: 'string',
        minLength: 1,
        maxLength: MAX_SCRIPT_LENGTH,
        description:
          'The script. Its last expression is the result; print intermediate values with console.log.',
      },
    },
    required: ['code'],
    additionalProperties: false,
  },
})
export class RunJavascriptTool implements GatewayTool<RunJavascriptArgs>, OnApplicationShutdown {
  private readonly availability: ToolAvailability;
  private readonly limits: RunJavascriptConfig;
  private readonly sandbox: WorkerSandbox<ScriptJob, ScriptOutcome, QuickJsWorkerData>;

  constructor(
    @Inject(TOOLS_CONFIG.token) { tools, keys }: ToolsSlice,
    @Inject(SANDBOX_SLOTS) slots: SandboxSlots,
  ) {
    this.availability = optInAvailability(
      tools.builtin.runJavascript.enabled,
      'run_javascript',
      keys,
    );
    this.limits = tools.runJavascript;
    this.sandbox = new WorkerSandbox(
      {
        name: 'run_javascript',
        main: quickJsWorkerMain,
        data: { quickjsPath: require.resolve('quickjs-emscripten') },
        // The QuickJS heap lives in WebAssembly memory, bounded by setMemoryLimit; this bounds
        // the thread's own JavaScript heap.
        resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 },
        maxIdle: 1,
        maxJobsPerWorker: 100,
      },
      slots,
    );
  }

  isEnabled(): ToolAvailability {
    return this.availability;
  }

  async execute({ code }: RunJavascriptArgs, { signal }: ToolContext): Promise<ToolResult> {
    const { timeoutMs, memoryLimitMb } = this.limits;
    let outcome: ScriptOutcome;
    try {
      outcome = await this.sandbox.run(
        {
          code,
          timeoutMs,
          memoryBytes: memoryLimitMb * 1024 * 1024,
          stackBytes: STACK_BYTES,
          maxOutputChars: MAX_OUTPUT_CHARS,
        },
        { timeoutMs: timeoutMs + KILL_GRACE_MS, signal },
      );
    } catch (error) {
      if (error instanceof SandboxTimeoutError) {
        throw new Error(BuiltinToolMessages.scriptTooLong(timeoutMs));
      }
      if (error instanceof SandboxBusyError) {
        throw new Error(BuiltinToolMessages.sandboxBusy(error.ms));
      }
      if (error instanceof SandboxCrashedError) {
        throw new Error(
          error.outOfMemory
            ? BuiltinToolMessages.scriptOutOfMemory(memoryLimitMb)
            : BuiltinToolMessages.scriptFailed(),
        );
      }
      throw error;
    }
    const result: Record<string, unknown> = {};
    if (outcome.result !== undefined) result.result = outcome.result;
    result.console = outcome.console;
    if (outcome.error !== undefined) result.error = friendlyError(outcome.error, this.limits);
    return result;
  }

  // Not onModuleDestroy: Nest runs that before the shutdown drain, while requests still use us.
  onApplicationShutdown(): Promise<void> {
    return this.sandbox.close();
  }
}

/** QuickJS's terse limit errors, in words the model can act on. */
function friendlyError(error: string, limits: RunJavascriptConfig): string {
  if (/^InternalError: interrupted/.test(error))
    return BuiltinToolMessages.scriptTooLong(limits.timeoutMs);
  if (/out of memory/i.test(error))
    return BuiltinToolMessages.scriptOutOfMemory(limits.memoryLimitMb);
  return error;
}
